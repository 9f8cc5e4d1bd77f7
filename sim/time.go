package sim

import (
	"errors"
	"fmt"
	"math"
)

// MaxTime is the latest virtual instant a run may reach: 2^62 ns, about 146
// years. An instant and a duration below it add up without overflowing
// int64, so the engine's time arithmetic is exact; a run that would schedule
// anything later fails with an error instead of wrapping around.
const MaxTime int64 = 1 << 62

// maxPending and maxEvents bound the calendar: its entries keep the event's
// slot in slotBits bits and the scheduling sequence in the bits above.
const (
	maxPending = 1 << slotBits
	maxEvents  = 1<<(64-slotBits) - 1
)

const nsPerYear = 365.25 * 24 * 3600 * 1e9

// ns converts a duration in float64 nanoseconds (a draw) to int64: 0 below
// zero (and for NaN), MaxTime at and above it.
func ns(f float64) int64 {
	if f >= float64(MaxTime) {
		return MaxTime
	}
	if !(f > 0) {
		return 0
	}
	return int64(f)
}

// later returns t + d, or MaxTime + 1 ("never") when that is past MaxTime.
func later(t, d int64) int64 {
	if d > MaxTime-t {
		return MaxTime + 1
	}
	return t + d
}

// refused stops the run with the reason the calendar refused an event.
func (run *Run) refused() {
	e := run.cal.refusedEvent
	switch {
	case uint64(e.t) > uint64(MaxTime):
		run.fault(fmt.Errorf("%s would come after %.3g years of virtual time, beyond the %.0f years (2^62 ns) a run can represent; check the scenario's rates (a rate far below one per year) and distributions (a tail that long)",
			eventWhat[e.kind], float64(run.now)/nsPerYear, float64(MaxTime)/nsPerYear))
		return
	case run.cal.Len() >= maxPending:
		run.fault(fmt.Errorf("more than %d events pending at once at %s; make batches, pools or request counts smaller", maxPending, fmtNs(run.now)))
		return
	case run.cal.seq >= maxEvents:
		run.fault(errors.New("a run of more than 2^40 events; simulate fewer requests per run"))
	}
}

// eventWhat names what an event is, for messages.
var eventWhat = [...]string{
	evArrival:    "the next arrival",
	evReach:      "a task's arrival at its server (network delay)",
	evFinish:     "the end of a service time",
	evResponse:   "an answer's return (network delay)",
	evReqTimer:   "a strategy timer",
	evGroupTimer: "a strategy timer",
	evFail:       "a server failure",
	evRepair:     "a server repair",
}

// fault stops the run with an error (the first one is kept).
func (run *Run) fault(err error) {
	if run.err == nil {
		run.err = err
	}
	run.stopped = true
}

