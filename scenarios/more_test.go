package scenarios

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/collagesim/collagesim/sim"
)

func TestMergeAccuracy(t *testing.T) {
	// paper-cloud as written, before Builtin merges local-cpu's figures in.
	data, err := profileFiles.ReadFile("profiles/paper-cloud.toml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseProfile("builtin:paper-cloud", data, embedReader(profileFiles, "profiles"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Model("scnn").HasAccuracy() {
		t.Fatalf("paper-cloud.toml itself claims an accuracy")
	}
	local := &sim.Profile{Name: "local-cpu", Meta: sim.ProfileMeta{Hardware: "laptop"}, Models: []sim.Model{
		{Name: "scnn", Role: sim.RoleSingle, Accuracy: 0.9, Coverage: math.NaN()},
		{Name: "c3", Role: sim.RoleCollage, Grid: 3, Accuracy: 0.8, Coverage: 0.95},
	}}
	mergeAccuracy(p, local, "builtin:local-cpu")
	if m := p.Model("scnn"); m.Accuracy != 0.9 || !strings.Contains(m.Source, `model "scnn" of builtin:local-cpu (laptop)`) {
		t.Errorf("scnn: %g %q", m.Accuracy, m.Source)
	}
	if m := p.Model("collage-3x3"); m.Accuracy != 0.8 || m.Coverage != 0.95 {
		t.Errorf("collage-3x3 by role and grid: %g %g", m.Accuracy, m.Coverage)
	}
	if m := p.Model("collage-2x2"); m.HasAccuracy() {
		t.Errorf("collage-2x2 got accuracy %g from no model", m.Accuracy)
	}
}

// With the measured local-cpu profile built in, paper-cloud's accuracy comes
// from it, and says so.
func TestPaperCloudTakesLocalAccuracy(t *testing.T) {
	local, err := Builtin("local-cpu")
	if err != nil {
		t.Skip("no built-in local-cpu profile")
	}
	p, err := Builtin("paper-cloud")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"scnn", "collage-2x2", "collage-3x3", "collage-4x4", "parity", "parity-k2", "parity-k4"} {
		m, l := p.Model(name), local.Model(name)
		if l == nil || m.Accuracy != l.Accuracy || !strings.Contains(m.Source, "local-cpu") {
			t.Errorf("%s: accuracy %g, source %q; local-cpu has %v", name, m.Accuracy, m.Source, l)
		}
	}
}

