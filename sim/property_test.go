package sim

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

var propSeed = flag.Uint64("prop.seed", 0, "run TestProperties on this one generator seed only")

// TestProperties runs random valid scenarios (every strategy kind, dispatch
// policy, arrival process and straggler model, network delay, failures) and
// checks the invariants that hold for any input: requests conserved,
// percentiles ordered, accuracy within [0, 1], no latency below the fastest
// possible answer, and the same seed giving the same bytes. A failure prints
// the generator seed and the command that reruns that one scenario.
func TestProperties(t *testing.T) {
	seeds := make([]uint64, 25)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	if *propSeed != 0 {
		seeds = []uint64{*propSeed}
	}
	for _, seed := range seeds {
		sc, floor := randomScenario(seed)
		repro := fmt.Sprintf("generator seed %d; reproduce: go test ./sim -run '^TestProperties$' -prop.seed %d -count=1 -v", seed, seed)
		res, err := Simulate(sc, 1)
		if err != nil {
			t.Fatalf("%s: %v", repro, err)
		}
		again, err := Simulate(sc, 3)
		if err != nil {
			t.Fatalf("%s: %v", repro, err)
		}
		a, _ := json.Marshal(res)
		b, _ := json.Marshal(again)
		if string(a) != string(b) {
			t.Errorf("%s: results differ between two runs of the same seed (1 and 3 workers)", repro)
		}
		lossy := false
		for _, sp := range sc.Stragglers {
			lossy = lossy || (sp.Kind == StragglerFailure && !sp.Requeue)
		}
		for _, r := range res {
			for _, m := range r.Reps {
				checkInvariants(t, repro+", strategy "+r.Name, sc, m, lossy, floor)
			}
			for i := 1; i < len(r.CDF); i++ {
				if r.CDF[i].Ms < r.CDF[i-1].Ms {
					t.Errorf("%s, strategy %s: CDF decreases at p = %g: %g < %g ms", repro, r.Name, r.CDF[i].P, r.CDF[i].Ms, r.CDF[i-1].Ms)
					break
				}
			}
			if len(r.CDF) > 0 && r.CDF[0].Ms*1e6 < floor {
				t.Errorf("%s, strategy %s: fastest answer %g ms, below the fastest possible %g ms", repro, r.Name, r.CDF[0].Ms, floor/1e6)
			}
		}
	}
}

func checkInvariants(t *testing.T, where string, sc *Scenario, m Metrics, lossy bool, floor float64) {
	t.Helper()
	var bySource int64
	for _, n := range m.Sources {
		bySource += n
	}
	switch {
	case m.Answered+m.Failed != m.Requests || m.Answered < 0 || m.Failed < 0:
		t.Errorf("%s: answered %d + failed %d != requests %d", where, m.Answered, m.Failed, m.Requests)
	case bySource != m.Answered:
		t.Errorf("%s: answers by source %d != answered %d", where, bySource, m.Answered)
	case !m.Unstable && sc.Requests > 0 && m.Requests != sc.Requests:
		t.Errorf("%s: %d requests counted, the scenario asks for %d", where, m.Requests, sc.Requests)
	case !m.Unstable && !lossy && m.Failed != 0:
		t.Errorf("%s: %d requests failed with no failure model that loses work", where, m.Failed)
	}
	if m.Answered == 0 {
		return
	}
	ps := []Float{m.P50Ms, m.P90Ms, m.P95Ms, m.P99Ms, m.P999Ms, m.MaxMs}
	for i := 1; i < len(ps); i++ {
		if !(ps[i-1] <= ps[i]) {
			t.Errorf("%s: percentiles out of order: p50..p99.9, max = %v", where, ps)
			break
		}
	}
	if !(m.MeanMs <= m.MaxMs) || !(float64(m.MeanMs)*1e6 >= floor) || !(float64(m.P50Ms)*1e6 >= floor) {
		t.Errorf("%s: mean %v ms, p50 %v ms, max %v ms, fastest possible %g ms", where, m.MeanMs, m.P50Ms, m.MaxMs, floor/1e6)
	}
	if a := float64(m.Accuracy); !(a >= 0 && a <= 1) {
		t.Errorf("%s: accuracy %v outside [0, 1]", where, a)
	}
	if w := float64(m.WastedWork); !math.IsNaN(w) && !(w >= 0 && w <= 1) {
		t.Errorf("%s: wasted work %v outside [0, 1]", where, w)
	}
}

