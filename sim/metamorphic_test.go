package sim

import (
	"encoding/json"
	"testing"
)

// Adding a component that does nothing (a straggler model that never
// slows a task, a pool nobody uses, another strategy) leaves every other
// strategy's results byte-identical: random streams are named by what
// they are for, never by a position in a list.
func TestAddingComponentShiftsNothing(t *testing.T) {
	base := func() *Scenario {
		sc := paperLike()
		sc.Requests, sc.Replications = 3000, 2
		sc.Network = Exponential(1e6)
		sc.Stragglers = []StragglerSpec{
			{Kind: StragglerMarkov, SlowFor: Exponential(200e6), NormalFor: Exponential(2e9), Slowdown: 5},
			{Kind: StragglerBernoulli, P: 0.05, Extra: Exponential(50e6)},
			{Kind: StragglerSlowNodes, Count: 2, Slowdown: 3},
			{Kind: StragglerEmpirical, Pools: []string{"scnn"}, Latency: Dist{Kind: DistQuantiles, Values: []float64{1e6, 5e6, 40e6}}},
		}
		return sc
	}
	encode := func(sc *Scenario) map[string]string {
		res, err := Simulate(sc, 0)
		if err != nil {
			t.Fatalf("seed %d: %v", sc.Seed, err)
		}
		out := map[string]string{}
		for _, r := range res {
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			out[r.Name] = string(b)
		}
		return out
	}
	want := encode(base())
	noop := []StragglerSpec{
		{Kind: StragglerBernoulli, P: 0, Slowdown: 10},
		{Kind: StragglerMarkov, SlowFor: Exponential(1e9), NormalFor: Exponential(1e9), Slowdown: 1},
	}
	variants := map[string]func(sc *Scenario){
		"no-op stragglers first": func(sc *Scenario) { sc.Stragglers = append(append([]StragglerSpec{}, noop...), sc.Stragglers...) },
		"no-op straggler between": func(sc *Scenario) {
			sc.Stragglers = append(sc.Stragglers[:2:2], append([]StragglerSpec{noop[0]}, sc.Stragglers[2:]...)...)
		},
		"unused pool first": func(sc *Scenario) {
			sc.Pools = append([]PoolSpec{{Name: "idle", Model: "exp10ms", Servers: 7}}, sc.Pools...)
		},
		"strategy first": func(sc *Scenario) {
			sc.Strategies = append([]StrategySpec{{Name: "extra", Kind: StrategyReplicate, Copies: 3, Pools: map[string]string{PoolSingle: "scnn"}}}, sc.Strategies...)
		},
	}
	for name, edit := range variants {
		sc := base()
		edit(sc)
		got := encode(sc)
		for s, w := range want {
			if got[s] != w {
				t.Errorf("%s: strategy %s's results changed (seed %d); reproduce: go test ./sim -run '^TestAddingComponentShiftsNothing$' -count=1", name, s, sc.Seed)
			}
		}
	}
}
