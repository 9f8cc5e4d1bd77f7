package sim

import (
	"fmt"
	"math"
	"strings"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram range: 1 us to 100 hours, 3 significant digits.
const (
	histLowest  = 1_000
	histHighest = 100 * 3600 * 1_000_000_000
	histDigits  = 3
)

func newHist() *hdr.Histogram { return hdr.New(histLowest, histHighest, histDigits) }

// newRun sets up one replication of strategy spec with replication seed seed.
func newRun(sc *Scenario, spec *StrategySpec, seed uint64) (*Run, error) {
	run := &Run{sc: sc, seed: seed, rng: newKeyed(), hist: newHist()}
	for i := range run.acc {
		run.acc[i] = math.NaN()
	}
	// The strategy's pools, in the scenario's order.
	for pi := range sc.Pools {
		ps := &sc.Pools[pi]
		if !usesPool(spec, ps.Name) {
			continue
		}
		m := sc.Profile.Model(ps.Model)
		if m == nil {
			var names []string
			for _, pm := range sc.Profile.Models {
				names = append(names, pm.Name)
			}
			return nil, fmt.Errorf("sim: pool %q: model %q is not in profile %q (it has: %s); use a profile with that model, or drop the strategies that use pool %q",
				ps.Name, ps.Model, sc.Profile.Name, strings.Join(names, ", "), ps.Name)
		}
		p := pool{spec: ps, model: m, first: int32(len(run.servers)), n: int32(ps.Servers), slots: max(1, ps.Slots)}
		pidx := int32(len(run.pools))
		run.pools = append(run.pools, p)
		for s := 0; s < ps.Servers; s++ {
			run.servers = append(run.servers, server{pool: pidx, index: int32(s)})
		}
	}
	run.setupStragglers()
	st, err := newStrategy(run, spec)
	if err != nil {
		return nil, err
	}
	run.strat = st
	run.arr = NewStream(seed, "arrivals")
	run.total = sc.Warmup + sc.Requests
	if sc.Requests <= 0 {
		run.total = -1
	}
	if sc.Arrivals.Process == ArrivalMMPP {
		run.mmppUntil = int64(sc.Arrivals.Hold.Sample(run.arr))
	}
	return run, nil
}

func usesPool(spec *StrategySpec, name string) bool {
	for _, v := range spec.Pools {
		if v == name {
			return true
		}
	}
	return false
}

func covers(list []string, name string) bool {
	if len(list) == 0 {
		return true
	}
	for _, v := range list {
		if v == name {
			return true
		}
	}
	return false
}

// setupStragglers gives every server the state of each straggler model that
// covers it. The state is keyed by (model index, pool name, server index), so
// a server has the same straggler history in every strategy that has it.
func (run *Run) setupStragglers() {
	for k := range run.sc.Stragglers {
		sp := &run.sc.Stragglers[k]
		for pi := range run.pools {
			p := &run.pools[pi]
			if !covers(sp.Pools, p.spec.Name) {
				continue
			}
			var slow map[int]bool
			if sp.Kind == StragglerSlowNodes {
				slow = pickSlow(run.seed, k, p.spec.Name, int(p.n), sp)
			}
			for s := int32(0); s < p.n; s++ {
				if len(sp.Servers) > 0 && !containsInt(sp.Servers, int(s)) {
					continue
				}
				srv := &run.servers[p.first+s]
				name := fmt.Sprintf("straggler/%d/%s/%d", k, p.spec.Name, s)
				st := stragglerState{spec: sp, index: k, factor: 1}
				switch sp.Kind {
				case StragglerSlowNodes:
					if slow[int(s)] {
						st.factor = sp.Slowdown
					}
				case StragglerMarkov:
					st.rng = NewStream(run.seed, name)
					// Start in the stationary distribution of the two states.
					ms, mn := sp.SlowFor.Mean(), sp.NormalFor.Mean()
					st.slow = st.rng.Float64() < ms/(ms+mn)
					hold := &sp.NormalFor
					if st.slow {
						hold = &sp.SlowFor
					}
					st.until = int64(hold.Sample(st.rng))
				case StragglerTrace:
					st.pos = NewStream(run.seed, name).IntN(len(sp.Latency.Values))
				case StragglerFailure:
					r := NewStream(run.seed, name)
					run.failRng = append(run.failRng, r)
					run.cal.push(int64(sp.FailAfter.Sample(r)), evFail, p.first+s, int64(len(run.failRng)-1))
					run.background++
					continue // failures act through events, not on service time
				}
				srv.strag = append(srv.strag, st)
			}
		}
	}
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// pickSlow chooses which servers of a pool a slow-nodes model slows down:
// Count (or Fraction) of the servers it covers (those listed, else all),
// at random.
func pickSlow(seed uint64, k int, poolName string, n int, sp *StragglerSpec) map[int]bool {
	cand := sp.Servers
	if len(cand) == 0 {
		cand = make([]int, n)
		for i := range cand {
			cand[i] = i
		}
	}
	count := sp.Count
	if sp.Fraction > 0 {
		count = int(math.Round(sp.Fraction * float64(len(cand))))
	}
	count = min(count, len(cand))
	perm := NewStream(seed, fmt.Sprintf("straggler/%d/%s/slow", k, poolName)).Perm(len(cand))
	out := make(map[int]bool, count)
	for _, i := range perm[:count] {
		out[cand[i]] = true
	}
	return out
}

// execute runs the replication to its end and returns its metrics.
func (run *Run) execute() Metrics {
	run.scheduleArrival(0)
	for run.cal.Len() > 0 && !run.stopped {
		if run.arrDone && run.outstanding == 0 {
			break
		}
		if run.cal.Len() == run.background {
			break // only failures and repairs are left: the rest never answers
		}
		e := run.cal.pop()
		if e.t < run.now {
			panic("sim: time went back")
		}
		run.now = e.t
		switch e.kind {
		case evArrival:
			run.arrive(e.b)
		case evReach:
			t := &run.tasks[e.a]
			if t.gen != uint32(e.b) {
				continue
			}
			if t.state == taskCancelled {
				run.freeTask(e.a)
				continue
			}
			avoid := run.avoidInFlight[e.a]
			delete(run.avoidInFlight, e.a)
			run.dispatch(e.a, avoid)
		case evFinish:
			t := &run.tasks[e.a]
			if t.state != taskRunning || finishTag(t) != e.b {
				continue
			}
			s := t.Server
			run.pools[t.Pool].busy += t.Busy
			run.removeRunning(&run.servers[s], e.a)
			if run.sc.Network.Kind != DistNone {
				t.state = taskAnswering
				d := run.Draw(&run.sc.Network, sidNetBack, t.key)
				run.cal.push(run.now+d, evResponse, e.a, int64(t.gen))
			} else {
				run.strat.Done(run, t)
				run.freeTask(e.a)
			}
			run.startNext(s)
		case evResponse:
			t := &run.tasks[e.a]
			if t.gen != uint32(e.b) {
				continue
			}
			run.strat.Done(run, t)
			run.freeTask(e.a)
		case evTimer:
			run.strat.Timer(run, e.a, e.b)
		case evFail:
			run.background--
			run.fail(e.a, int(e.b))
		case evRepair:
			run.background--
			run.repair(e.a, int(e.b))
		}
		if run.outstanding > run.sc.Stability.MaxOutstanding && run.sc.Stability.MaxOutstanding > 0 {
			run.unstable(fmt.Sprintf("%d requests in the system at %s, over the stability bound max_outstanding = %d: offered load exceeds capacity",
				run.outstanding, fmtNs(run.now), run.sc.Stability.MaxOutstanding))
		}
	}
	run.checkDrain()
	return run.finish()
}

// checkDrain flags a run whose queues were still long when arrivals stopped:
// draining them took more than a fifth of the time requests arrived. Short
// runs of an overloaded system end before the outstanding-request bound is
// reached; this catches them.
func (run *Run) checkDrain() {
	if run.m.Unstable || !run.arrDone || run.lastArrival <= 0 {
		return
	}
	if drain := run.now - run.lastArrival; drain > run.lastArrival/5 {
		run.m.Unstable = true
		run.m.UnstableNote = fmt.Sprintf("%d requests were waiting when arrivals stopped at %s; draining them took %s more: offered load exceeds capacity",
			run.backlog, fmtNs(run.lastArrival), fmtNs(drain))
	}
}

// scheduleArrival schedules the next batch at or after time t.
func (run *Run) scheduleArrival(t int64) {
	a := &run.sc.Arrivals
	var next int64
	first := run.issued == 0
	switch a.Process {
	case ArrivalTrace:
		if run.traceIndex >= len(a.Times) {
			run.arrDone = true
			run.backlog = run.outstanding
			return
		}
		next = a.Times[run.traceIndex]
		run.traceIndex++
	case ArrivalDeterministic:
		next = t + int64(float64(max(1, a.Batch))*1e9/a.Rate)
		if first {
			next = t
		}
	case ArrivalMMPP:
		next = t
		for {
			rate := a.Rate
			if run.mmppState == 1 {
				rate = a.Rate2
			}
			gap := math.Inf(1)
			if rate > 0 {
				gap = run.arr.ExpFloat64() * float64(max(1, a.Batch)) * 1e9 / rate
			}
			if float64(next)+gap < float64(run.mmppUntil) {
				next += int64(gap)
				break
			}
			// Memoryless: restart the clock at the switch.
			next = run.mmppUntil
			run.mmppState ^= 1
			hold := &a.Hold
			if run.mmppState == 1 {
				hold = &a.Hold2
			}
			run.mmppUntil += max(1, int64(hold.Sample(run.arr)))
		}
	default: // poisson
		next = t + int64(run.arr.ExpFloat64()*float64(max(1, a.Batch))*1e9/a.Rate)
	}
	if run.sc.Duration > 0 && next >= run.sc.Duration {
		run.arrDone = true
		run.backlog = run.outstanding
		return
	}
	run.cal.push(next, evArrival, 0, 0)
}

// arrive issues one batch of requests.
func (run *Run) arrive(int64) {
	b := max(1, run.sc.Arrivals.Batch)
	for k := 0; k < b; k++ {
		if run.total >= 0 && run.issued >= run.total {
			break
		}
		slot := alloc(&run.reqs, &run.freeReqs)
		id := run.issued
		run.issued++
		run.reqs[slot] = reqState{id: id, arrival: run.now, live: true}
		run.outstanding++
		run.strat.Arrive(run, Req{Slot: slot, ID: id})
	}
	run.lastArrival = run.now
	if run.total >= 0 && run.issued >= run.total {
		run.arrDone = true
		run.backlog = run.outstanding
		return
	}
	run.scheduleArrival(run.now)
}

// fail takes server s down: its running and queued tasks are lost, or go back
// through dispatch when the model says requeue.
func (run *Run) fail(s int32, fi int) {
	srv := &run.servers[s]
	sp := srv.failSpec(run)
	srv.down = true
	run.cal.push(run.now+max(1, int64(sp.RepairAfter.Sample(run.failRng[fi]))), evRepair, s, int64(fi))
	run.background++
	p := &run.pools[srv.pool]
	var victims []int32
	for _, i := range srv.running {
		p.busy += run.now - run.tasks[i].start
		victims = append(victims, i)
	}
	srv.running = srv.running[:0]
	for srv.queue.n > 0 {
		i := srv.queue.pop()
		if run.tasks[i].state == taskCancelled {
			run.freeTask(i)
			continue
		}
		run.queueDelta(p, -1)
		victims = append(victims, i)
	}
	srv.queued = 0
	for _, i := range victims {
		t := &run.tasks[i]
		if sp.Requeue {
			run.dispatch(i, []int32{s})
			continue
		}
		run.strat.Lost(run, t)
		run.freeTask(i)
	}
}

func (run *Run) repair(s int32, fi int) {
	srv := &run.servers[s]
	sp := srv.failSpec(run)
	srv.down = false
	run.cal.push(run.now+max(1, int64(sp.FailAfter.Sample(run.failRng[fi]))), evFail, s, int64(fi))
	run.background++
	run.startNext(s)
}

// failSpec returns the failure model that covers the server.
func (srv *server) failSpec(run *Run) *StragglerSpec {
	for k := range run.sc.Stragglers {
		sp := &run.sc.Stragglers[k]
		if sp.Kind == StragglerFailure && covers(sp.Pools, run.pools[srv.pool].spec.Name) &&
			(len(sp.Servers) == 0 || containsInt(sp.Servers, int(srv.index))) {
			return sp
		}
	}
	panic("sim: failure event on a server no failure model covers")
}

// finish closes the books: partial busy time of tasks still running, and the metrics.
func (run *Run) finish() Metrics {
	end := run.now
	for pi := range run.pools {
		p := &run.pools[pi]
		run.queueDelta(p, 0)
		for s := p.first; s < p.first+p.n; s++ {
			for _, i := range run.servers[s].running {
				p.busy += end - run.tasks[i].start
			}
		}
	}
	m := &run.m
	m.Seed = run.seed
	m.Requests = max(0, run.issued-run.sc.Warmup)
	m.Answered = run.n
	m.Failed = m.Requests - m.Answered
	m.Tasks = run.tasksRun
	m.Sources = make(map[string]int64, len(Sources))
	known := true
	var correct int64
	for i, name := range Sources {
		m.Sources[name] = run.answered[i]
		if run.answered[i] > 0 && math.IsNaN(run.acc[i]) {
			known = false
		}
		correct += run.correct[i]
	}
	m.Correct = correct
	m.Accuracy = Float(math.NaN())
	if known && run.n > 0 {
		m.Accuracy = Float(float64(correct) / float64(run.n))
	}
	nan := Float(math.NaN())
	m.MeanMs, m.StdMs, m.VarMs2, m.CV = nan, nan, nan, nan
	m.P50Ms, m.P90Ms, m.P95Ms, m.P99Ms, m.P999Ms, m.MaxMs = nan, nan, nan, nan, nan, nan
	if run.n > 0 {
		v := 0.0
		if run.n > 1 {
			v = run.m2 / float64(run.n-1)
		}
		m.MeanMs, m.VarMs2, m.StdMs = Float(run.mean), Float(v), Float(math.Sqrt(v))
		m.CV = Float(math.Sqrt(v) / run.mean)
		q := func(p float64) Float { return Float(float64(run.hist.ValueAtQuantile(p)) / 1e6) }
		m.P50Ms, m.P90Ms, m.P95Ms, m.P99Ms, m.P999Ms = q(50), q(90), q(95), q(99), q(99.9)
		m.MaxMs = Float(float64(run.hist.Max()) / 1e6)
	}
	m.SimulatedS = Float(float64(end) / 1e9)
	if m.Requests > 0 {
		m.LoadAmplification = Float(float64(run.tasksRun) / float64(run.issued))
	} else {
		m.LoadAmplification = nan
	}
	m.Utilisation = make(map[string]Float, len(run.pools))
	m.MeanQueue = make(map[string]Float, len(run.pools))
	m.MaxQueue = make(map[string]int64, len(run.pools))
	var busy, useful int64
	hours := float64(end) / 3600e9
	for pi := range run.pools {
		p := &run.pools[pi]
		name := p.spec.Name
		busy += p.busy
		useful += p.useful
		capacity := float64(end) * float64(int(p.n)*p.slots)
		m.Utilisation[name] = nan
		m.MeanQueue[name] = nan
		if end > 0 {
			m.Utilisation[name] = Float(float64(p.busy) / capacity)
			m.MeanQueue[name] = Float(p.qArea / float64(end))
		}
		mq := p.maxCentral
		for s := p.first; s < p.first+p.n; s++ {
			mq = max(mq, int64(run.servers[s].maxQ))
		}
		m.MaxQueue[name] = mq
		m.ServerHours += Float(float64(p.n) * hours)
		m.Cost += Float(float64(p.n) * hours * p.spec.PricePerHour)
	}
	run.checkSaturation()
	m.BusyS = Float(float64(busy) / 1e9)
	m.WastedWork = nan
	if busy > 0 {
		m.WastedWork = Float(1 - float64(min(useful, busy))/float64(busy))
	}
	return *m
}

// checkSaturation flags a run in which some pool was at or past capacity: its
// servers busy nearly all the time, or so much work still queued at the end
// that it would take more than a fifth of the run to serve. Such a pool's
// queue grows without bound even when another pool answers the requests (an
// overloaded S-CNN pool behind a collage), so its figures hold only for this
// run length.
func (run *Run) checkSaturation() {
	m := &run.m
	if m.Unstable || run.now <= 0 {
		return
	}
	for pi := range run.pools {
		p := &run.pools[pi]
		name := p.spec.Name
		if u := float64(m.Utilisation[name]); u > 0.98 {
			m.Unstable = true
			m.UnstableNote = fmt.Sprintf("pool %s was busy %.1f%% of the time: at or beyond capacity, its queues grow without bound", name, 100*u)
			return
		}
		// Work left: each server's queued tasks at the mean service time it
		// has seen (stragglers included); a central queue is shared.
		if p.spec.Dispatch == DispatchCentral {
			if p.started > 0 {
				work := float64(p.queued) * float64(p.busy) / float64(p.started) / float64(int(p.n)*p.slots)
				if work > float64(run.now)/5 {
					run.saturated(name, p.queued, work)
					return
				}
			}
			continue
		}
		for s := p.first; s < p.first+p.n; s++ {
			srv := &run.servers[s]
			if srv.queued == 0 || srv.started == 0 {
				continue
			}
			work := float64(srv.queued) * float64(srv.svc) / float64(srv.started) / float64(p.slots)
			if work > float64(run.now)/5 {
				run.saturated(fmt.Sprintf("%s (server %d)", name, srv.index), int64(srv.queued), work)
				return
			}
		}
	}
}

func (run *Run) saturated(where string, queued int64, work float64) {
	run.m.Unstable = true
	run.m.UnstableNote = fmt.Sprintf("pool %s still had %d tasks queued at the end (%s of work): offered load exceeds its capacity", where, queued, fmtNs(int64(work)))
}
