package scenarios

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/collagesim/collagesim/sim"
)

// base is a small valid scenario; tests break one line of it.
const base = `name = "t"
requests = 100
profile = "builtin:paper-cloud"

[arrivals]
rate = "60/s"

[[pools]]
name = "scnn"
model = "scnn"
servers = 9

[[pools]]
name = "collage"
model = "collage-3x3"
servers = 1

[[strategies]]
name = "none"
kind = "none"
pools = { single = "scnn" }

[[strategies]]
name = "c"
kind = "collage"
grid = 3
pools = { single = "scnn", collage = "collage" }
`

func TestParseBase(t *testing.T) {
	sc, meta, err := Parse("t.toml", []byte(base), ".")
	if err != nil {
		t.Fatal(err)
	}
	if sc.Seed != DefaultSeed || sc.Replications != 1 || sc.Arrivals.Batch != 1 || sc.Arrivals.Process != sim.ArrivalPoisson {
		t.Errorf("defaults not applied: %+v", sc)
	}
	if sc.Arrivals.Rate != 60 {
		t.Errorf("rate = %g, want 60", sc.Arrivals.Rate)
	}
	if sc.Pools[1].Slots != 1 || sc.Pools[1].Dispatch != sim.DispatchRoundRobin {
		t.Errorf("pool defaults: %+v", sc.Pools[1])
	}
	c := sc.Strategies[1]
	if c.MaxWait != 50e6 || c.Decoder != sim.DecoderFirst || c.Grid != 3 {
		t.Errorf("collage defaults: %+v", c)
	}
	if sc.Stability.MaxOutstanding != 100000 || sc.Stability.MaxLatency != 3600e9 {
		t.Errorf("stability defaults: %+v", sc.Stability)
	}
	if meta.Text != base || meta.Profile != "builtin:paper-cloud" {
		t.Errorf("meta: %+v", meta)
	}
}

// TestErrors breaks the base scenario and checks the message names the file,
// the line and the key path.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name, old, new string
		want           string // substring of the error
	}{
		{"typo key", "servers = 9", "sevrers = 9", "t.toml:11: pools[0].sevrers: unknown key `sevrers`; did you mean `servers`?"},
		{"negative rate", `rate = "60/s"`, `rate = "-5/s"`, "t.toml:6: arrivals.rate: must be a finite rate >= 0"},
		{"zero servers", "servers = 1", "servers = 0", "t.toml:16: pools[1].servers: must be >= 1, got 0"},
		{"unknown pool", `collage = "collage" }`, `collage = "colage" }`, `t.toml:27: strategies[1].pools.collage: no pool "colage"`},
		{"bad duration", "grid = 3", "grid = 3\nmax_wait = \"50\"", `t.toml:27: strategies[1].max_wait: duration "50" has no unit`},
		{"bare duration", "grid = 3", "grid = 3\nmax_wait = 50", `t.toml:27: strategies[1].max_wait: must be a duration string with a unit`},
		{"wrong type", "servers = 9", `servers = "9"`, `t.toml:11: pools[0].servers: must be an integer, got string "9"`},
		{"unknown model", `model = "collage-3x3"`, `model = "collage-3x4"`, `t.toml:15: pools[1].model: model "collage-3x4" is not in profile "paper-cloud"`},
		{"grid mismatch", "grid = 3", "grid = 2", `t.toml:26: strategies[1].grid: grid 2 does not match model "collage-3x3"`},
		{"grid range", "grid = 3", "grid = 5", `t.toml:26: strategies[1].grid: must be 2, 3 or 4, got 5`},
		{"role", `pools = { single = "scnn" }`, `pools = { single = "collage" }`, `t.toml:21: strategies[0].pools.single: pool "collage" runs model "collage-3x3" of role "collage"`},
		{"duplicate pool", `name = "collage"`, `name = "scnn"`, `t.toml:14: pools[1].name: pool "scnn" is defined twice`},
		{"no requests", "requests = 100", "", `t.toml: give `},
		{"bad process", "[arrivals]", "[arrivals]\nprocess = \"posson\"", `t.toml:6: arrivals.process: must be one of "poisson", "deterministic", "mmpp", "trace", got "posson"; did you mean "poisson"?`},
		{"not used", "grid = 3", "grid = 3\ncopies = 2", `t.toml:27: strategies[1].copies: not used by decoder "first"`},
		{"top typo", "requests = 100", "requests = 100\nreplicatons = 3", "t.toml:3: replicatons: unknown key `replicatons`; did you mean `replications`?"},
		{"rate unit", `rate = "60/s"`, `rate = "60/fortnight"`, `t.toml:6: arrivals.rate: bad rate unit "fortnight"`},
		{"dist table", `rate = "60/s"`, "rate = \"60/s\"\n[network]", "t.toml:7: network: distribution table needs `kind`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(base, tc.old) {
				t.Fatalf("base has no %q", tc.old)
			}
			doc := strings.Replace(base, tc.old, tc.new, 1)
			_, _, err := Parse("t.toml", []byte(doc), ".")
			if err == nil {
				t.Fatalf("no error for\n%s", doc)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error\n%v\ndoes not contain\n%s", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "scenarios: t.toml") {
				t.Errorf("error does not start with the package and file: %v", err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("error %T is not a *Error", err)
			}
		})
	}
}

