package sim

import (
	"testing"
)

// Failures that lose work show up as failed requests for the strategy without
// redundancy, and the collage server's failure shows in its answers by source.
func TestFailuresVisible(t *testing.T) {
	sc := paperLike()
	sc.Requests = 5000
	sc.Stragglers = []StragglerSpec{{Kind: StragglerFailure, Pools: []string{"scnn", "collage"}, FailAfter: Exponential(1e9), RepairAfter: Exponential(500e6)}}
	res := simulate(t, sc)
	byName := map[string]StrategyResult{}
	for _, r := range res {
		byName[r.Name] = r
	}
	if f := byName["none"].Summary.Failed.Mean; !(f > 0) {
		t.Errorf("none under failures: %v failed requests, want some", f)
	}
	if f, g := byName["collage"].Summary.Failed.Mean, byName["none"].Summary.Failed.Mean; !(f < g) {
		t.Errorf("collage failed %v requests, not fewer than none (%v)", f, g)
	}
	sc.Stragglers = []StragglerSpec{{Kind: StragglerFailure, Pools: []string{"collage"}, FailAfter: Const(1), RepairAfter: Const(1e15)}}
	for _, r := range simulate(t, sc) {
		if r.Name == "collage" {
			if n := r.Reps[0].Sources[SourceCollage]; n != 0 {
				t.Errorf("collage server down all run, yet %d answers came from it", n)
			}
		}
	}
}
