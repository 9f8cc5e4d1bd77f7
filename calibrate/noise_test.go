package calibrate

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// burnEnv makes the test binary, started again, a CPU burner: another
// process competing with the timing, as a build next door would.
const burnEnv = "COLLAGESIM_TEST_BURN_CPU"

func init() {
	if os.Getenv(burnEnv) == "" {
		return
	}
	deadline := time.Now().Add(60 * time.Second)
	x := 0
	for time.Now().Before(deadline) {
		for i := range 1_000_000 {
			x += i
		}
	}
	if x == -1 {
		println(x)
	}
	os.Exit(0)
}

func startBurners(t *testing.T, n int) {
	t.Helper()
	for range n {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), burnEnv+"=1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	}
	time.Sleep(200 * time.Millisecond)
}

// With other processes busy on every core, timing is retried and then
// refused, or, when allowed, written with a warning in the model's source.
func TestNoisyTimingRefused(t *testing.T) {
	if _, err := os.Stat("/proc/stat"); err != nil {
		t.Skip("no /proc/stat")
	}
	dir := tinyFiles(t)
	startBurners(t, min(runtime.NumCPU(), 32)) // every core busy but ours
	o := quickOptions()
	o.Batches, o.AllowNoisy, o.MaxOthers, o.Repeat, o.Runs, o.Rounds = nil, false, 0.2, 2, 4000, 1 // a round long enough to judge (judgeCPU)
	_, _, err := Model(filepath.Join(dir, "scnn.onnx"), Spec{}, o)
	if err == nil || !strings.Contains(err.Error(), "other processes used") || !strings.Contains(err.Error(), "--allow-noisy") {
		t.Fatalf("contaminated timing: %v", err)
	}
	o.AllowNoisy = true
	m, rep, err := Model(filepath.Join(dir, "scnn.onnx"), Spec{}, o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Tries != 2 || !(rep.Others > 0.2) || !strings.Contains(m.Source, "WARNING: noisy timing") {
		t.Errorf("tries %d, others %.2f, source %s", rep.Tries, rep.Others, m.Source)
	}
	t.Logf("others %.2f, on-CPU %.2f", rep.Others, rep.OnCPU)
}

func TestOthersShare(t *testing.T) {
	a := cpuSnapshot{busy: 10, total: 20, self: 1, ok: true}
	b := cpuSnapshot{busy: 16, total: 28, self: 3, ok: true} // 8 s of CPU: 6 busy, 2 ours
	if got := othersShare(a, b); math.Abs(got-0.5) > 1e-12 {
		t.Errorf("others %g, want 0.5", got)
	}
	if !math.IsNaN(othersShare(a, cpuSnapshot{})) {
		t.Error("unknown snapshot gave a number")
	}
}
