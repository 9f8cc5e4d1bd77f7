package sim

import (
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkEngine measures the bare event calendar at a steady population of
// pending events (a simulated cluster of 9 to 100 servers keeps tens to
// hundreds pending): each pop schedules one more event.
func BenchmarkEngine(b *testing.B) {
	for _, pending := range []int{16, 256, 4096} {
		b.Run(fmt.Sprintf("pending=%d", pending), func(b *testing.B) {
			var c calendar
			x := uint64(1)
			next := func() int64 { // xorshift: cheap, so the calendar is what is timed
				x ^= x << 13
				x ^= x >> 7
				x ^= x << 17
				return int64(x & (1<<30 - 1))
			}
			for i := 0; i < pending; i++ {
				c.push(next(), event{kind: evReqTimer})
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				e := c.pop()
				c.push(e.t+next(), event{kind: evReqTimer})
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

func benchScenario(strategy int, requests int64) *Scenario {
	sc := paperLike()
	sc.Requests = requests
	sc.Warmup = 0
	sc.Replications = 1
	sc.Strategies = sc.Strategies[strategy : strategy+1]
	return sc
}

func benchRequests(b *testing.B, strategy int) {
	sc := benchScenario(strategy, 0)
	// At least one full batch: Check refuses a batch larger than the request count.
	sc.Requests = max(int64(b.N), int64(sc.Arrivals.Batch))
	b.ResetTimer()
	if _, err := Simulate(sc, 1); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}

// BenchmarkNone: one replication of the none strategy, 9 servers, 60 % load.
func BenchmarkNone(b *testing.B) { benchRequests(b, 0) }

// BenchmarkCollage: the collage strategy with k = 9.
func BenchmarkCollage(b *testing.B) { benchRequests(b, 4) }

// BenchmarkParity: the parity strategy with k = 9.
func BenchmarkParity(b *testing.B) { benchRequests(b, 3) }

// BenchmarkReplicate: 2 copies with cancellation over 18 servers.
func BenchmarkReplicate(b *testing.B) { benchRequests(b, 1) }

// BenchmarkEventLoop: each strategy of paperLike by the event loop, where
// the benchmarks above take the direct path when the strategy allows it.
func BenchmarkEventLoop(b *testing.B) {
	for s, spec := range paperLike().Strategies {
		b.Run(spec.Name, func(b *testing.B) {
			sc := benchScenario(s, 0)
			sc.Requests = max(int64(b.N), int64(sc.Arrivals.Batch))
			sc.ForceEvents = true
			b.ResetTimer()
			if _, err := Simulate(sc, 1); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
		})
	}
}

// BenchmarkMemory reports the peak heap of one replication of each strategy
// for 1M and 10M requests (make bench): slabs hold only what is in flight, so
// it must not grow with the request count. Compare peak-heap-MiB between
// the 1M and 10M lines of a strategy.
func BenchmarkMemory(b *testing.B) {
	for s, spec := range paperLike().Strategies {
		for _, n := range []int64{1_000_000, 10_000_000} {
			b.Run(fmt.Sprintf("%s/%dM", spec.Name, n/1_000_000), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					b.ReportMetric(float64(peakHeap(b, s, n))/(1<<20), "peak-heap-MiB")
				}
			})
		}
	}
}

// peakHeap runs n requests of strategy s and samples the heap in use every
// 100,000 answers.
func peakHeap(b *testing.B, s int, n int64) uint64 {
	runtime.GC()
	peak := uint64(0)
	sc := benchScenario(s, n)
	run, err := newRun(sc, &sc.Strategies[0], RepSeed(sc.Seed, 0), nil)
	if err != nil {
		b.Fatal(err)
	}
	run.onAnswer = func(r Req, _ int64, _ Source) {
		if r.ID%100_000 == 0 {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	run.execute()
	return peak
}
