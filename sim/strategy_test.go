package sim

import (
	"encoding/json"
	"math"
	"testing"
)

// paperLike is 9 S-CNN servers with a collage, a parity and a backup pool,
// and one strategy of each kind.
func paperLike() *Scenario {
	sc := &Scenario{
		Name: "paperlike", Seed: 3, Requests: 20_000, Warmup: 900, Replications: 3,
		Arrivals: Arrivals{Process: ArrivalPoisson, Rate: 300, Batch: 9},
		Pools: []PoolSpec{
			{Name: "scnn", Model: "exp10ms", Servers: 9, PricePerHour: 1},
			{Name: "scnn18", Model: "exp10ms", Servers: 18, PricePerHour: 1},
			{Name: "backup", Model: "exp10ms", Servers: 1, PricePerHour: 1},
			{Name: "collage", Model: "collage", Servers: 1, PricePerHour: 1},
			{Name: "parity", Model: "parity", Servers: 1, PricePerHour: 1},
		},
		Strategies: []StrategySpec{
			{Name: "none", Kind: StrategyNone, Pools: map[string]string{PoolSingle: "scnn"}},
			{Name: "rep", Kind: StrategyReplicate, Copies: 2, Cancel: true, CancelRunning: true, Pools: map[string]string{PoolSingle: "scnn18"}},
			{Name: "hedge", Kind: StrategyHedge, HedgeQuantile: 0.95, Cancel: true, Pools: map[string]string{PoolSingle: "scnn", PoolBackup: "backup"}},
			{Name: "parity", Kind: StrategyParity, K: 9, MaxWait: 20e6, Pools: map[string]string{PoolSingle: "scnn", PoolParity: "parity"}},
			{Name: "collage", Kind: StrategyCollage, Grid: 3, MaxWait: 20e6, Decoder: DecoderFirst, Pools: map[string]string{PoolSingle: "scnn", PoolCollage: "collage"}},
			{Name: "deadline", Kind: StrategyCollage, Grid: 3, MaxWait: 20e6, Decoder: DecoderDeadline, Deadline: 30e6, Resend: true, Pools: map[string]string{PoolSingle: "scnn", PoolCollage: "collage"}},
		},
		Profile:   testProfile(),
		Stability: Stability{MaxOutstanding: 100_000, MaxLatency: 3600e9},
	}
	return sc
}

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
		t.Fatalf("seed %d: results differ between runs or worker counts", sc.Seed)
	}
}

// runOne runs one replication of strategy s with answer hooks.
func runOne(t *testing.T, sc *Scenario, s int, on func(run *Run, r Req, arrival int64, src int)) Metrics {
	t.Helper()
	run, err := newRun(sc, &sc.Strategies[s], RepSeed(sc.Seed, 0))
	if err != nil {
		t.Fatal(err)
	}
	if on != nil {
		run.onAnswer = func(r Req, arrival int64, src int) { on(run, r, arrival, src) }
	}
	return run.execute()
}

// noQueue makes every pool large enough that no task waits.
func noQueue(sc *Scenario) {
	for i := range sc.Pools {
		sc.Pools[i].Servers = 400
	}
	sc.Arrivals.Rate = 90
}

// Common random numbers: with no queueing, each request's S-CNN time is the
// same under none and collage, so collage-first is never slower per request,
// and it equals min(S-CNN, collage) in distribution: with both exponential
// (mean 10 ms) and coverage 1, exponential with mean 5 ms.
func TestCollageFirstIsMinOfDraws(t *testing.T) {
	sc := paperLike()
	noQueue(sc)
	sc.Profile.Model("collage").Coverage = 1
	none := map[int64]int64{}
	runOne(t, sc, 0, func(run *Run, r Req, arr int64, _ int) { none[r.ID] = run.Now() - arr })
	worse := 0
	runOne(t, sc, 4, func(run *Run, r Req, arr int64, _ int) {
		if run.Now()-arr > none[r.ID] {
			worse++
		}
	})
	if worse > 0 {
		t.Errorf("seed %d: collage-first slower than none for %d requests with common random numbers", sc.Seed, worse)
	}
	sc.Replications = 20
	sc.Strategies = sc.Strategies[4:5]
	res := simulate(t, sc)[0]
	within(t, "collage-first mean (ms)", res.Summary.MeanMs, 5)
	within(t, "collage-first p99 (ms)", res.Summary.P99Ms, 5*-math.Log(0.01))
}

// The deadline decoder never answers later than max(deadline, first arrival
// of the S-CNN answer or a covered collage cell).
func TestDeadlineBound(t *testing.T) {
	sc := paperLike()
	sc.Stragglers = []StragglerSpec{{Kind: StragglerBernoulli, P: 0.1, Slowdown: 8}}
	const s = 5
	spec := &sc.Strategies[s]
	spec.Resend = false
	run, err := newRun(sc, spec, RepSeed(sc.Seed, 0))
	if err != nil {
		t.Fatal(err)
	}
	first := map[int64]int64{}
	inner := run.strat.(*collageStrategy)
	run.strat = &spyStrategy{Strategy: inner, done: func(run *Run, tk *Task) {
		if tk.Tag >= 0 {
			if _, ok := first[tk.Owner]; !ok {
				first[tk.Owner] = run.Now()
			}
			return
		}
		if _, g := inner.gs.lookup(tk.Owner); g != nil {
			for _, r := range g.cells {
				if _, ok := first[r.ID]; !ok && run.Covered(r.ID, inner.model.Coverage) {
					first[r.ID] = run.Now()
				}
			}
		}
	}}
	late, n := 0, 0
	run.onAnswer = func(r Req, arrival int64, src int) {
		n++
		bound := max(arrival+spec.Deadline, first[r.ID])
		if run.Now() > bound {
			late++
		}
	}
	m := run.execute()
	if late > 0 || n == 0 {
		t.Errorf("seed %d: %d of %d answers later than max(deadline, first arrival)", sc.Seed, late, n)
	}
	if m.Sources[SourceCollage] == 0 {
		t.Errorf("deadline decoder used no collage answer under 10%% stragglers; the test checks nothing")
	}
}

