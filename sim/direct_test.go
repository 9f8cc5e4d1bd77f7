package sim

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

var (
	directSeed = flag.Uint64("direct.seed", 0, "run TestDirectMatchesEvents on this one generator seed only")
	directN    = flag.Int("direct.n", 120, "the number of generator seeds TestDirectMatchesEvents runs")
)

// directScenario is randomScenario with the settings the direct path takes
// (round-robin, one slot, no network, no failures), none and collage with
// the first decoder (with and without max-wait and encoding time), on
// arrival processes and straggler models that include ties (deterministic
// arrivals, constant service times).
func directScenario(seed uint64) *Scenario {
	sc, _ := randomScenario(seed)
	r := rand.New(rand.NewPCG(seed, 0xd1))
	sc.Network, sc.NetworkShared = Dist{}, Dist{}
	for i := range sc.Pools {
		sc.Pools[i].Dispatch, sc.Pools[i].Slots = DispatchRoundRobin, 1
	}
	var strag []StragglerSpec
	for _, sp := range sc.Stragglers {
		if sp.Kind != StragglerFailure {
			strag = append(strag, sp)
		}
	}
	if r.IntN(3) == 0 { // a model with state: the trace replayed in order on every server
		vals := make([]float64, 50)
		for i := range vals {
			vals[i] = float64(1+r.IntN(30)) * 1e6
		}
		strag = append(strag, StragglerSpec{Kind: StragglerTrace, Latency: Dist{Kind: DistSamples, Values: vals}})
	}
	sc.Stragglers = strag
	var col StrategySpec
	for _, sp := range sc.Strategies {
		if sp.Kind == StrategyCollage {
			col = sp
		}
	}
	col.Decoder, col.Resend = DecoderFirst, false
	if r.IntN(2) == 0 {
		col.MaxWait = 0
	}
	noEnc := col
	noEnc.Name = "collage-noenc"
	dl := col
	dl.Name, dl.Decoder = "collage-deadline", DecoderDeadline
	if r.IntN(2) == 0 {
		dl.MaxWait = 0
	}
	rep := sc.Strategies[1] // replicate: copies, cancel and cancel_running drawn
	hedge := sc.Strategies[2]
	hedge.CancelRunning = r.IntN(2) == 0
	par := sc.Strategies[4]
	if r.IntN(2) == 0 {
		par.MaxWait = 0
	}
	sc.Strategies = []StrategySpec{sc.Strategies[0], col, noEnc, dl, rep, hedge, par}
	models := append([]Model(nil), sc.Profile.Models...)
	if r.IntN(2) == 0 {
		models[1].Encode = Dist{}
	}
	if r.IntN(3) == 0 {
		// Latencies from a sample list large enough for the compact table
		// (and the draws ahead of need), shared by some models, drawn from
		// the model's own distribution, in whole ms for ties.
		var shared []float64
		for i := range models {
			if r.IntN(4) == 0 {
				continue
			}
			if shared == nil || r.IntN(3) == 0 {
				shared = make([]float64, minNSTable+r.IntN(3000))
				for j := range shared {
					shared[j] = max(1e6, float64(int64(models[i].Latency.Sample(r)/1e6))*1e6)
				}
			}
			models[i].Latency = Dist{Kind: DistSamples, Values: shared}
		}
	}
	sc.Profile = &Profile{Name: sc.Profile.Name, Models: models}
	// Some loads near capacity, for queues left at the end and bounds hit.
	if r.IntN(8) == 0 {
		sc.Arrivals.Rate *= 2.5
	}
	if r.IntN(8) == 0 {
		sc.Stability.MaxOutstanding = int64(5 + r.IntN(50))
	}
	if r.IntN(8) == 0 { // a latency bound some requests pass
		sc.Stability.MaxLatency = int64(between(r, 20e6, 200e6))
	}
	switch r.IntN(6) {
	case 0: // arrivals stop at a duration (and maybe a request count)
		sc.Duration = int64(float64(sc.Requests) / sc.Arrivals.Rate * 1e9 * between(r, 0.3, 1.5))
		if r.IntN(2) == 0 {
			sc.Requests = 0
		}
	case 1: // a trace of arrival times, repeated instants included
		n := int(sc.Warmup+sc.Requests) / max(1, sc.Arrivals.Batch)
		times := make([]int64, n+1)
		for i := 1; i < len(times); i++ {
			times[i] = times[i-1]
			if r.IntN(5) > 0 {
				times[i] += int64(r.ExpFloat64() * float64(max(1, sc.Arrivals.Batch)) * 1e9 / sc.Arrivals.Rate)
			}
		}
		sc.Arrivals = Arrivals{Process: ArrivalTrace, Times: times, Batch: sc.Arrivals.Batch, Rate: sc.Arrivals.Rate}
	}
	if err := sc.Check(); err != nil {
		panic(fmt.Sprintf("generator seed %d: %v", seed, err))
	}
	return sc
}