func TestSyntaxError(t *testing.T) {
	doc := strings.Replace(base, "servers = 9", "servers = = 9", 1)
	_, _, err := Parse("t.toml", []byte(doc), ".")
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want a *SyntaxError", err)
	}
	if se.Line != 11 || !strings.HasPrefix(err.Error(), "scenarios: t.toml:11:") || !strings.Contains(err.Error(), "^") {
		t.Errorf("syntax error without line and caret:\n%v", err)
	}
}

func TestArrayTableLines(t *testing.T) {
	doc := `a = 1
[[pools]]
name = "x"
[[pools]]
name = "y"
servers = [
  1,
  2,
]
s = """
[[pools]]
fake = 1
"""
[pools.sub]
k = 1
[[strategies]]
pools = { single = "x" }
"sweep.key" = 3
`
	ix := indexLines(doc)
	for path, want := range map[string]int{
		"a": 1, "pools[0]": 2, "pools[0].name": 3, "pools[1].name": 5, "pools[1].servers": 6,
		"pools[1].s": 10, "pools[1].sub.k": 15, "strategies[0].pools.single": 17,
		`strategies[0]."sweep.key"`: 18, "pools[2]": 2, "nothing": 0,
	} {
		if got := ix.line(path); got != want {
			t.Errorf("line(%s) = %d, want %d", path, got, want)
		}
	}
}

