package scenarios

import (
	"errors"
	"strings"
	"testing"
)

func TestExpandProduct(t *testing.T) {
	_, meta, err := LoadBundled("capacity-sweep")
	if err != nil {
		t.Fatal(err)
	}
	pts, err := Expand(meta)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 9 {
		t.Fatalf("%d points, want 3 x 3", len(pts))
	}
	// Last key varies fastest.
	p := pts[1]
	if got := p.Params[0].String() + " " + p.Params[1].String(); got != `pools.scnn.servers=6 arrivals.rate="30/s"` {
		t.Errorf("point 1: %s", got)
	}
	if p.Scenario.Pools[0].Servers != 6 || p.Scenario.Arrivals.Rate != 30 {
		t.Errorf("point 1 not applied: servers %d rate %g", p.Scenario.Pools[0].Servers, p.Scenario.Arrivals.Rate)
	}
	if strings.Contains(p.Meta.Text, "[sweep]") || !strings.Contains(p.Meta.Text, "30/s") {
		t.Errorf("point text:\n%s", p.Meta.Text)
	}
	// The base scenario is untouched.
	if meta.doc["arrivals"].(map[string]any)["rate"] != "27/s" {
		t.Error("Expand changed the base document")
	}
}

func TestExpandZipAndPaths(t *testing.T) {
	doc := base + `
[[stragglers]]
kind = "bernoulli"
p = 0.1
slowdown = 2.0

[sweep]
mode = "zip"
"stragglers[0].p" = [0.0, 0.5]
"strategies.c.max_wait" = ["10ms", "20ms"]
"seed" = [1, 2]
`
	_, meta, err := Parse("t.toml", []byte(doc), ".")
	if err != nil {
		t.Fatal(err)
	}
	pts, err := Expand(meta)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 2 {
		t.Fatalf("%d points", len(pts))
	}
	sc := pts[1].Scenario
	if sc.Stragglers[0].P != 0.5 || sc.Strategies[1].MaxWait != 20e6 || sc.Seed != 2 {
		t.Errorf("point 1: p %g max_wait %d seed %d", sc.Stragglers[0].P, sc.Strategies[1].MaxWait, sc.Seed)
	}
}

func TestSweepErrors(t *testing.T) {
	for _, tc := range []struct{ sweep, want string }{
		{`"pools.scn.servers" = [1, 2]`, `t.toml:30: sweep."pools.scn.servers": no element named "scn" in pools`},
		{`"pools[5].servers" = [1]`, `index 5 out of range`},
		{`"arrivals.rate" = "1/s"`, `must be a non-empty array`},
		{"mode = \"zip\"\n\"seed\" = [1, 2]\n\"requests\" = [1]", `mode "zip" needs lists of equal length`},
		{`"pools" = [1]`, `array of tables`},
	} {
		doc := base + "\n[sweep]\n" + tc.sweep + "\n"
		_, _, err := Parse("t.toml", []byte(doc), ".")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("sweep %s: got %v, want %q", tc.sweep, err, tc.want)
		}
	}
	// A value out of range, a mistyped key and a value of the wrong type are
	// found when the file is read (every point is decoded), at the [sweep]
	// entry's line, not the base table's.
	for _, tc := range []struct{ sweep, want string }{
		{`"pools.scnn.servers" = [1, 0]`, `t.toml:31: sweep."pools.scnn.servers": pools[0].servers: must be >= 1, got 0`},
		{`"arrivals.rte" = ["1/s"]`, `t.toml:31: sweep."arrivals.rte": arrivals.rte: unknown key`},
		{`"pools.scnn.servers" = ["nine"]`, `t.toml:31: sweep."pools.scnn.servers": pools[0].servers: must be an integer`},
	} {
		doc := base + "\n[sweep]\nmode = \"product\"\n" + tc.sweep + "\n"
		_, _, err := Parse("t.toml", []byte(doc), ".")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("sweep %s: got %v, want %q", tc.sweep, err, tc.want)
		}
		if err != nil && strings.Count(err.Error(), "\n") > 0 {
			t.Errorf("sweep %s: one error expected, got %v", tc.sweep, err)
		}
	}
}

// A sweep whose points are each within MaxTotalRequests but together are not
// is refused at its [sweep] line; one shard of it is checked on its own.
func TestCheckSweepWork(t *testing.T) {
	// 4e9 requests x 2 strategies = 8e9 a point, 2.4e10 for the three.
	text := `name = "big"
requests = 4_000_000_000
profile = "builtin:paper-cloud"
[arrivals]
process = "poisson"
rate = "1000/s"
[[pools]]
name = "scnn"
model = "scnn"
servers = 9
[[strategies]]
name = "none"
kind = "none"
pools = { single = "scnn" }
[[strategies]]
name = "replicate"
kind = "replicate"
pools = { single = "scnn" }

[sweep]
seed = [1, 2, 3]
`
	_, meta, err := Parse("big.toml", []byte(text), "")
	if err != nil {
		t.Fatalf("each point is within the limits: %v", err)
	}
	pts, err := Expand(meta)
	if err != nil {
		t.Fatal(err)
	}
	shard := func(i, n int) []Point {
		var out []Point
		for _, p := range pts {
			if p.Index%n == i {
				out = append(out, p)
			}
		}
		return out
	}
	err = CheckSweepWork(meta, pts, 0, 0)
	for _, want := range []string{"big.toml:20: sweep: the sweep's 3 points together simulate 2.4e+10 requests",
		"above the limit of 1e+10 (MaxTotalRequests", "fewer points or fewer requests", "--shard i/n", "about 3 shards"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("whole sweep: got %v, want %q in it", err, want)
		}
	}
	var se *Error
	if !errors.As(err, &se) || se.Line != 20 || se.Path != "sweep" {
		t.Errorf("whole sweep: %#v, want an *Error at line 20, path sweep", err)
	}
	if err := CheckSweepWork(meta, shard(0, 3), 0, 3); err != nil {
		t.Errorf("shard 0/3 (8e9): %v", err)
	}
	err = CheckSweepWork(meta, shard(0, 2), 0, 2)
	if err == nil || !strings.Contains(err.Error(), "the 2 points of shard 0/2 together simulate 1.6e+10") || !strings.Contains(err.Error(), "more shards") {
		t.Errorf("shard 0/2 (1.6e10): got %v", err)
	}
}

// The bundled sweeps are far within the whole-sweep limit.
func TestBundledSweepWork(t *testing.T) {
	for _, b := range Bundled() {
		if b.Name == "trace-inorder" {
			continue // needs the samples file; it has no [sweep] table
		}
		_, meta, err := LoadBundled(b.Name)
		if err != nil {
			t.Fatal(err)
		}
		if meta.Sweep == nil {
			continue
		}
		pts, err := Expand(meta)
		if err != nil {
			t.Fatal(err)
		}
		total := 0.0
		for _, p := range pts {
			total += Work(p.Scenario)
		}
		t.Logf("%s: %d points, %.3g requests in all", b.Name, len(pts), total)
		if err := CheckSweepWork(meta, pts, 0, 0); err != nil || total > MaxTotalRequests/10 {
			t.Errorf("%s: %.3g requests in all: %v", b.Name, total, err)
		}
	}
}
