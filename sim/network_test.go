package sim

import (
	"testing"
)

// network_shared is one draw per instant: the two requests of a batch, sent
// together to idle servers with a constant service time, take the same
// latency; requests of other batches take other draws; the way back pays
// no shared delay.
func TestNetworkShared(t *testing.T) {
	sc := queueScenario("const10ms", 2, DispatchRoundRobin, 2)
	sc.Arrivals.Batch = 2
	sc.Requests, sc.Warmup, sc.Replications = 400, 0, 1
	sc.NetworkShared = Exponential(5e6)
	byArrival := map[int64][]int64{}
	runOne(t, sc, 0, func(run *Run, r Req, arrival int64, _ Source) {
		byArrival[arrival] = append(byArrival[arrival], run.Now()-arrival)
	})
	distinct := map[int64]bool{}
	for a, lats := range byArrival {
		if len(lats) != 2 || lats[0] != lats[1] {
			t.Fatalf("batch at %d ns: latencies %v, want two equal ones (one shared draw per instant)", a, lats)
		}
		if lats[0] < 10e6 {
			t.Fatalf("latency %d ns below the 10 ms service", lats[0])
		}
		distinct[lats[0]] = true
	}
	if len(distinct) < len(byArrival)*9/10 {
		t.Fatalf("%d distinct latencies over %d batches: the shared draw does not change between instants", len(distinct), len(byArrival))
	}
	// With an own delay as well, the two requests of a batch differ.
	sc.Network = Exponential(1e6)
	differ := 0
	byArrival = map[int64][]int64{}
	runOne(t, sc, 0, func(run *Run, r Req, arrival int64, _ Source) {
		byArrival[arrival] = append(byArrival[arrival], run.Now()-arrival)
	})
	for _, lats := range byArrival {
		if len(lats) == 2 && lats[0] != lats[1] {
			differ++
		}
	}
	if differ < len(byArrival)*9/10 {
		t.Fatalf("with an own network delay, only %d of %d batches answered at different latencies", differ, len(byArrival))
	}
}
