package testbed

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sim"
)

// requireORT loads ONNX Runtime or skips; under `make test`
// (COLLAGESIM_REQUIRE_ORT=1) a missing runtime fails.
func requireORT(t testing.TB) {
	t.Helper()
	if err := models.InitRuntime(""); err != nil {
		if os.Getenv("COLLAGESIM_REQUIRE_ORT") != "" {
			t.Fatalf("ONNX Runtime is required here (COLLAGESIM_REQUIRE_ORT is set): %v", err)
		}
		t.Skipf("skipping, no ONNX Runtime (run `make ort`, or use `make test`): %v", err)
	}
}

var (
	bundleOnce sync.Once
	bundleDir  string
	bundleErr  error
)

// tinyBundle builds, once per test binary, an S-CNN and a 2x2 Collage-CNN
// small enough to build in a second or two: 16x16 inputs, two stages.
func tinyBundle(t testing.TB) string {
	t.Helper()
	requireORT(t)
	bundleOnce.Do(func() {
		a, err := models.ParseArch("small,side=16,stem=8,widths=8/16,blocks=1/1,collage=32")
		if err != nil {
			bundleErr = err
			return
		}
		bundleDir, bundleErr = os.MkdirTemp("", "collagesim-testbed-models-")
		if bundleErr != nil {
			return
		}
		_, bundleErr = models.Build(bundleDir, models.BuildOptions{Arch: a, Grids: []int{2}, Seed: 1, TrainImages: 300,
			Session: models.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1}})
	})
	if bundleErr != nil {
		t.Fatal(bundleErr)
	}
	t.Cleanup(func() {}) // the folder is removed by TestMain's process exit below
	return bundleDir
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// Time scale and tolerance of TestTestbedAgreesWithSimulator. At F = 3 the
// scenario's 43.5 ms mean service time is 14.5 ms on the wall clock, against a
// loopback round trip of 0.1-0.6 ms and a timer overshoot of 0.1-3 ms on the
// 2-core machine while other builds load it (1-minute load 13-15). The
// simulator is told each strategy's measured RPC, load-balancer and worker
// overheads (Calibrated), and is then expected within 30 % of the testbed's
// mean. Measured under that load: none -5..-2 %, collage -3..+0 %, replicate
// -4..+24 %: replicate is the most sensitive, because its cancellations travel
// over a loaded network stack while the simulator's take effect at once.
//
// The comparison needs the testbed's real-time budget: the load generator's
// lag p99 must stay under one mean service time on the wall clock (43.5 ms /
// 3 = 14.5 ms); past it the machine is so loaded that the arrivals are no
// longer the scenario's, and the test says so instead of comparing.
const (
	testScale     = 3
	testTolerance = 0.30
	maxLag        = 14500 * time.Microsecond
)

