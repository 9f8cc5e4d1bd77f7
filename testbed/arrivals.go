package testbed

import (
	"math"

	"github.com/collagesim/collagesim/sim"
)

// arrivalTimes returns the arrival instant (virtual ns) of each request the
// simulator issues for sc under replication seed (warm-up first), at most
// limit of them: the same process on the same "arrivals" stream, so request
// i arrives at the same virtual time in both.
func arrivalTimes(sc *sim.Scenario, seed uint64, limit int64) []int64 {
	a := &sc.Arrivals
	r := sim.NewStream(seed, "arrivals")
	total := sc.Warmup + sc.Requests
	if sc.Requests <= 0 || total > limit {
		total = limit
	}
	batch := max(1, a.Batch)
	var out []int64
	var t int64
	mmppState, traceIndex := 0, 0
	var mmppUntil int64
	if a.Process == sim.ArrivalMMPP {
		mmppUntil = int64(a.Hold.Sample(r))
	}
	for int64(len(out)) < total {
		first := len(out) == 0
		var next int64
		switch a.Process {
		case sim.ArrivalTrace:
			if traceIndex >= len(a.Times) {
				return out
			}
			next = a.Times[traceIndex]
			traceIndex++
		case sim.ArrivalDeterministic:
			next = t + int64(float64(batch)*1e9/a.Rate)
			if first {
				next = t
			}
		case sim.ArrivalMMPP:
			next = t
			for {
				rate := a.Rate
				if mmppState == 1 {
					rate = a.Rate2
				}
				gap := math.Inf(1)
				if rate > 0 {
					gap = r.ExpFloat64() * float64(batch) * 1e9 / rate
				}
				if float64(next)+gap < float64(mmppUntil) {
					next += int64(gap)
					break
				}
				next = mmppUntil
				mmppState ^= 1
				hold := &a.Hold
				if mmppState == 1 {
					hold = &a.Hold2
				}
				mmppUntil += max(1, int64(hold.Sample(r)))
			}
		default: // poisson
			next = t + int64(r.ExpFloat64()*float64(batch)*1e9/a.Rate)
		}
		if sc.Duration > 0 && next >= sc.Duration {
			return out
		}
		t = next
		for k := 0; k < batch && int64(len(out)) < total; k++ {
			out = append(out, t)
		}
	}
	return out
}