func TestProfilePathAndInlineModels(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	prof := &sim.Profile{Name: "mine", Models: []sim.Model{
		{Name: "scnn", Role: sim.RoleSingle, Latency: sim.Const(1e6), Accuracy: 0.5, Coverage: math.NaN()},
		{Name: "c", Role: sim.RoleCollage, Grid: 3, Latency: sim.Const(2e6), Accuracy: math.NaN(), Coverage: math.NaN()},
	}}
	if err := WriteProfile(&buf, prof); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "p"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "p", "mine.toml"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "lat.txt"), []byte("# ms\n1\n2\n3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := `requests = 10
profile = "p/mine.toml"
[[models]]
name = "scnn"
role = "single"
latency = "samples:lat.txt"
[[models]]
name = "extra"
role = "single"
latency = "exp:1ms"
[arrivals]
rate = 5
[[pools]]
name = "a"
model = "extra"
servers = 1
[[pools]]
name = "b"
model = "scnn"
servers = 2
[[strategies]]
name = "x"
kind = "none"
pools = "b"
`
	path := filepath.Join(dir, "s.toml")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, meta, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "s" || meta.Profile != "p/mine.toml" {
		t.Errorf("name %q profile %q", sc.Name, meta.Profile)
	}
	m := sc.Profile.Model("scnn")
	if m.Latency.Kind != sim.DistSamples || len(m.Latency.Values) != 3 || m.Latency.Values[2] != 3e6 || m.HasAccuracy() {
		t.Errorf("inline scnn did not replace the profile's: %+v", m)
	}
	if sc.Profile.Model("extra") == nil || sc.Profile.Model("c") == nil || sc.Arrivals.Rate != 5 {
		t.Errorf("models %v, rate %g", modelList(sc.Profile), sc.Arrivals.Rate)
	}
	if sc.Strategies[0].Pools[sim.PoolSingle] != "b" {
		t.Errorf("pools shorthand: %v", sc.Strategies[0].Pools)
	}
	// A missing profile names the file and the key.
	bad := strings.Replace(doc, "p/mine.toml", "p/nope.toml", 1)
	_, _, err = Parse(path, []byte(bad), dir)
	if err == nil || !strings.Contains(err.Error(), "s.toml:2: profile: ") || !strings.Contains(err.Error(), "nope.toml") {
		t.Errorf("missing profile: %v", err)
	}
}

func TestArrivalsAndStragglers(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ts.txt"), []byte("100\n100.5\n102\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	head := `requests = 3
profile = "builtin:paper-cloud"
[[pools]]
name = "scnn"
model = "scnn"
servers = 4
[[strategies]]
name = "x"
kind = "none"
pools = { single = "scnn" }
`
	ok := []struct {
		body  string
		check func(*sim.Scenario) bool
	}{
		{"[arrivals]\nprocess = \"trace\"\nfile = \"ts.txt\"\nfile_unit = \"s\"\n", func(sc *sim.Scenario) bool {
			a := sc.Arrivals.Times
			return len(a) == 3 && a[0] == 0 && a[1] == 5e8 && a[2] == 2e9
		}},
		{"[arrivals]\nprocess = \"trace\"\nfile = \"ts.txt\"\nfile_format = \"intervals\"\n", func(sc *sim.Scenario) bool {
			return sc.Arrivals.Times[2] == 302.5e6
		}},
		{"[arrivals]\nprocess = \"mmpp\"\nrate = \"10/s\"\nrate2 = 0\nhold = \"exp:1s\"\nhold2 = \"exp:2s\"\n", func(sc *sim.Scenario) bool {
			return sc.Arrivals.Rate2 == 0 && sc.Arrivals.Hold2.A == 2e9
		}},
		{"[arrivals]\nrate = 1\n[[stragglers]]\nkind = \"slow-nodes\"\nfraction = 0.25\nslowdown = 3\n[[stragglers]]\nkind = \"bernoulli\"\np = 0.1\nextra = \"exp:100ms\"\nservers = [0, 3]\n[[stragglers]]\nkind = \"failure\"\nfail_after = \"exp:1h\"\nrepair_after = \"10s\"\non_failure = \"requeue\"\n", func(sc *sim.Scenario) bool {
			s := sc.Stragglers
			return s[0].Fraction == 0.25 && s[0].Slowdown == 3 && s[1].Extra.A == 1e8 && len(s[1].Servers) == 2 && s[2].Requeue
		}},
	}
	for _, tc := range ok {
		sc, _, err := Parse("a.toml", []byte(head+tc.body), dir)
		if err != nil {
			t.Errorf("%s: %v", tc.body, err)
			continue
		}
		if !tc.check(sc) {
			t.Errorf("%s: decoded %+v %+v", tc.body, sc.Arrivals, sc.Stragglers)
		}
	}
	bad := []struct{ body, want string }{
		{"[arrivals]\nprocess = \"trace\"\nfile = \"ts.txt\"\nrate = 5\n", "a.toml:14: arrivals.rate: not used by process \"trace\""},
		{"[arrivals]\nprocess = \"mmpp\"\nrate = \"10/s\"\n", "a.toml:11: arrivals.hold: process \"mmpp\" needs `hold`"},
		{"[arrivals]\nrate = 0\n", "a.toml:12: arrivals.rate: must be > 0"},
		{"[arrivals]\nrate = 1\n[[stragglers]]\nkind = \"bernoulli\"\np = 1.5\nslowdown = 2\n", "a.toml:15: stragglers[0].p: must be a probability in [0, 1], got 1.5"},
		{"[arrivals]\nrate = 1\n[[stragglers]]\nkind = \"markov\"\nslow_for = \"exp:1s\"\nslowdown = 2\npools = [\"scn\"]\n", "a.toml:13: stragglers[0].normal_for: kind \"markov\" needs `normal_for`"},
		{"[arrivals]\nrate = 1\n[[stragglers]]\nkind = \"markov\"\nslow_for = \"exp:1s\"\nnormal_for = \"exp:1s\"\nslowdown = 2\npools = [\"scn\"]\n", `a.toml:18: stragglers[0].pools[0]: no pool "scn" (pools: "scnn"); did you mean "scnn"?`},
		{"[arrivals]\nrate = 1\n[[stragglers]]\nkind = \"failure\"\nfail_after = \"exp:1h\"\nrepair_after = \"1s\"\np = 0.5\n", "a.toml:17: stragglers[0].p: not used by kind \"failure\""},
		{"[arrivals]\nrate = 1\n[[stragglers]]\nkind = \"slow-nodes\"\nslowdown = 2\nservers = [4]\ncount = 1\n", "a.toml:16: stragglers[0].servers[0]: server index 4 is out of range"},
		{"[arrivals]\nrate = 1\n[[stragglers]]\nkind = \"empirical\"\nlatency = \"quantiles:nope.csv\"\n", "a.toml:15: stragglers[0].latency: nope.csv not found"},
	}
	for _, tc := range bad {
		_, _, err := Parse("a.toml", []byte(head+tc.body), dir)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s:\n got %v\nwant %s", tc.body, err, tc.want)
		}
	}
}
