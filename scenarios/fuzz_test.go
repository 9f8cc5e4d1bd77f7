package scenarios

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/collagesim/collagesim/sim"
)

// Fuzz targets for every file a user feeds collagesim: scenarios, profiles,
// latency files (quantile tables, samples) and arrival traces. Each is seeded
// with real documents; run one with, e.g.,
//
//	go test ./scenarios -run '^$' -fuzz '^FuzzParse$' -fuzztime 3m -parallel 2

// checkMessage fails when an error message could not be shown as is: raw
// control characters or invalid UTF-8 echoed from the input, or unbounded
// length.
func checkMessage(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	if !utf8.ValidString(msg) {
		t.Fatalf("message is not UTF-8: %q", msg)
	}
	for _, r := range msg {
		if r < 0x20 && r != '\n' || r == 0x7f {
			t.Fatalf("message holds control character %U: %q", r, msg)
		}
	}
	if len(msg) > 40_000 {
		t.Fatalf("message is %d bytes long", len(msg))
	}
}

func FuzzParse(f *testing.F) {
	for _, b := range Bundled() {
		text, err := BundledText(b.Name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(text)
		f.Add(bytes.ReplaceAll(text, []byte("\n"), []byte("\r\n")))
	}
	f.Add([]byte(base))
	f.Add([]byte("name = \"x\r\n"))
	f.Add([]byte("a = {b = {c = [[1]]}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, meta, err := Parse("fuzz.toml", data, "/nonexistent")
		checkMessage(t, err)
		if err != nil {
			return
		}
		if sc == nil || meta == nil {
			t.Fatal("nil scenario without error")
		}
		if err := safeName(sc.Name); err != nil {
			t.Fatalf("accepted name: %v", err)
		}
		// A file that loads also expands: Parse checked every point.
		if meta.Sweep != nil && meta.Sweep.size() <= 50 {
			if _, err := Expand(meta); err != nil {
				t.Fatalf("Parse accepted a sweep that Expand rejects: %v", err)
			}
		}
	})
}

func FuzzParseProfile(f *testing.F) {
	for _, name := range BuiltinProfiles() {
		data, err := profileFiles.ReadFile("profiles/" + name + ".toml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("name = \"p\"\n[[models]]\nname = \"m\"\nrole = \"single\"\nlatency = { kind = \"quantiles\", values = [1.0, 2.0] }\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parseProfile("fuzz.toml", data, embedReader(profileFiles, "profiles"), nil)
		checkMessage(t, err)
		if err != nil {
			return
		}
		for _, m := range p.Models {
			if err := safeName(m.Name); err != nil {
				t.Fatalf("accepted model name: %v", err)
			}
			for _, d := range []sim.Dist{m.Latency, m.Encode, m.Decode} {
				if err := d.Validate(); err != nil {
					t.Fatalf("accepted %v: %v", d, err)
				}
				if err := checkTail(d); err != nil {
					t.Fatalf("accepted %v: %v", d, err)
				}
			}
		}
	})
}

func FuzzParseValues(f *testing.F) {
	table, err := profileFiles.ReadFile(paperCloudTable)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(table, true)
	f.Add([]byte("latency_us\n100\n200\n150\n"), false)
	f.Add([]byte("# samples\n1.5\n2.5\r\n3\n"), false)
	f.Add([]byte("quantile,latency_ms\n0,1\n0.5,2\n1,3\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, quantiles bool) {
		vs, err := parseValues(data, quantiles)
		checkMessage(t, err)
		if err != nil {
			return
		}
		if len(vs) == 0 || quantiles && len(vs) < 2 {
			t.Fatalf("%d values accepted", len(vs))
		}
		for i, v := range vs {
			if math.IsNaN(v) || v < 0 || v > float64(MaxVirtualTime) {
				t.Fatalf("value %d is %g", i, v)
			}
			if quantiles && i > 0 && v < vs[i-1] {
				t.Fatalf("quantile table decreases at %d: %g < %g", i, v, vs[i-1])
			}
		}
	})
}

func FuzzArrivalTrace(f *testing.F) {
	f.Add([]byte("0\n10\n20.5\n"), false)
	f.Add([]byte("# ms\n5\n5\n7\n"), true)
	f.Add([]byte("1e3\n2e3\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, intervals bool) {
		d := &decoder{dists: &distParser{read: func(string) ([]byte, error) { return data, nil }}}
		format := "timestamps"
		if intervals {
			format = "intervals"
		}
		times, err := d.arrivalTrace("trace.txt", format, 1e6)
		checkMessage(t, err)
		if err != nil {
			return
		}
		if format == "timestamps" && times[0] != 0 {
			t.Fatalf("first arrival at %d", times[0])
		}
		for i := 1; i < len(times); i++ {
			if times[i] < times[i-1] || times[i] < 0 {
				t.Fatalf("arrival %d at %d after %d", i, times[i], times[i-1])
			}
		}
	})
}

func FuzzSourceContext(f *testing.F) {
	f.Add("name = \"x\r\n", 1, 10)
	f.Add("a\tb\x00\xff\n\xe2\x82", 2, 3)
	f.Fuzz(func(t *testing.T, text string, line, col int) {
		ctx := sourceContext(text, line, col)
		if strings.ContainsAny(ctx, "\r\x00\t") || !utf8.ValidString(ctx) {
			t.Fatalf("context shows raw bytes: %q", ctx)
		}
	})
}
