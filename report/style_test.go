package report

import (
	"image/color"
	"slices"
	"strings"
	"testing"

	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sim"
)

// A strategy keeps its colour and marker by name: in two results files that
// list other strategies in another order, collage-3x3 looks the same.
func TestStyleByName(t *testing.T) {
	a := runFixture()
	b := runFixture()
	// The second "scenario" has collage-3x3 first and two strategies fewer.
	ss := b.Points[0].Strategies
	b.Points[0].Strategies = []sim.StrategyResult{ss[4], ss[0], ss[3]}
	ra, err := resolve(a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rb, err := resolve(b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"collage-3x3", "none", "parity"} {
		if ra.style(name).color != rb.style(name).color || ra.style(name).glyph != rb.style(name).glyph {
			t.Errorf("%s: %v in one scenario, %v in the other", name, ra.style(name), rb.style(name))
		}
	}
	// Unknown names: the same set in any order gives the same slots.
	names := []string{"zeta", "alpha-strategy", "my-collage", "x"}
	one := styleSlotsByName(names)
	slices.Reverse(names)
	two := styleSlotsByName(names)
	for n, k := range one {
		if two[n] != k {
			t.Errorf("%s: slot %d, then %d in another order", n, k, two[n])
		}
	}
}

// Every strategy name of the bundled scenarios has one colour in all of
// them, and no two strategies of one scenario share a colour.
func TestStyleBundledScenarios(t *testing.T) {
	colorOf := map[string]color.Color{}
	where := map[string]string{}
	for _, b := range scenarios.Bundled() {
		text, err := scenarios.BundledText(b.Name)
		if err != nil {
			t.Fatal(err)
		}
		names := strategyNames(string(text))
		if len(names) == 0 {
			t.Fatalf("%s: no strategies found", b.Name)
		}
		slots := styleSlotsByName(names)
		seen := map[color.Color]string{}
		for _, n := range names {
			c := styleOf(slots[n]).color
			if other, ok := seen[c]; ok {
				t.Errorf("%s: %s and %s share a colour", b.Name, n, other)
			}
			seen[c] = n
			if prev, ok := colorOf[n]; ok && prev != c {
				t.Errorf("%s has one colour in %s and another in %s", n, where[n], b.Name)
			}
			colorOf[n], where[n] = c, b.Name
		}
	}
	if len(colorOf) < 10 {
		t.Errorf("only %d strategy names in the bundled scenarios", len(colorOf))
	}
}

// strategyNames reads the names of a scenario's [[strategies]] tables.
func strategyNames(text string) []string {
	var names []string
	in := false
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "["):
			in = line == "[[strategies]]"
		case in && strings.HasPrefix(line, "name"):
			if _, v, ok := strings.Cut(line, "="); ok {
				v, _, _ = strings.Cut(v, "#")
				names = append(names, strings.Trim(strings.TrimSpace(v), `"`))
			}
		}
	}
	return names
}
