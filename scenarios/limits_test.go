package scenarios

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// edit replaces the first old in base with new.
func edit(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(base, old) {
		t.Fatalf("base has no %q", old)
	}
	return strings.Replace(base, old, new, 1)
}

// TestLimits: each limit is checked at load, names itself and the line.
func TestLimits(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"replications", edit(t, "requests = 100", "requests = 100\nreplications = 100000000"), "t.toml:3: replications: replications is 100000000, above the limit of 1000 (MaxReplications"},
		{"servers", edit(t, "servers = 9", "servers = 1000000000"), "t.toml:11: pools[0].servers: servers is 1000000000, above the limit of 1000000 (MaxServers)"},
		{"servers together", edit(t, "servers = 1\n", "servers = 999999\n"), "the pools' servers together is 1000008, above the limit of 1000000"},
		{"slots", edit(t, "servers = 9", "servers = 9\nslots = 5000"), "pools[0].slots: slots is 5000, above the limit of 1000 (MaxSlots)"},
		{"batch", edit(t, `rate = "60/s"`, "rate = \"60/s\"\nbatch = 1000000000"), "arrivals.batch: batch is 1000000000, above the limit of 10000 (MaxBatch)"},
		{"arrival gap", edit(t, `rate = "60/s"`, `rate = "1e308/s"`), "t.toml:6: arrivals.rate: 1e+308 requests/s in batches of 1 arrive every 1e-299 ns on average, below the limit of 1000 ns (MinArrivalGap"},
		{"run length", edit(t, `rate = "60/s"`, `rate = "0.0000001/s"`), "t.toml:6: arrivals.rate: the run would last 31.7 years of simulated time on average, above the limit of 10 years (MaxVirtualTime"},
		{"duration", edit(t, "requests = 100", `duration = "100000000h"`), `t.toml:2: duration: duration "100000000h" is above the limit of 10 years (MaxVirtualTime`},
		{"total requests", strings.Replace(edit(t, "requests = 100", "requests = 10000000000\nreplications = 2"), `rate = "60/s"`, `rate = "100000/s"`, 1), "(warmup + requests) x strategies x replications is 4e+10, above the limit of 1e+10 (MaxTotalRequests"},
		{"tail", edit(t, "[arrivals]", "network = \"lognormal:1s,4\"\n\n[arrivals]"), `network: "lognormal:1s,4" reaches 833 years`},
		{"infinite mean", edit(t, "[arrivals]", "network = \"pareto:1ms,1\"\n\n[arrivals]"), `network: "pareto:1ms,1" has an infinite mean`},
		{"shared tail", edit(t, "[arrivals]", "network_shared = \"lognormal:1s,4\"\n\n[arrivals]"), `network_shared: "lognormal:1s,4" reaches 833 years`},
		{"memory", strings.Replace(edit(t, "requests = 100", "requests = 1000000000"), "[arrivals]", "[stability]\nmax_outstanding = 1000000000\n\n[arrivals]", 1), "of memory (servers, replications, outstanding requests), more than 90% of this machine's"},
		{"state changes", strings.Replace(base, `rate = "60/s"`, "process = \"mmpp\"\nrate = \"60/s\"\nrate2 = \"1/s\"\nhold = \"exp:1ns\"\nhold2 = \"1ns\"", 1), "arrivals.hold: the states change about"},
		{"sweep points", base + "\n[sweep]\nseed = [" + strings.Repeat("1,", 200) + "1]\nrequests = [" + strings.Repeat("1,", 100) + "1]\n", "the sweep has more than 10000 points, above the limit of 10000 (MaxSweepPoints)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse("t.toml", []byte(tc.doc), ".")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant %q", err, tc.want)
			}
			if err != nil && strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("one limit, more than one error:\n%v", err)
			}
		})
	}
}