// randomScenario builds a valid scenario from seed, and the least latency
// any answer can have: no service time is shorter than its model's minimum
// (straggler models only add to it), and every answer waits for at least one
// service.
func randomScenario(seed uint64) (*Scenario, float64) {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	between := func(lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }
	latency := func() Dist {
		base := between(2e6, 20e6)
		switch r.IntN(5) {
		case 0:
			return Const(base)
		case 1:
			return Dist{Kind: DistUniform, A: base / 2, B: base * 2}
		case 2:
			return Dist{Kind: DistPareto, A: base / 2, B: between(1.5, 4)}
		case 3:
			return Dist{Kind: DistQuantiles, Values: []float64{base / 3, base, base * 1.5, base * 6}}
		}
		return Exponential(base)
	}
	grid := 2 + r.IntN(2)
	k := 2 + r.IntN(8)
	models := []Model{
		{Name: "scnn", Role: RoleSingle, Latency: latency(), Accuracy: between(0.5, 1), Coverage: math.NaN()},
		{Name: "collage", Role: RoleCollage, Grid: grid, Latency: latency(), Accuracy: between(0.3, 1), Coverage: between(0.5, 1), Encode: Dist{Kind: DistUniform, A: 0, B: 1e6}},
		{Name: "parity", Role: RoleParity, Grid: k, Latency: latency(), Accuracy: between(0.1, 1), Coverage: math.NaN(), Decode: Const(between(0, 2e6))},
	}
	floor := math.Inf(1)
	for i := range models {
		floor = min(floor, models[i].Latency.Quantile(0))
	}
	floor = math.Floor(max(1, floor))

	servers := 2 + r.IntN(10)
	slots := 1 + r.IntN(2)
	dispatch := pick(DispatchRoundRobin, DispatchRandom, DispatchLeastOutstanding, DispatchPowerOfTwo, DispatchCentral)
	pools := []PoolSpec{
		{Name: "scnn", Model: "scnn", Servers: servers, Slots: slots, Dispatch: dispatch, PricePerHour: 1},
		{Name: "backup", Model: "scnn", Servers: 1 + r.IntN(2), PricePerHour: 1},
		{Name: "collage", Model: "collage", Servers: 1 + r.IntN(2), PricePerHour: 1},
		{Name: "parity", Model: "parity", Servers: 1 + r.IntN(2), PricePerHour: 1},
	}
	// A load of 10 to 60 % of the S-CNN pool (collage and parity pools get
	// one task per group on fewer servers, and may be busier).
	rate := between(0.1, 0.6) * float64(servers*slots) / (models[0].Latency.Mean() / 1e9)
	arr := Arrivals{Process: pick(ArrivalPoisson, ArrivalDeterministic, ArrivalMMPP), Rate: rate, Batch: 1 + r.IntN(4)}
	if arr.Process == ArrivalMMPP {
		arr.Rate2, arr.Hold, arr.Hold2 = rate/4, Exponential(200e6), Exponential(100e6)
	}
	var strag []StragglerSpec
	for _, kind := range []string{StragglerBernoulli, StragglerSlowNodes, StragglerMarkov, StragglerFailure, StragglerEmpirical} {
		if r.IntN(3) > 0 {
			continue
		}
		sp := StragglerSpec{Kind: kind}
		switch kind {
		case StragglerBernoulli:
			sp.P, sp.Extra = between(0, 0.2), Exponential(between(1e6, 50e6))
		case StragglerSlowNodes:
			sp.Count, sp.Slowdown = 1, between(1, 5)
		case StragglerMarkov:
			sp.SlowFor, sp.NormalFor, sp.Slowdown = Exponential(100e6), Exponential(1e9), between(1, 5)
		case StragglerFailure:
			sp.FailAfter, sp.RepairAfter, sp.Requeue = Exponential(2e9), Exponential(200e6), r.IntN(2) == 0
		case StragglerEmpirical:
			sp.Latency = Dist{Kind: DistSamples, Values: []float64{1e6, 3e6, between(5e6, 60e6)}}
		}
		strag = append(strag, sp)
	}
	var network Dist
	if r.IntN(2) == 0 {
		network = Exponential(between(0.1e6, 1e6))
	}
	strategies := []StrategySpec{
		{Name: "none", Kind: StrategyNone, Pools: map[string]string{PoolSingle: "scnn"}},
		{Name: "replicate", Kind: StrategyReplicate, Copies: 2 + r.IntN(min(servers-1, 10)), Cancel: r.IntN(2) == 0, CancelRunning: r.IntN(2) == 0, Pools: map[string]string{PoolSingle: "scnn"}},
		{Name: "hedge", Kind: StrategyHedge, HedgeQuantile: between(0.5, 0.99), Cancel: r.IntN(2) == 0, Pools: map[string]string{PoolSingle: "scnn", PoolBackup: "backup"}},
		{Name: "collage", Kind: StrategyCollage, Grid: grid, MaxWait: int64(between(1e6, 50e6)), Decoder: pick(DecoderFirst, DecoderDeadline), Deadline: int64(between(5e6, 60e6)), Resend: r.IntN(2) == 0,
			Pools: map[string]string{PoolSingle: "scnn", PoolCollage: "collage"}},
		{Name: "parity", Kind: StrategyParity, K: k, MaxWait: int64(between(1e6, 50e6)), Pools: map[string]string{PoolSingle: "scnn", PoolParity: "parity"}},
	}
	sc := &Scenario{
		Name: fmt.Sprintf("random-%d", seed), Seed: seed, Requests: int64(200 + r.IntN(800)), Warmup: int64(r.IntN(100)), Replications: 1 + r.IntN(2),
		Arrivals: arr, Pools: pools, Stragglers: strag, Strategies: strategies, Network: network,
		Profile:   &Profile{Name: "random", Models: models},
		Stability: Stability{MaxOutstanding: 100_000, MaxLatency: 3600e9},
	}
	if r.IntN(3) == 0 {
		sc.NetworkShared = Exponential(between(0.1e6, 2e6))
	}
	return sc, floor
}
