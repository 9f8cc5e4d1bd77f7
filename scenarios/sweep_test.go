package scenarios

import (
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
