package sim

import (
	"encoding/json"
	"testing"
)

// Every request is answered or counted failed, under every strategy and
// under stragglers, failures (lost and re-queued work) and network delay.
func TestRequestsConserved(t *testing.T) {
	variants := map[string][]StragglerSpec{
		"plain":           nil,
		"markov":          {{Kind: StragglerMarkov, SlowFor: Exponential(200e6), NormalFor: Exponential(2e9), Slowdown: 5}},
		"failure-lose":    {{Kind: StragglerFailure, FailAfter: Exponential(2e9), RepairAfter: Exponential(300e6)}},
		"failure-requeue": {{Kind: StragglerFailure, FailAfter: Exponential(2e9), RepairAfter: Exponential(300e6), Requeue: true}},
		"collage-down":    {{Kind: StragglerFailure, Pools: []string{"collage"}, FailAfter: Const(1e9), RepairAfter: Const(1e12)}},
		"mixed": {
			{Kind: StragglerBernoulli, P: 0.05, Extra: Const(50e6)},
			{Kind: StragglerSlowNodes, Count: 2, Slowdown: 3},
			{Kind: StragglerEmpirical, Latency: Dist{Kind: DistQuantiles, Values: []float64{1e6, 5e6, 40e6}}},
			{Kind: StragglerTrace, Pools: []string{"scnn"}, Latency: Dist{Kind: DistSamples, Values: []float64{1e6, 2e6, 90e6, 3e6}}},
		},
	}
	for name, strag := range variants {
		sc := paperLike()
		sc.Stragglers = strag
		sc.Requests = 5000
		sc.Replications = 2
		if name == "mixed" {
			sc.Network = Exponential(1e6)
		}
		for _, r := range simulate(t, sc) {
			for _, m := range r.Reps {
				if m.Answered+m.Failed != m.Requests || m.Requests != sc.Requests {
					t.Errorf("%s/%s seed %d: answered %d + failed %d != issued %d (want %d)", name, r.Name, m.Seed, m.Answered, m.Failed, m.Requests, sc.Requests)
				}
				var bySource int64
				for _, n := range m.Sources {
					bySource += n
				}
				if bySource != m.Answered {
					t.Errorf("%s/%s: answers by source %d != answered %d", name, r.Name, bySource, m.Answered)
				}
				if m.Failed > 0 && name != "failure-lose" {
					t.Errorf("%s/%s: %d failed requests where none can be lost", name, r.Name, m.Failed)
				}
			}
		}
	}
}

// Same seed, same results, byte for byte, whatever the number of workers.
func TestDeterministic(t *testing.T) {
	sc := paperLike()
	sc.Requests = 4000
	sc.Stragglers = []StragglerSpec{{Kind: StragglerMarkov, SlowFor: Exponential(200e6), NormalFor: Exponential(2e9), Slowdown: 5}}
	enc := func(workers int) string {
		r, err := Simulate(sc, workers)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	a, b, c := enc(1), enc(4), enc(1)
	if a != b || a != c {
		t.Fatalf("seed %d: results differ between runs or worker counts; reproduce: go test ./sim -run '^TestDeterministic$' -count=1", sc.Seed)
	}
}
