package testbed

import (
	"testing"

	"github.com/collagesim/collagesim/sim"
)

type traceSink struct{ recs *[]sim.TraceRecord }

func (s traceSink) Answer(r sim.TraceRecord) { *s.recs = append(*s.recs, r) }
func (s traceSink) Close() error             { return nil }

// idleScenario: one server, arrivals 10 s apart, so every request is served
// at once and its latency is its service time.
func idleScenario(process string) *sim.Scenario {
	lat := sim.Dist{Kind: sim.DistLogNormal, A: 40e6, B: 0.4}
	return &sim.Scenario{
		Name: "idle", Seed: 11, Requests: 300, Replications: 1,
		Arrivals: sim.Arrivals{Process: process, Rate: 0.1, Batch: 1},
		Pools:    []sim.PoolSpec{{Name: "p", Model: "m", Servers: 1, Slots: 1}},
		Stragglers: []sim.StragglerSpec{
			{Kind: sim.StragglerBernoulli, P: 0.2, Slowdown: 3},
			{Kind: sim.StragglerBernoulli, P: 0.1, Extra: sim.Exponential(50e6)},
			{Kind: sim.StragglerEmpirical, Latency: sim.Dist{Kind: sim.DistUniform, A: 10e6, B: 60e6}},
			{Kind: sim.StragglerMarkov, SlowFor: sim.Exponential(20e9), NormalFor: sim.Exponential(60e9), Slowdown: 2},
			{Kind: sim.StragglerSlowNodes, Count: 1, Slowdown: 1.5},
		},
		Strategies: []sim.StrategySpec{{Name: "none", Kind: sim.StrategyNone, Pools: map[string]string{sim.PoolSingle: "p"}}},
		Profile:    &sim.Profile{Name: "t", Models: []sim.Model{{Name: "m", Role: sim.RoleSingle, Latency: lat}}},
	}
}

func simTrace(t *testing.T, sc *sim.Scenario) []sim.TraceRecord {
	t.Helper()
	var recs []sim.TraceRecord
	_, err := sim.SimulateWith(sc, sim.Options{Workers: 1, Trace: func(string, int) (sim.TraceSink, error) {
		return traceSink{&recs}, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != int(sc.Requests) {
		t.Fatalf("simulator answered %d of %d requests", len(recs), sc.Requests)
	}
	return recs
}

// A worker draws exactly the service time the simulator gives the same task
// (common random numbers), stragglers included.
func TestServiceMatchesSimulator(t *testing.T) {
	sc := idleScenario(sim.ArrivalDeterministic)
	seed := sim.RepSeed(sc.Seed, 0)
	d := sim.NewServiceDrawer(sc.Profile.Models[0].Latency, sc.Stragglers, "p", 1, 0)
	for _, r := range simTrace(t, sc) {
		if got := d.Draw(seed, sim.RequestKey(r.ID, 0), r.ArrivalNs); got != r.LatencyNs {
			t.Fatalf("request %d: worker draws %d ns, the simulator served it in %d ns (seed %d)", r.ID, got, r.LatencyNs, sc.Seed)
		}
	}
}

// The load generator issues request i at the simulator's arrival instant.
func TestArrivalsMatchSimulator(t *testing.T) {
	for _, process := range []string{sim.ArrivalPoisson, sim.ArrivalDeterministic} {
		sc := idleScenario(process)
		sc.Warmup = 5
		got := arrivalTimes(sc, sim.RepSeed(sc.Seed, 0), sc.Warmup+sc.Requests)
		if len(got) != int(sc.Warmup+sc.Requests) {
			t.Fatalf("%s: %d arrivals, want %d", process, len(got), sc.Warmup+sc.Requests)
		}
		for _, r := range simTrace(t, sc) {
			if got[r.ID] != r.ArrivalNs {
				t.Fatalf("%s: request %d arrives at %d ns, the simulator says %d ns", process, r.ID, got[r.ID], r.ArrivalNs)
			}
		}
	}
}