// spyStrategy sees every answer before the strategy does.
type spyStrategy struct {
	Strategy
	done func(*Run, *Task)
}

func (s *spyStrategy) Done(run *Run, t *Task) {
	s.done(run, t)
	s.Strategy.Done(run, t)
}

// A group closed by max_wait, not full, still answers all its requests: here
// the S-CNN never answers within the run's patience, so only the collage can.
func TestCollageGroupTimeout(t *testing.T) {
	sc := paperLike()
	sc.Arrivals = Arrivals{Process: ArrivalPoisson, Rate: 5, Batch: 1} // groups never fill in 20 ms
	sc.Requests = 500
	sc.Profile.Model("exp10ms").Latency = Const(3600e9)
	sc.Profile.Model("collage").Coverage = 1
	sc.Pools[0].Servers = 1000
	sc.Pools[3].Servers = 50
	m := runOne(t, sc, 4, nil)
	if m.Answered != m.Requests || m.Sources[SourceCollage] != m.Answered {
		t.Errorf("seed %d: %d of %d answered, %d by collage: partial groups lost requests", sc.Seed, m.Answered, m.Requests, m.Sources[SourceCollage])
	}
	if m.MaxMs > 20+10*12 {
		t.Errorf("max latency %v ms: a partial group waited past max_wait", m.MaxMs)
	}
}

// Parity reconstructs only data answers still missing, and only once k of the
// k+1 answers of its group are in.
func TestParityReconstructsOnlyMissingData(t *testing.T) {
	sc := paperLike()
	sc.Stragglers = []StragglerSpec{{Kind: StragglerBernoulli, Pools: []string{"scnn"}, P: 0.1, Slowdown: 10}}
	const s = 3
	run, err := newRun(sc, &sc.Strategies[s], RepSeed(sc.Seed, 0))
	if err != nil {
		t.Fatal(err)
	}
	scnnIn := map[int64]bool{}
	inner := run.strat.(*parityStrategy)
	run.strat = &spyStrategy{Strategy: inner, done: func(run *Run, tk *Task) {
		if tk.Tag >= 0 {
			scnnIn[tk.Owner] = true
		}
	}}
	bad := 0
	run.onAnswer = func(r Req, _ int64, src int) {
		if src == srcParity && scnnIn[r.ID] {
			bad++
		}
	}
	m := run.execute()
	if bad > 0 {
		t.Errorf("seed %d: %d parity answers for requests whose S-CNN answer was in", sc.Seed, bad)
	}
	if m.Sources[SourceParity] == 0 {
		t.Errorf("no parity reconstruction at all under 10%% stragglers; the test checks nothing")
	}
	if m.Answered != m.Requests {
		t.Errorf("answered %d of %d", m.Answered, m.Requests)
	}
}

// With cancel_running, once a request is answered no other copy answers.
func TestCancelledCopyNeverAnswers(t *testing.T) {
	sc := paperLike()
	sc.Stragglers = []StragglerSpec{{Kind: StragglerBernoulli, P: 0.2, Slowdown: 5}}
	for _, s := range []int{1, 2} {
		sc.Strategies[s].CancelRunning = true
		run, err := newRun(sc, &sc.Strategies[s], RepSeed(sc.Seed, 0))
		if err != nil {
			t.Fatal(err)
		}
		stale := 0
		run.strat = &spyStrategy{Strategy: run.strat, done: func(run *Run, tk *Task) {
			if !run.Live(Req{tk.Slot, tk.Owner}) {
				stale++
			}
		}}
		m := run.execute()
		if stale > 0 {
			t.Errorf("%s seed %d: %d answers from copies that were cancelled", sc.Strategies[s].Name, sc.Seed, stale)
		}
		if m.LoadAmplification <= 1 {
			t.Errorf("%s: load amplification %v, want > 1", sc.Strategies[s].Name, m.LoadAmplification)
		}
	}
}

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
	within(t, "none accuracy", res[0].Summary.Accuracy, 0.9)
	c := res[1].Summary
	want := 0.9*float64(c.Sources[SourceSingle].Mean) + 0.8*float64(c.Sources[SourceCollage].Mean)
	within(t, "collage accuracy", c.Accuracy, want)
	if !(float64(c.Sources[SourceCollage].Mean) > 0.05) {
		t.Errorf("collage answered only %v of requests; the test checks little", c.Sources[SourceCollage].Mean)
	}
	// A source with no measured accuracy makes the strategy's accuracy n/a.
	sc.Profile.Model("collage").Accuracy = math.NaN()
	if a := simulate(t, sc)[1].Summary.Accuracy.Mean; !math.IsNaN(float64(a)) {
		t.Errorf("collage accuracy %v with an unmeasured collage model, want n/a", a)
	}
}
