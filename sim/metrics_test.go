package sim

import (
	"math"
	"testing"
)

// Offered load beyond capacity is reported as unstable, not run forever.
func TestOverloadUnstable(t *testing.T) {
	sc := queueScenario("exp10ms", 1, DispatchRoundRobin, 150)
	sc.Replications = 1
	sc.Stability.MaxOutstanding = 2000
	r := simulate(t, sc)[0]
	if !r.Unstable || r.UnstableNote == "" {
		t.Errorf("rho = 1.5 not reported unstable: %+v", r.Reps[0])
	}
}

// A run too short to reach the outstanding-request bound is still flagged
// when its queues take long to drain after arrivals stop.
func TestShortOverloadUnstable(t *testing.T) {
	sc := queueScenario("exp10ms", 1, DispatchRoundRobin, 130)
	sc.Replications, sc.Requests = 1, 3000
	if r := simulate(t, sc)[0]; !r.Unstable {
		t.Errorf("rho = 1.3 over 3000 requests not reported unstable")
	}
	sc.Arrivals.Rate = 80
	if r := simulate(t, sc)[0]; r.Unstable {
		t.Errorf("rho = 0.8 reported unstable: %s", r.UnstableNote)
	}
}

// An S-CNN pool past capacity makes the collage strategy unstable even
// though the collage answers every request in time.
func TestSaturatedPoolBehindCollageUnstable(t *testing.T) {
	sc := paperLike()
	sc.Strategies = sc.Strategies[4:5]
	sc.Arrivals.Rate = 1000 // 9 servers at 100/s each
	sc.Pools[3].Servers = 200
	sc.Replications, sc.Requests = 1, 20_000
	r := simulate(t, sc)[0]
	if !r.Unstable {
		t.Errorf("S-CNN pool at rho = 1.1 not reported unstable: %+v", r.Reps[0].Utilisation)
	}
}

// Effective accuracy is the answer-share-weighted accuracy of the sources:
// none answers at the S-CNN's 0.9; collage-first mixes 0.9 and the collage's
// 0.8 by its shares of answers.
func TestEffectiveAccuracy(t *testing.T) {
	sc := paperLike()
	sc.Replications = 10
	sc.Strategies = []StrategySpec{sc.Strategies[0], sc.Strategies[4]}
	res := simulate(t, sc)
	within(t, res[0], "none accuracy", res[0].Summary.Accuracy, 0.9)
	c := res[1].Summary
	want := 0.9*float64(c.Sources[SourceSingle].Mean) + 0.8*float64(c.Sources[SourceCollage].Mean)
	within(t, res[1], "collage accuracy", c.Accuracy, want)
	if !(float64(c.Sources[SourceCollage].Mean) > 0.05) {
		t.Errorf("collage answered only %v of requests; the test checks little", c.Sources[SourceCollage].Mean)
	}
	// A source with no measured accuracy makes the strategy's accuracy n/a.
	sc.Profile.Model("collage").Accuracy = math.NaN()
	if a := simulate(t, sc)[1].Summary.Accuracy.Mean; !math.IsNaN(float64(a)) {
		t.Errorf("collage accuracy %v with an unmeasured collage model, want n/a", a)
	}
}