func TestTestbedAgreesWithSimulator(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real cluster for about 20 s")
	}
	dir := tinyBundle(t)
	sc, meta, err := scenarios.Load("testdata/small.toml")
	if err != nil {
		t.Fatal(err)
	}
	cmd, env := workerCommand()
	o, err := Run(context.Background(), Config{Scenario: sc, TimeScale: testScale, ModelsDir: dir,
		WorkerCommand: cmd, WorkerEnv: env, Drain: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Facts.Pids) != 4 {
		t.Errorf("%d worker processes, want 4 (3 S-CNN, 1 collage)", len(o.Facts.Pids))
	}
	for _, pid := range o.Facts.Pids {
		if alive(pid) {
			t.Errorf("worker process %d is still alive after Run returned", pid)
		}
	}
	// The simulator on the scenario calibrated with each strategy's own
	// overheads (they grow with the load a strategy puts on the 2 cores).
	tmp := t.TempDir()
	var simRes []sim.StrategyResult
	for i := range sc.Strategies {
		text, prof, err := Calibrated(sc, meta.Text, o.ByStrategy[i], testScale, "testbed-profile.toml")
		if err != nil {
			t.Fatal(err)
		}
		for name, data := range map[string][]byte{"calibrated.toml": text, "testbed-profile.toml": prof} {
			if err := os.WriteFile(filepath.Join(tmp, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		csc, _, err := scenarios.Load(filepath.Join(tmp, "calibrated.toml"))
		if err != nil {
			t.Fatalf("calibrated scenario: %v\n%s", err, text)
		}
		csc.Replications = 5
		res, err := sim.Simulate(csc, 0)
		if err != nil {
			t.Fatal(err)
		}
		simRes = append(simRes, res[i])
		t.Logf("%s overheads:\n%s", sc.Strategies[i].Name, FormatOverheads(o.ByStrategy[i], testScale))
	}
	for i, tb := range o.Strategies {
		m := tb.Reps[0]
		if m.Requests != sc.Requests {
			t.Errorf("%s: %d requests counted, want %d", tb.Name, m.Requests, sc.Requests)
		}
		if m.Answered+m.Failed != m.Requests {
			t.Errorf("%s: %d answered + %d failed != %d requests", tb.Name, m.Answered, m.Failed, m.Requests)
		}
		if m.Failed > 0 {
			t.Errorf("%s: %d requests failed: %s", tb.Name, m.Failed, m.UnstableNote)
		}
		acc := float64(m.Accuracy)
		if !(acc > 0.3) {
			t.Errorf("%s: accuracy %.3f of real predictions against labels; the tiny models reach about 0.6", tb.Name, acc)
		}
		got, want := float64(tb.Summary.MeanMs.Mean), float64(simRes[i].Summary.MeanMs.Mean)
		diff := (got - want) / want
		lag := o.ByStrategy[i].GenLagP99
		t.Logf("%-10s testbed mean %7.2f ms p99 %7.2f ms | simulator mean %7.2f ms p99 %7.2f ms | mean differs %+.1f %% | accuracy %.3f | load generator lag p99 %v",
			tb.Name, got, float64(tb.Summary.P99Ms.Mean), want, float64(simRes[i].Summary.P99Ms.Mean), 100*diff, acc, lag)
		if lag > maxLag {
			// The real-time budget is blown: the load generator itself was
			// held off the CPU for longer than the budget, so its arrival
			// process is no longer the scenario's and no simulator run
			// predicts it. Everything above is still checked.
			t.Logf("%s: not compared with the simulator: the load generator's lag p99 %v exceeds the real-time budget %v (the machine is overloaded: load %s)",
				tb.Name, lag, maxLag, loadAvg())
			continue
		}
		if math.Abs(diff) > testTolerance {
			t.Errorf("%s: testbed mean %.2f ms, calibrated simulator %.2f ms: %+.1f %%, beyond the %.0f %% tolerance (seed %d; rerun: go test ./testbed -run TestTestbedAgreesWithSimulator -v)",
				tb.Name, got, want, 100*diff, 100*testTolerance, sc.Seed)
		}
	}
	if share := float64(o.Strategies[2].Summary.Sources[sim.SourceCollage].Mean); !(share > 0) {
		t.Errorf("collage: no request was answered from a collage (share %g)", share)
	}
}

// Workers stop by themselves when the testbed process goes away (their stdin
// closes), without any signal; and Stop leaves no process behind.
func TestNoOrphans(t *testing.T) {
	dir := tinyBundle(t)
	b, err := models.ReadBundle(dir)
	if err != nil {
		t.Fatal(err)
	}
	cmd, env := workerCommand()
	var specs []WorkerSpec
	for s := range 2 {
		specs = append(specs, WorkerSpec{Pool: "p", Server: s, Servers: 2, Model: "scnn", File: filepath.Join(dir, b.Models[0].File),
			Latency: sim.Const(1e6), TimeScale: 1})
	}
	c, err := Start(context.Background(), cmd, env, specs)
	if err != nil {
		t.Fatal(err)
	}
	pids := c.Pids()
	for _, p := range c.procs {
		p.stdin.Close() // as when the parent dies
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, p := range c.procs {
		select {
		case <-p.done:
		case <-time.After(time.Until(deadline)):
			t.Errorf("worker %d still running 10 s after its stdin closed", p.cmd.Process.Pid)
		}
	}
	c.Stop()
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("worker process %d is alive after Stop", pid)
		}
	}
	// A cancelled run (Ctrl-C) stops its cluster too.
	sc, _, err := scenarios.Load("testdata/small.toml")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(3*time.Second, cancel)
	o, err := Run(ctx, Config{Scenario: sc, TimeScale: 1, ModelsDir: dir, WorkerCommand: cmd, WorkerEnv: env})
	if err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: got %v, %v; want a context.Canceled error", o, err)
	}
}

// --endpoint: a pool's tasks go to servers someone else runs, as plain JSON
// (here: workers started beside the run, which answer either encoding).
func TestExternalEndpoint(t *testing.T) {
	dir := tinyBundle(t)
	b, err := models.ReadBundle(dir)
	if err != nil {
		t.Fatal(err)
	}
	sc, _, err := scenarios.Load("testdata/small.toml")
	if err != nil {
		t.Fatal(err)
	}
	sc.Strategies = sc.Strategies[:1] // none
	cmd, env := workerCommand()
	var specs []WorkerSpec
	for s := range 3 {
		specs = append(specs, WorkerSpec{Pool: "scnn", Server: s, Servers: 3, Model: "scnn", File: filepath.Join(dir, b.Models[0].File),
			Latency: sim.Const(5e6), TimeScale: 1})
	}
	ext, err := Start(context.Background(), cmd, env, specs)
	if err != nil {
		t.Fatal(err)
	}
	defer ext.Stop()
	o, err := Run(context.Background(), Config{Scenario: sc, Requests: 60, TimeScale: 10, ModelsDir: dir,
		WorkerCommand: cmd, WorkerEnv: env, Endpoints: map[string][]string{"scnn": ext.URLs("scnn")}})
	if err != nil {
		t.Fatal(err)
	}
	if o.Facts.Workers != 0 {
		t.Errorf("%d workers started for a scenario whose only used pool is external", o.Facts.Workers)
	}
	m := o.Strategies[0].Reps[0]
	if m.Answered != 60 || m.Failed != 0 {
		t.Errorf("answered %d, failed %d of 60 through the external endpoint: %s", m.Answered, m.Failed, m.UnstableNote)
	}
}