func between(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// The direct path gives the event loop's results, byte for byte, on random
// scenarios it takes; it gives up (and the event loop runs) where the
// calendar's order of simultaneous events would decide or the run is
// unstable, and it must take most of the stable runs for the check to mean
// anything.
func TestDirectMatchesEvents(t *testing.T) {
	n := *directN
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	if *directSeed != 0 {
		seeds = []uint64{*directSeed}
	}
	taken, runs, stable := 0, 0, 0
	why := map[string]int{}
	byName := map[string]int{}
	for _, seed := range seeds {
		sc := directScenario(seed)
		repro := fmt.Sprintf("generator seed %d; reproduce: go test ./sim -run '^TestDirectMatchesEvents$' -direct.seed %d -count=1 -v", seed, seed)
		for s := range sc.Strategies {
			for rep := 0; rep < max(1, sc.Replications); rep++ {
				runs++
				run, err := newRun(sc, &sc.Strategies[s], RepSeed(sc.Seed, rep), nil)
				if err != nil {
					t.Fatalf("%s: %v", repro, err)
				}
				if _, _, ok := run.directEligible(); !ok {
					t.Fatalf("%s: strategy %s is not taken by the direct path", repro, sc.Strategies[s].Name)
				}
				dm, ok := run.executeDirect()
				ev, err := newRun(sc, &sc.Strategies[s], RepSeed(sc.Seed, rep), nil)
				if err != nil {
					t.Fatal(err)
				}
				em := ev.execute()
				if !em.Unstable {
					stable++
				}
				if !ok {
					why[run.directWhy]++
					continue
				}
				taken++
				byName[sc.Strategies[s].Name]++
				a, _ := json.Marshal(dm)
				b, _ := json.Marshal(em)
				if string(a) != string(b) {
					t.Fatalf("%s, strategy %s, replication %d: the direct path differs from the event loop:\ndirect %s\nevents %s", repro, sc.Strategies[s].Name, rep, a, b)
				}
				if run.lat.n != ev.lat.n || run.lat.min != ev.lat.min || run.lat.max != ev.lat.max {
					t.Fatalf("%s, strategy %s: latency histograms differ", repro, sc.Strategies[s].Name)
				}
				dc, ec := run.lat.flat(), ev.lat.flat()
				for i := range dc {
					if dc[i] != ec[i] {
						t.Fatalf("%s, strategy %s: latency histograms differ at bucket %d", repro, sc.Strategies[s].Name, i)
					}
				}
			}
		}
	}
	t.Logf("direct path took %d of %d runs (%d stable): %v; gave up: %v", taken, runs, stable, byName, why)
	if *directSeed == 0 && taken < stable*2/3 {
		t.Errorf("the direct path took only %d of the %d stable runs: the check is too weak", taken, stable)
	}
}

// The direct path allocates nothing per request: the allocations of a run
// (FIFO and group buffers growing to their longest, histogram chunks) do
// not grow with its length, for every strategy it takes, on a sample-list
// latency (the draws ahead of need) as on a parametric one. A buffer moved
// to the heap costs one allocation per request.
func TestDirectAllocsFlat(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	vals := make([]float64, 1<<17) // as long as a real trace: few ties between copies
	for i := range vals {
		vals[i] = r.ExpFloat64() * 10e6
	}
	for _, samples := range []bool{false, true} {
		sc := paperLike()
		sc.Warmup, sc.Replications = 0, 1
		for i := range sc.Strategies {
			sc.Strategies[i].Resend = false
		}
		if samples {
			models := append([]Model(nil), sc.Profile.Models...)
			for i := range models {
				models[i].Latency = Dist{Kind: DistSamples, Values: vals}
			}
			sc.Profile = &Profile{Name: sc.Profile.Name, Models: models}
		}
		for s := range sc.Strategies {
			// mallocs counts the allocations of a run of n requests by the
			// direct path; false where it gave up (a tie it cannot order).
			mallocs := func(seed uint64, n int64) (uint64, bool) {
				c := *sc
				c.Seed, c.Requests = seed, n
				run, err := newRun(&c, &c.Strategies[s], RepSeed(c.Seed, 0), nil)
				if err != nil {
					t.Fatal(err)
				}
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				_, ok := run.executeDirect()
				runtime.ReadMemStats(&after)
				return after.Mallocs - before.Mallocs, ok
			}
			checked := false
			for seed := uint64(1); seed <= 8 && !checked; seed++ {
				short, ok1 := mallocs(seed, 20_000)
				long, ok2 := mallocs(seed, 60_000)
				if !ok1 || !ok2 {
					continue
				}
				checked = true
				if long > short+64 {
					t.Errorf("%s (samples %v, seed %d): %d allocations for 20k requests, %d for 60k: the direct path allocates per request", sc.Strategies[s].Name, samples, seed, short, long)
				}
			}
			if !checked {
				t.Errorf("%s (samples %v): the direct path gave up on every seed", sc.Strategies[s].Name, samples)
			}
		}
	}
}