// TestNesting: deep nesting is refused before the decoder, quickly.
func TestNesting(t *testing.T) {
	for _, doc := range []string{
		"a = " + strings.Repeat("{b = ", 8000) + "1" + strings.Repeat("}", 8000),
		"a = " + strings.Repeat("[", 8000) + strings.Repeat("]", 8000),
		"a" + strings.Repeat(".a", 8000) + " = 1",
		"[" + strings.Repeat("a.", 8000) + "a]",
	} {
		start := time.Now()
		_, _, err := Parse("t.toml", []byte(doc), ".")
		if err == nil || !strings.Contains(err.Error(), "t.toml:1: arrays, inline tables and dotted keys nest more than 32 deep") {
			t.Errorf("%.20s...: %v", doc, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%.20s...: took %v", doc, d)
		}
	}
	// Strings and comments do not count, and a real document passes.
	ok := base + "# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n" + `[models]` + "\n"
	if _, depth := nestingDepth([]byte(ok + `x = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["` + "\n")); depth > 3 {
		t.Errorf("strings and comments counted: depth %d", depth)
	}
	if _, _, err := Parse("t.toml", []byte(strings.Repeat("\n", 10)+"x = "+strings.Repeat("[", MaxNesting+1)), "."); err == nil || !strings.Contains(err.Error(), "t.toml:11:") {
		t.Errorf("line of the nesting: %v", err)
	}
}

// TestSyntaxErrorContext: the line and caret are right, and no input can
// make the formatter fail, whatever its line endings and bytes.
func TestSyntaxErrorContext(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"name = \"x\r\n", "t.toml:1:10: strings cannot contain newlines\n\n  1 | name = \"x\n    |          ^"},
		{"a = 1\r\nname = \"x\r\n", "t.toml:2:10: strings cannot contain newlines"},
		{"name = \"x\rseed = 1\n", "t.toml:1:9:"},
		{"seed = 1\nname = \"x", "t.toml:2:9: unexpected EOF"},
		{"\tname = \"x\t\n", "  1 |  name = \"x"},
		{"name = \"a\x00b\"", `name = "a\x00b"`},
		{"name = \"\xff\"", `name = "\xff"`},
		// The decoder places the error at the space before the x, in bytes.
		{"name = \"é\" x\n", "but got 'x' instead\n\n  1 | name = \"é\" x\n    |           ^"},
	} {
		_, _, err := Parse("t.toml", []byte(tc.doc), ".")
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q:\ngot  %v\nwant %q", tc.doc, err, tc.want)
		}
	}
	long := "x = \"" + strings.Repeat("a", 5000) + " y\n"
	_, _, err := Parse("t.toml", []byte(long), ".")
	if err == nil || len(err.Error()) > 600 {
		t.Errorf("a long line is shown whole: %d bytes", len(err.Error()))
	}
}

// TestNames: names that become file names are restricted.
func TestNames(t *testing.T) {
	for _, tc := range []struct{ old, new, want string }{
		{`name = "t"`, `name = "../../escaped"`, `t.toml:1: name: "../../escaped" holds '/'`},
		{`name = "t"`, `name = ".hidden"`, `starts with '.'`},
		{`name = "t"`, `name = "a\u0000b"`, `"a\x00b" holds '\x00'`},
		{`name = "t"`, `name = "` + strings.Repeat("n", 100000) + `"`, `... (100000 bytes) is 100000 characters long, above the limit of 64 (MaxNameLength)`},
		{`name = "scnn"`, `name = "a/b"`, `pools[0].name: "a/b" holds '/'`},
		{`name = "none"`, `name = "..\\none"`, `strategies[0].name: "..\\none" holds '\\'`},
	} {
		_, _, err := Parse("t.toml", []byte(edit(t, tc.old, tc.new)), ".")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.new[:min(len(tc.new), 40)], err, tc.want)
		}
		if err != nil && len(err.Error()) > 2000 {
			t.Errorf("%d-byte message", len(err.Error()))
		}
	}
	for file, want := range map[string]string{"my scenario.toml": "my_scenario", "../x/.y.toml": "_y", "a\x01b.toml": "a_b"} {
		if got := defaultName(file); got != want || safeName(got) != nil {
			t.Errorf("defaultName(%q) = %q, want %q", file, got, want)
		}
	}
}

// TestSilentAccepts: values the simulator cannot honour are refused.
func TestSilentAccepts(t *testing.T) {
	straggler := func(s string) string { return base + "\n[[stragglers]]\n" + s + "\n" }
	for _, tc := range []struct{ doc, want string }{
		{straggler("kind = \"slow-nodes\"\npools = [\"collage\"]\ncount = 2\nslowdown = 4.0"), `stragglers[0].count: 2 slow servers per pool, but pool "collage" has only 1`},
		{straggler("kind = \"slow-nodes\"\ncount = 2\nslowdown = 4.0"), `pool "collage" has only 1`},
		{straggler("kind = \"bernoulli\"\np = 0.1\nextra = \"1ms\"\npools = []"), "stragglers[0].pools: an empty list covers no pool"},
		{straggler("kind = \"bernoulli\"\np = 0.1\nextra = \"1ms\"\npools = [\"scnn\", \"scnn\"]"), `stragglers[0].pools[1]: pool "scnn" is listed twice`},
		{straggler("kind = \"bernoulli\"\np = 0.1\nextra = \"1ms\"\nservers = [1, 1]"), "stragglers[0].servers[1]: server 1 is listed twice"},
		{edit(t, "[arrivals]", "network = { kind = \"quantiles\", values = [1.0, nan] }\n[arrivals]"), "network.values[1]: must be a finite number, got NaN"},
	} {
		_, _, err := Parse("t.toml", []byte(tc.doc), ".")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
		if err != nil && strings.Count(err.Error(), "\n") > 0 {
			t.Errorf("follow-on errors:\n%v", err)
		}
	}
}

