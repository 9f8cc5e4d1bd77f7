package sim

import "math"

// scheduleArrival schedules the next batch at or after time t.
func (run *Run) scheduleArrival(t int64) {
	if next, ok := run.nextArrival(t); ok {
		run.cal.push(next, event{kind: evArrival})
	}
}

// nextArrival draws the time of the next batch at or after time t; false
// when arrivals have stopped (stopArrivals was called).
func (run *Run) nextArrival(t int64) (int64, bool) {
	a := &run.sc.Arrivals
	var next int64
	first := run.issued == 0
	switch a.Process {
	case ArrivalTrace:
		if run.traceIndex >= len(a.Times) {
			run.stopArrivals()
			return 0, false
		}
		next = a.Times[run.traceIndex]
		run.traceIndex++
	case ArrivalDeterministic:
		next = t + ns(float64(max(1, a.Batch))*1e9/a.Rate)
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
			if run.mmppUntil > MaxTime {
				next = MaxTime + 1 // no arrival within the time a run can represent
				break
			}
			// Memoryless: restart the clock at the switch.
			next = run.mmppUntil
			run.mmppState ^= 1
			hold := &a.Hold
			if run.mmppState == 1 {
				hold = &a.Hold2
			}
			run.mmppUntil = later(run.mmppUntil, max(1, ns(hold.Sample(run.arr))))
		}
	default: // poisson
		next = t + ns(run.arr.ExpFloat64()*float64(max(1, a.Batch))*1e9/a.Rate)
	}
	if run.sc.Duration > 0 && next >= run.sc.Duration {
		run.stopArrivals()
		return 0, false
	}
	return next, true
}

func (run *Run) stopArrivals() {
	run.arrDone = true
	run.backlog = run.outstanding
}

// arrive issues one batch of requests.
func (run *Run) arrive() {
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
		run.stopArrivals()
		return
	}
	run.scheduleArrival(run.now)
}