// Check refuses a scenario the engine cannot run faithfully: arrivals closer
// together than its 1 ns resolution, or a workload that would take longer
// than MaxTime. Simulate, Jobs and RunJob call it; scenarios decoded from
// files have been checked before, with file positions.
func (sc *Scenario) Check() error {
	if sc.Requests < 0 || sc.Warmup < 0 {
		return fmt.Errorf("sim: requests (%d) and warmup (%d) must be >= 0", sc.Requests, sc.Warmup)
	}
	if total := sc.Requests + sc.Warmup; total >= 1<<60 || total < 0 {
		return fmt.Errorf("sim: %d requests and %d warm-up requests: at most 2^60 in all", sc.Requests, sc.Warmup)
	}
	if sc.Duration < 0 || sc.Duration > MaxTime {
		return fmt.Errorf("sim: duration %d ns is outside [0, 2^62 ns] (about %.0f years)", sc.Duration, float64(MaxTime)/nsPerYear)
	}
	a := &sc.Arrivals
	if a.Batch < 0 {
		return fmt.Errorf("sim: arrivals: batch %d must be >= 1", a.Batch)
	}
	if total := sc.Requests + sc.Warmup; a.Batch > 1 && sc.Requests > 0 && int64(a.Batch) > total {
		return fmt.Errorf("sim: arrivals: batch %d is larger than the %d requests to issue: they would all arrive at once, at t = 0, and no load could be measured; give a batch of at most %d", a.Batch, total, total)
	}
	batch := float64(max(1, a.Batch))
	gapOK := func(what string, rate float64) (float64, error) {
		if !(rate > 0) || math.IsInf(rate, 0) {
			return 0, fmt.Errorf("sim: arrivals: %s %g/s must be > 0 and finite", what, rate)
		}
		gap := batch * 1e9 / rate
		if gap < 1 {
			return 0, fmt.Errorf("sim: arrivals: %s %g/s in batches of %g puts batches %.3g ns apart, below the simulator's resolution of 1 ns; lower the rate to at most %g/s (or the batch size)",
				what, rate, batch, gap, batch*1e9)
		}
		return gap, nil
	}
	var gap float64
	var err error
	switch a.Process {
	case ArrivalTrace:
		for i, t := range a.Times {
			if t < 0 || t > MaxTime || (i > 0 && t < a.Times[i-1]) {
				return fmt.Errorf("sim: arrivals: trace %s: instant %d (%d ns) is negative, beyond 2^62 ns or before the one above it", a.TraceOf, i, t)
			}
		}
	default: // poisson, deterministic, mmpp
		if gap, err = gapOK("rate", a.Rate); err != nil {
			return err
		}
		if a.Process == ArrivalMMPP && a.Rate2 != 0 {
			if _, err := gapOK("rate2", a.Rate2); err != nil {
				return err
			}
		}
	}
	// span: the expected length of the arrivals (ns).
	span := float64(sc.Duration)
	if gap > 0 && sc.Requests > 0 {
		need := float64(sc.Requests+sc.Warmup) / batch * gap
		if sc.Duration == 0 && need > float64(MaxTime)/2 {
			return fmt.Errorf("sim: arrivals: %d requests at %g/s take about %.3g years of virtual time, more than half the %.0f years (2^62 ns) a run can represent; raise the rate or give fewer requests",
				sc.Requests+sc.Warmup, a.Rate, need/nsPerYear, float64(MaxTime)/nsPerYear)
		}
		if span == 0 || need < span {
			span = need
		}
	}
	if a.Process == ArrivalTrace && len(a.Times) > 0 {
		span = float64(a.Times[len(a.Times)-1])
	}
	return sc.checkFlips(span)
}

// maxFlips bounds the state changes a two-state process (a markov straggler
// on every server it covers, mmpp arrivals) may go through in one run: each
// is a step of the engine, and holding times far shorter than the run would
// keep it busy for hours.
const maxFlips = 1e9

// checkFlips refuses holding times so short against the run's expected
// length span (ns) that the state changes alone would take too long.
func (sc *Scenario) checkFlips(span float64) error {
	flips := func(a, b *Dist) float64 { return 2 * span / max(a.Mean()+b.Mean(), 1) }
	if a := &sc.Arrivals; a.Process == ArrivalMMPP {
		if n := flips(&a.Hold, &a.Hold2); n > maxFlips {
			return fmt.Errorf("sim: arrivals: mmpp holding times %s and %s switch states about %.3g times over a run of %s, more than %.0g; lengthen them",
				a.Hold, a.Hold2, n, fmtNs(int64(span)), float64(maxFlips))
		}
	}
	for i := range sc.Stragglers {
		sp := &sc.Stragglers[i]
		if sp.Kind != StragglerMarkov {
			continue
		}
		servers := 0
		for _, p := range sc.Pools {
			if covers(sp.Pools, p.Name) {
				servers += p.Servers
			}
		}
		if len(sp.Servers) > 0 {
			servers = min(servers, len(sp.Servers)*max(1, len(sc.Pools)))
		}
		if n := flips(&sp.SlowFor, &sp.NormalFor) * float64(servers); n > maxFlips {
			return fmt.Errorf("sim: stragglers[%d]: markov holding times %s and %s switch %d servers' states about %.3g times over a run of %s, more than %.0g; lengthen them",
				i, sp.SlowFor, sp.NormalFor, servers, n, fmtNs(int64(span)), float64(maxFlips))
		}
	}
	return nil
}