// TestLatencyFiles: file:line, the value and the rule.
func TestLatencyFiles(t *testing.T) {
	for _, tc := range []struct {
		data      string
		quantiles bool
		want      string
	}{
		{"10\n20\nNaN\n", false, `line 3: "NaN" is not a finite number`},
		{"10\n+Inf\n", false, `line 2: "+Inf" is not a finite number`},
		{"10\n-3\n", false, "line 2: latency -3 is negative"},
		{"# none\n", false, "no values"},
		{"10\n\x00\xff\n", false, `line 2: "\x00\xff" is not text`},
		{"10\n1e300\n", false, "line 2: latency 1e+300 is above the limit of 10 years"},
		{"10\n", true, "line 1: a quantile table needs at least 2 values"},
		{"10\n20\n15\n", true, "line 3: latency 15 is below the one before it"},
		{"quantile,latency_ms\n0,1\n0.5,2\n1.5,3\n", true, "line 4: quantile 1.5 is outside [0, 1]"},
		{"quantile,latency_ms\n0,1\n0.5,2\n0.5,3\n", true, "line 4: quantile 0.5 does not increase"},
		{strings.Repeat("1", 2<<20) + "\n", false, "line 1: longer than 1 MB"},
	} {
		_, err := parseValues([]byte(tc.data), tc.quantiles)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%.30q: got %v, want %q", tc.data, err, tc.want)
		}
	}
	p := &distParser{read: func(string) ([]byte, error) { return []byte("10\n20\n15\n"), nil }}
	if _, err := p.parse("quantiles:q.csv"); err == nil || !strings.Contains(err.Error(), "q.csv:3: latency 15") {
		t.Errorf("file:line: %v", err)
	}
}

// TestMessages: no cascades, no repeats, line order with line-less errors
// last, a count of what is left out.
func TestMessages(t *testing.T) {
	_, _, err := Parse("t.toml", []byte(edit(t, "servers = 9", `servers = "nine"`)), ".")
	if err == nil || err.Error() != `scenarios: t.toml:11: pools[0].servers: must be an integer, got string "nine"` {
		t.Errorf("servers = \"nine\": %v", err)
	}
	_, _, err = Parse("t.toml", []byte(edit(t, `profile = "builtin:paper-cloud"`, `profile = "builtin:nope"`)), ".")
	if err == nil || strings.Contains(err.Error(), "is not in profile") || strings.Count(err.Error(), "\n") > 0 {
		t.Errorf("a bad profile cascades:\n%v", err)
	}
	var many strings.Builder
	many.WriteString(base)
	for i := range 30 {
		fmt.Fprintf(&many, "\n[[pools]]\nname = \"p%d\"\nmodel = \"scnn\"\nservers = 0\n", i)
	}
	many.WriteString("\n[stability]\nmax_outstanding = 0\n")
	_, _, err = Parse("t.toml", []byte(many.String()), ".")
	var list ErrorList
	if !errors.As(err, &list) || len(list) != maxErrors+1 || !strings.Contains(list[maxErrors].Msg, "and 11 more problem(s) not shown") {
		t.Fatalf("many errors: %v", err)
	}
	for i := 1; i < maxErrors; i++ {
		if list[i].Line < list[i-1].Line {
			t.Errorf("not in line order: %d after %d", list[i].Line, list[i-1].Line)
		}
	}
	l := sortErrors(ErrorList{{File: "f", Msg: "a"}, {File: "f", Line: 9, Msg: "b"}, {File: "f", Line: 2, Msg: "c"}, {File: "f", Line: 2, Msg: "c"}})
	if len(l) != 3 || l[0].Line != 2 || l[1].Line != 9 || l[2].Line != 0 {
		t.Errorf("sortErrors: %v", l)
	}
	if got := echo(strings.Repeat("é", 100)); !strings.HasSuffix(got, `"... (200 bytes)`) {
		t.Errorf("echo: %s", got)
	}
	if got := (&Error{File: "f", Msg: "a\x1b[31mb\xff"}).Error(); got != `scenarios: f: a\x1b[31mb\xff` {
		t.Errorf("Error: %q", got)
	}
}

// TestSweepAtLoad: Parse accepts exactly the sweeps Expand can run.
func TestSweepAtLoad(t *testing.T) {
	good := base + "\n[sweep]\n\"pools.scnn.servers\" = [3, 6]\n\"arrivals.rate\" = [\"10/s\", \"20/s\"]\n"
	_, meta, err := Parse("t.toml", []byte(good), ".")
	if err != nil {
		t.Fatal(err)
	}
	if pts, err := Expand(meta); err != nil || len(pts) != 4 {
		t.Fatalf("%d points, %v", len(pts), err)
	}
	// A point only a combination breaks names the point.
	bad := base + "\n[sweep]\n\"pools.scnn.servers\" = [1, 2]\n\"strategies.none.kind\" = [\"none\", \"replicate\"]\n"
	_, _, err = Parse("t.toml", []byte(bad), ".")
	want := `t.toml:29: sweep: at point 1 (pools.scnn.servers=1, strategies.none.kind="replicate"): strategies[0].copies: 2 copies need 2 distinct servers; pool "scnn" has 1`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("combination: got %v\nwant %s", err, want)
	}
}
