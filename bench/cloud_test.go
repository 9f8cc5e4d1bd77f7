package bench

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sim"
)

// scenarioFile is the benchmark scenario; samplesRef is how it names the
// trace's samples (relative to itself: shared/data/ next to the checkout).
const (
	scenarioFile = "cloud-six.toml"
	samplesRef   = "../../shared/data/cloud-latency-samples-ms.txt"
)

// loadCloud reads cloud-six.toml, with the samples file at
// $COLLAGESIM_CLOUD_SAMPLES when that is set, and skips when the samples
// file is absent (it is not part of the repository).
func loadCloud(tb testing.TB) *sim.Scenario {
	tb.Helper()
	data, err := os.ReadFile(scenarioFile)
	if err != nil {
		tb.Fatal(err)
	}
	samples := filepath.Join(".", samplesRef)
	if p := os.Getenv("COLLAGESIM_CLOUD_SAMPLES"); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			tb.Fatal(err)
		}
		samples = abs
		data = bytes.ReplaceAll(data, []byte(samplesRef), []byte(abs))
	}
	if _, err := os.Stat(samples); err != nil {
		tb.Skipf("bench: the cloud trace's samples are not at %s (they are not in the repository): lay shared/data/cloud-latency-samples-ms.txt next to the checkout, or set COLLAGESIM_CLOUD_SAMPLES to the file", samples)
	}
	sc, _, err := scenarios.Parse(scenarioFile, data, ".")
	if err != nil {
		tb.Fatal(err)
	}
	return sc
}

// cpuNs is the CPU time (user + system) this process has used, in ns.
func cpuNs() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Nanoseconds()
}

// scheduledEvents counts the events one run of spec schedules on the
// calendar, from its results: one arrival per batch, one finish per task
// started, and the strategy's timers (a hedge timer or a decoder deadline per
// request, a max-wait timer per collage or parity group). There is no
// network delay in this scenario, so no reach or response events.
func scheduledEvents(sc *sim.Scenario, spec *sim.StrategySpec, m *sim.Metrics) float64 {
	n := float64(sc.Warmup + sc.Requests)
	batch := float64(max(1, sc.Arrivals.Batch))
	ev := n/batch + float64(m.Tasks)
	switch spec.Kind {
	case sim.StrategyHedge:
		ev += n
	case sim.StrategyCollage:
		k := float64(spec.Grid * spec.Grid)
		if spec.MaxWait > 0 {
			ev += n / k
		}
		if spec.Decoder == sim.DecoderDeadline {
			ev += n
		}
	case sim.StrategyParity:
		if spec.MaxWait > 0 {
			ev += n / float64(spec.K)
		}
	}
	return ev
}

// engines are the two ways a run is computed: the direct path where the
// strategy takes it, and the event loop (--event-loop); the results are the
// same bytes.
var engines = []struct {
	name   string
	events bool
}{{"direct", false}, {"events", true}}

// BenchmarkCloud simulates b.N requests of each strategy of cloud-six.toml
// on one core, by the direct path and by the event loop, and reports
// simulated requests per second of wall time, CPU ns per request (the whole
// process: the simulation and the garbage collector) and, for the event
// loop, calendar events per request.
func BenchmarkCloud(b *testing.B) {
	base := loadCloud(b)
	for i := range base.Strategies {
		spec := base.Strategies[i]
		for _, eng := range engines {
			b.Run(spec.Name+"/"+eng.name, func(b *testing.B) {
				sc := *base
				sc.Strategies = []sim.StrategySpec{spec}
				sc.ForceEvents = eng.events
				rs, n := simulateCloud(b, &sc)
				if eng.events {
					b.ReportMetric(scheduledEvents(&sc, &spec, &rs[0].Reps[0])/float64(n), "events/req")
				}
			})
		}
	}
	// The six strategies in one run of the scenario, as `collagesim run`
	// makes them: in lockstep on the direct path, drawing their common
	// arrivals and service times once, none, collage and parity reading
	// their S-CNN tasks from one shared queue. CPU ns per request of the
	// six together: to set against the sum of the six above.
	b.Run("all-six/direct", func(b *testing.B) {
		sc := *base
		simulateCloud(b, &sc)
	})
}