func TestValues(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
	}{{"60/s", 60}, {"3600/h", 1}, {"1/ms", 1000}, {"120/min", 2}, {"1/us", 1e6}} {
		got, err := parseRate(tc.in)
		if err != nil || math.Abs(got-tc.want) > 1e-9*tc.want {
			t.Errorf("parseRate(%q) = %g, %v; want %g", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		in   string
		want int64
	}{{"250ms", 250e6}, {"2s", 2e9}, {"1m", 60e9}, {"1.5h", 5400e9}, {"500us", 500e3}, {"100ns", 100}, {"500µs", 500e3}} {
		got, err := parseDuration(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("parseDuration(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"250", "-1s", "1d", ""} {
		if _, err := parseDuration(bad); err == nil {
			t.Errorf("parseDuration(%q) did not fail", bad)
		}
	}
	p := &distParser{read: diskReader(".")}
	for _, tc := range []struct {
		in   string
		want sim.Dist
	}{
		{"250ms", sim.Dist{Kind: sim.DistConst, A: 250e6}},
		{"const:1s", sim.Dist{Kind: sim.DistConst, A: 1e9}},
		{"exp:2s", sim.Dist{Kind: sim.DistExponential, A: 2e9}},
		{"uniform:100ms, 200ms", sim.Dist{Kind: sim.DistUniform, A: 100e6, B: 200e6}},
		{"normal:100ms,10ms", sim.Dist{Kind: sim.DistNormal, A: 100e6, B: 10e6}},
		{"lognormal:100ms,0.5", sim.Dist{Kind: sim.DistLogNormal, A: 100e6, B: 0.5}},
		{"gamma:2,50ms", sim.Dist{Kind: sim.DistGamma, A: 2, B: 50e6}},
		{"weibull:1.5,100ms", sim.Dist{Kind: sim.DistWeibull, A: 1.5, B: 100e6}},
		{"pareto:100ms,2.5", sim.Dist{Kind: sim.DistPareto, A: 100e6, B: 2.5}},
	} {
		got, err := p.parse(tc.in)
		tc.want.Text = tc.in
		if err != nil || got.Kind != tc.want.Kind || got.A != tc.want.A || got.B != tc.want.B || got.Text != tc.in {
			t.Errorf("parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"exp:2", "exp", "lognormal:1s", "gama:2,1s", "uniform:2s,1s", "quantiles:", "samples:/nonexistent"} {
		if _, err := p.parse(bad); err == nil {
			t.Errorf("parse(%q) did not fail", bad)
		}
	}
	d, err := p.parse("builtin:paper-cloud")
	if err != nil || d.Kind != sim.DistQuantiles || len(d.Values) != 1001 {
		t.Fatalf("builtin:paper-cloud = %v (%d values), %v", d.Kind, len(d.Values), err)
	}
	// shared/data/README.md: min 83.6 ms, p50 138.2 ms, p99 702.4 ms, max 1039.1 ms.
	for _, q := range []struct{ p, ms float64 }{{0, 83.6}, {0.5, 138.2}, {0.99, 702.4}, {1, 1039.1}} {
		if got := d.Quantile(q.p) / 1e6; math.Abs(got-q.ms) > 0.1 {
			t.Errorf("paper-cloud quantile %g = %.2f ms, want %.1f", q.p, got, q.ms)
		}
	}
}

func TestQuantileResample(t *testing.T) {
	v, err := parseValues([]byte("quantile,latency_ms\n0,10\n0.5,20\n0.9,30\n1,40\n"), true)
	if err != nil {
		t.Fatal(err)
	}
	d := sim.Dist{Kind: sim.DistQuantiles, Values: v}
	for _, q := range []struct{ p, ms float64 }{{0, 10}, {0.25, 15}, {0.5, 20}, {0.7, 25}, {0.95, 35}, {1, 40}} {
		if got := d.Quantile(q.p) / 1e6; math.Abs(got-q.ms) > 1e-6 {
			t.Errorf("quantile %g = %g ms, want %g", q.p, got, q.ms)
		}
	}
}

func TestMissingVersusTypo(t *testing.T) {
	// A strategy without k, but with kind: k is reported missing.
	doc := strings.Replace(base, "grid = 3", "", 1)
	doc = strings.Replace(doc, `kind = "collage"`, `kind = "parity"`, 1)
	doc = strings.Replace(doc, `collage = "collage" }`, `parity = "collage" }`, 1)
	_, _, err := Parse("t.toml", []byte(doc), ".")
	if err == nil || !strings.Contains(err.Error(), "strategies[1].k: kind \"parity\" needs `k`") {
		t.Errorf("got %v", err)
	}
	// A misspelt required key is reported once, as a typo.
	_, _, err = Parse("t.toml", []byte(strings.Replace(base, "servers = 9", "server = 9", 1)), ".")
	if err == nil || strings.Contains(err.Error(), "needs its number of servers") || !strings.Contains(err.Error(), "did you mean `servers`?") {
		t.Errorf("got %v", err)
	}
}
