package sim

import (
	"fmt"
	"math"
)

// record counts the answer of counted request r after lat ns from source.
func (run *Run) record(r Req, lat int64, source Source) {
	run.answered[source]++
	if run.isCorrect(r.ID, source) {
		run.correct[source]++
	}
	run.n++
	run.moments.add(lat)
	run.lat.record(lat)
	if lat <= run.withinNs {
		run.within++
	}
	if run.progress != nil {
		if run.progressN++; run.progressN == ProgressStep {
			run.progress(ProgressStep)
			run.progressN = 0
		}
	}
	if lat > run.sc.Stability.MaxLatency && run.sc.Stability.MaxLatency > 0 {
		run.unstable(fmt.Sprintf("a request took %s, over the stability bound max_latency = %s",
			fmtNs(lat), fmtNs(run.sc.Stability.MaxLatency)))
	}
}

// isCorrect draws whether request id's answer from source is correct: the
// common-random-number draw of the request against the accuracy of the
// source's model (false when that accuracy is unknown).
func (run *Run) isCorrect(id int64, source Source) bool {
	acc := run.acc[source]
	return !math.IsNaN(acc) && run.drawCorrect(id, acc) // small enough to inline where answers are counted
}

// drawCorrect is isCorrect for a known accuracy acc.
func (run *Run) drawCorrect(id int64, acc float64) bool {
	return unit(keyIn(run.pCorrect, uint64(id), 0)) < acc
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
	m.Sources = make(map[string]int64, numSources)
	known := true
	var correct int64
	for s := range numSources {
		m.Sources[s.String()] = run.answered[s]
		if run.answered[s] > 0 && math.IsNaN(run.acc[s]) {
			known = false
		}
		correct += run.correct[s]
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
		mean, v := run.moments.meanVar(run.n)
		m.MeanMs, m.VarMs2, m.StdMs = Float(mean), Float(v), Float(math.Sqrt(v))
		m.CV = Float(math.Sqrt(v) / mean)
		q := run.lat.quantiles([]float64{0.50, 0.90, 0.95, 0.99, 0.999, 1})
		ms := func(i int) Float { return Float(float64(q[i]) / 1e6) }
		m.P50Ms, m.P90Ms, m.P95Ms, m.P99Ms, m.P999Ms, m.MaxMs = ms(0), ms(1), ms(2), ms(3), ms(4), ms(5)
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
			m.MeanQueue[name] = Float(p.qArea.ratio(end))
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