// simulateCloud simulates b.N requests (at least 1,000) of each strategy
// of sc, one replication without warm-up, on one worker; checks that every
// request was answered; and reports requests/s and CPU ns per request.
func simulateCloud(b *testing.B, sc *sim.Scenario) ([]sim.StrategyResult, int64) {
	// The first call runs b.N = 1, fewer than one Poisson group: simulate
	// at least a few groups and report per request.
	n := max(int64(b.N), 1000)
	sc.Warmup, sc.Replications, sc.Requests = 0, 1, n
	b.ReportAllocs()
	cpu := cpuNs()
	b.ResetTimer()
	rs, err := sim.Simulate(sc, 1)
	b.StopTimer()
	cpu = cpuNs() - cpu
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range rs {
		// A run of a few requests is flagged unstable by the drain check
		// (its last batch waits longer than a fifth of the run): only long
		// runs must be stable.
		if m := &r.Reps[0]; m.Answered != n || (r.Unstable && n >= 100_000) {
			b.Fatalf("%s: %d of %d requests answered, unstable %v (%s)", r.Name, m.Answered, n, r.Unstable, r.UnstableNote)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "requests/s")
	b.ReportMetric(float64(cpu)/float64(n), "cpu-ns/req")
	return rs, n
}

// TestCloudScenario checks that the benchmark scenario loads, holds the six
// strategies the comparison with SimPy names, and that a short run of each
// answers every request (or skips without the samples file).
func TestCloudScenario(t *testing.T) {
	sc := loadCloud(t)
	want := []string{"none", "replicate-2x", "hedge-spare", "collage-first", "collage-deadline", "parity-9"}
	if len(sc.Strategies) != len(want) {
		t.Fatalf("%d strategies, want %d", len(sc.Strategies), len(want))
	}
	for i, w := range want {
		if sc.Strategies[i].Name != w {
			t.Errorf("strategy %d is %q, want %q", i, sc.Strategies[i].Name, w)
		}
	}
	sc.Requests, sc.Warmup = 2_000, 0
	rs, err := sim.Simulate(sc, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		m := r.Reps[0]
		if m.Answered != 2_000 || r.Unstable {
			t.Errorf("%s: %d of 2000 answered, unstable %v", r.Name, m.Answered, r.Unstable)
		}
		// Every model draws from the trace: nothing answers under its minimum (83.6 ms).
		if float64(m.P50Ms) < 83 || float64(m.MeanMs) > 400 {
			t.Errorf("%s: p50 %v ms, mean %v ms: not the cloud trace's figures", r.Name, m.P50Ms, m.MeanMs)
		}
	}
}

// peakHeap runs f while a goroutine samples the heap in use every
// millisecond, and returns the largest sample.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var peak uint64
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sample()
			}
		}
	}()
	f()
	close(done)
	<-stopped
	sample()
	return peak
}

// BenchmarkCloudMemory reports the peak heap of one run of each strategy at
// 1M and 10M requests, by either engine, and of the six in lockstep: it must
// not grow with the request count.
func BenchmarkCloudMemory(b *testing.B) {
	base := loadCloud(b)
	for i := range base.Strategies {
		spec := base.Strategies[i]
		for _, eng := range engines {
			for _, n := range []int64{1_000_000, 10_000_000} {
				b.Run(fmt.Sprintf("%s/%s/%dM", spec.Name, eng.name, n/1_000_000), func(b *testing.B) {
					sc := *base
					sc.Strategies = []sim.StrategySpec{spec}
					sc.ForceEvents = eng.events
					reportPeakHeap(b, &sc, n)
				})
			}
		}
	}
	// The six together, in lockstep (BenchmarkCloud/all-six).
	for _, n := range []int64{1_000_000, 10_000_000} {
		b.Run(fmt.Sprintf("all-six/direct/%dM", n/1_000_000), func(b *testing.B) {
			sc := *base
			reportPeakHeap(b, &sc, n)
		})
	}
}

// reportPeakHeap simulates n requests of each strategy of sc (one
// replication, no warm-up, one worker) b.N times and reports the peak heap.
func reportPeakHeap(b *testing.B, sc *sim.Scenario, n int64) {
	sc.Warmup, sc.Replications, sc.Requests = 0, 1, n
	for range b.N {
		var err error
		peak := peakHeap(func() { _, err = sim.Simulate(sc, 1) })
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	}
}
