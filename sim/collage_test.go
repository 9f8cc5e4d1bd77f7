package sim

import (
	"math"
	"testing"
)

// Common random numbers: with no queueing, each request's S-CNN time is the
// same under none and collage, so collage-first is never slower per request,
// and it equals min(S-CNN, collage) in distribution: with both exponential
// (mean 10 ms) and coverage 1, exponential with mean 5 ms.
func TestCollageFirstIsMinOfDraws(t *testing.T) {
	sc := paperLike()
	noQueue(sc)
	sc.Profile.Model("collage").Coverage = 1
	none := map[int64]int64{}
	runOne(t, sc, 0, func(run *Run, r Req, arr int64, _ Source) { none[r.ID] = run.Now() - arr })
	worse := 0
	runOne(t, sc, 4, func(run *Run, r Req, arr int64, _ Source) {
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
	within(t, res, "collage-first mean (ms)", res.Summary.MeanMs, 5)
	within(t, res, "collage-first p99 (ms)", res.Summary.P99Ms, 5*-math.Log(0.01))
}

// The deadline decoder never answers later than max(deadline, first arrival
// of the S-CNN answer or a covered collage cell).
func TestDeadlineBound(t *testing.T) {
	sc := paperLike()
	sc.Stragglers = []StragglerSpec{{Kind: StragglerBernoulli, P: 0.1, Slowdown: 8}}
	const s = 5
	spec := &sc.Strategies[s]
	spec.Resend = false
	run, err := newRun(sc, spec, RepSeed(sc.Seed, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	first := map[int64]int64{}
	inner := run.strat.(*collageStrategy)
	run.strat = &spyStrategy{Strategy: inner, done: func(run *Run, tk *Task) {
		if tk.ForRequest() {
			if _, ok := first[tk.Req.ID]; !ok {
				first[tk.Req.ID] = run.Now()
			}
			return
		}
		if _, g := inner.gs.lookup(tk.Group); g != nil {
			for _, r := range g.cells {
				if _, ok := first[r.ID]; !ok && run.Covered(r.ID, inner.model.Coverage) {
					first[r.ID] = run.Now()
				}
			}
		}
	}}
	late, n := 0, 0
	run.onAnswer = func(r Req, arrival int64, src Source) {
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
