package sim

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
)

// Runs in lockstep on a feed give the results each gives alone, byte for
// byte, whatever the block size, the jobs grouped and their order: on the
// random scenarios of TestDirectMatchesEvents (duration stops, traces of
// arrival times, stability bounds, straggler models, sample lists shared
// by some models), where runs give up midway and fall back on the event
// loop. The feed must give the first copies' service times in some of them
// for the check to mean anything.
func TestLockstepMatchesAlone(t *testing.T) {
	defer func(n int64) { feedRequests = n }(feedRequests)
	n := *directN / 2
	sharedSvc, sharedQueue, engineGaveUp := 0, 0, 0
	for seed := uint64(1); seed <= uint64(n); seed++ {
		sc := directScenario(seed)
		r := rand.New(rand.NewPCG(seed, 0xfeed))
		if r.IntN(2) == 0 {
			// Every model's latency from one sample list and no straggler
			// model: the feed gives every run its first copies' times.
			sc.Stragglers = nil
			few := r.IntN(3) == 0 // a few whole ms: many ties
			vals := make([]float64, minNSTable+r.IntN(3000))
			for i := range vals {
				vals[i] = max(1e6, float64(int64(r.ExpFloat64()*20))*1e6)
				if few {
					vals[i] = float64(1+r.IntN(4)) * 1e6
				}
			}
			models := append([]Model(nil), sc.Profile.Models...)
			for i := range models {
				models[i].Latency = Dist{Kind: DistSamples, Values: vals}
				if few && r.IntN(2) == 0 {
					models[i].Encode = Dist{}
				}
			}
			sc.Profile = &Profile{Name: sc.Profile.Name, Models: models}
			if few && sc.Arrivals.Process != ArrivalTrace {
				// Batches every whole 2 to 5 ms: finishes at the instants
				// of arrivals, where the FIFOs' order gives up.
				sc.Arrivals.Process = ArrivalDeterministic
				sc.Arrivals.Rate = float64(max(1, sc.Arrivals.Batch)) * 1000 / float64(2+r.IntN(4))
			}
			if r.IntN(3) == 0 { // a bound on outstanding requests, maybe passed
				sc.Stability.MaxOutstanding = int64(3 + r.IntN(40))
				if r.IntN(2) == 0 {
					sc.Arrivals.Rate *= 3
				}
			}
		}
		feedRequests = []int64{1, 5, 64, 4096}[r.IntN(4)]
		repro := fmt.Sprintf("generator seed %d, feed of %d requests", seed, feedRequests)
		jobs, err := Jobs(sc)
		if err != nil {
			t.Fatal(err)
		}
		var tables *Tables
		if r.IntN(2) == 0 {
			tables = NewTables()
		}
		within := int64(-1)
		if r.IntN(2) == 0 {
			within = int64(between(r, 10e6, 200e6))
		}
		js := r.Perm(jobs)[:1+r.IntN(jobs)]
		hooks := make([]JobHooks, len(js))
		for i := range hooks {
			hooks[i] = JobHooks{Tables: tables, WithinNs: within}
		}
		outs := RunJobsWith(sc, js, hooks)
		for i, j := range js {
			alone := RunJobWith(sc, j, JobHooks{WithinNs: within})
			a, _ := json.Marshal(outs[i].m)
			b, _ := json.Marshal(alone.m)
			if string(a) != string(b) || fmt.Sprint(outs[i].err) != fmt.Sprint(alone.err) || outs[i].within != alone.within {
				t.Fatalf("%s, job %d: in lockstep\n%s (%v, within %d)\nalone\n%s (%v, within %d)", repro, j, a, outs[i].err, outs[i].within, b, alone.err, alone.within)
			}
			x, y := outs[i].lat.flat(), alone.lat.flat()
			if len(x) != len(y) || outs[i].lat.n != alone.lat.n {
				t.Fatalf("%s, job %d: latency histograms differ", repro, j)
			}
			for k := range x {
				if x[k] != y[k] {
					t.Fatalf("%s, job %d: latency histograms differ at bucket %d", repro, j, k)
				}
			}
		}
		// How many of the runs of replication 0 the feed gives their
		// requests' service times.
		var runs []*Run
		tb := NewTables()
		for s := range sc.Strategies {
			run, err := newRun(sc, &sc.Strategies[s], RepSeed(sc.Seed, 0), tb)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, ok := run.directEligible(); ok {
				runs = append(runs, run)
			}
		}
		if len(runs) > 0 {
			g, err := newLockstep(sc, runs, &sc.Strategies[0], tb)
			if err != nil {
				t.Fatal(err)
			}
			g.run()
			if g.q != nil && g.q.eng.failed {
				engineGaveUp++
			}
			for _, d := range g.ds {
				if d.fed {
					sharedSvc++
				}
				if _, ok := d.end(); ok && d.queue != nil {
					sharedQueue++
				}
			}
		}
	}
	if sharedSvc < n {
		t.Errorf("the feed gave the requests' service times to %d runs in %d scenarios: the check is too weak", sharedSvc, n)
	}
	if sharedQueue < n {
		t.Errorf("%d runs in %d scenarios took their first copies' tasks from a shared queue to the end: the check is too weak", sharedQueue, n)
	}
	if engineGaveUp == 0 {
		t.Errorf("no shared queue's engine gave up: the check is too weak")
	}
	t.Logf("the feed gave the requests' service times to %d runs, a shared queue their tasks to %d (to the end); %d engines gave up", sharedSvc, sharedQueue, engineGaveUp)
}
