package scenarios

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/collagesim/collagesim/sim"
)

// sameProfile compares profiles field by field, NaN equal to NaN.
func sameProfile(t *testing.T, got, want *sim.Profile) {
	t.Helper()
	g, w := *got, *want
	g.Models, w.Models = nil, nil
	if !reflect.DeepEqual(g, w) {
		t.Errorf("profile header: got %+v, want %+v", g, w)
	}
	if len(got.Models) != len(want.Models) {
		t.Fatalf("%d models, want %d", len(got.Models), len(want.Models))
	}
	for i := range want.Models {
		gm, wm := got.Models[i], want.Models[i]
		for _, p := range []*sim.Model{&gm, &wm} {
			if math.IsNaN(p.Accuracy) {
				p.Accuracy = -1
			}
			if math.IsNaN(p.Coverage) {
				p.Coverage = -1
			}
		}
		if !reflect.DeepEqual(gm, wm) {
			t.Errorf("model %d:\n got %+v\nwant %+v", i, gm, wm)
		}
	}
}

func roundTrip(t *testing.T, p *sim.Profile) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteProfile(&buf, p); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "p.toml")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := LoadProfile(path)
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	sameProfile(t, got, p)
}

func TestProfileRoundTripBuiltin(t *testing.T) {
	for _, name := range BuiltinProfiles() {
		p, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		roundTrip(t, p)
	}
}

func TestProfileRoundTripAllKinds(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	q := make([]float64, 101)
	s := make([]float64, 57)
	for i := range q {
		q[i] = 1e6 + float64(i)*12345.678 // not whole ns: written in ns
	}
	for i := range s {
		s[i] = math.Round(r.Float64() * 1e9) // whole ns: written in ms
	}
	p := &sim.Profile{
		Name:   "all \"kinds\"\n",
		Source: "test; unicode µ",
		Meta:   sim.ProfileMeta{Hardware: "h", CPU: "c", GPU: "g", Runtime: "r", RuntimeVersion: "1", Provider: "cpu", Threads: "1/1", Date: "2026-01-01", Command: `a "b" \c`},
		Models: []sim.Model{
			{Name: "a", Role: sim.RoleSingle, InputShape: []int{3, 32, 32}, Latency: sim.Dist{Kind: sim.DistQuantiles, Values: q}, Accuracy: 0.912345678901, Coverage: math.NaN(), Source: "s"},
			{Name: "b", Role: sim.RoleCollage, Grid: 3, Latency: sim.Dist{Kind: sim.DistSamples, Values: s, Text: "samples:x.txt"}, Accuracy: math.NaN(), Coverage: 0.97,
				Encode: sim.Dist{Kind: sim.DistConst, A: 1234567}, Decode: sim.Dist{Kind: sim.DistExponential, A: 1.5}},
			{Name: "c", Role: sim.RoleParity, Grid: 4, Latency: sim.Dist{Kind: sim.DistLogNormal, A: 1e8, B: 0.5, Text: "lognormal:100ms,0.5"},
				Accuracy: math.NaN(), Coverage: math.NaN(),
				BatchLatency: []sim.BatchLatency{
					{Batch: 1, Latency: sim.Dist{Kind: sim.DistGamma, A: 2, B: 5e7}},
					{Batch: 8, Latency: sim.Dist{Kind: sim.DistWeibull, A: 1.5, B: 1e8 + 0.25}},
				}},
			{Name: "d", Role: sim.RoleSingle, Latency: sim.Dist{Kind: sim.DistUniform, A: 1e6, B: 2e6, Text: "uniform:1ms,2ms"}, Accuracy: 1, Coverage: 0,
				Encode: sim.Dist{Kind: sim.DistNormal, A: 1e6, B: 1e5}, Decode: sim.Dist{Kind: sim.DistPareto, A: 1e6, B: 2.5}},
		},
	}
	roundTrip(t, p)
}

func TestBuiltinPaperCloud(t *testing.T) {
	p, err := Builtin("paper-cloud")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"scnn", "collage-2x2", "collage-3x3", "collage-4x4", "parity"} {
		m := p.Model(name)
		if m == nil {
			t.Fatalf("no model %q", name)
		}
		if m.Latency.Kind != sim.DistQuantiles || len(m.Latency.Values) != 1001 || m.Source == "" {
			t.Errorf("%s: latency %v (%d values), source %q", name, m.Latency.Kind, len(m.Latency.Values), m.Source)
		}
		if !m.Encode.IsZero() || !m.Decode.IsZero() {
			t.Errorf("%s: encode/decode should be unset", name)
		}
		if _, err := profileFiles.ReadFile("profiles/local-cpu.toml"); err != nil && m.HasAccuracy() {
			t.Errorf("%s: accuracy %g without a local-cpu profile", name, m.Accuracy)
		}
	}
	if g := p.Model("collage-4x4").Grid; g != 4 {
		t.Errorf("collage-4x4 grid %d", g)
	}
	if _, err := Builtin("nope"); err == nil || !strings.Contains(err.Error(), "paper-cloud") {
		t.Errorf("unknown builtin: %v", err)
	}
}

func TestProfileErrors(t *testing.T) {
	doc := "name = \"x\"\n[[models]]\nname = \"a\"\nrole = \"single\"\nlatency = \"exp:1s\"\n[[models]]\nname = \"b\"\nrole = \"collage\"\nlatency = \"exp:1s\"\naccuracy = 1.5\n"
	_, err := ParseProfile("p.toml", []byte(doc), ".")
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"p.toml:6: models[1].grid: a collage model needs its grid", "p.toml:10: models[1].accuracy: must be in [0, 1], got 1.5"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error\n%v\nlacks %q", err, want)
		}
	}
}

func TestLoadProfileBuiltin(t *testing.T) {
	p, err := LoadProfile("builtin:paper-cloud")
	if err != nil || p.Name != "paper-cloud" {
		t.Fatalf("%v %v", p, err)
	}
}
