package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := realMain(args, &out, &errb)
	return code, out.String(), errb.String()
}

// run writes the same bytes for the same seed, whatever the worker count.
func TestRunDeterministicFiles(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for i, dir := range []string{a, b} {
		workers := []string{"1", "4"}[i]
		code, out, errs := run(t, "run", "default", "--requests", "3000", "--replications", "2", "--no-plots", "--out", dir, "--workers", workers)
		if code != 0 {
			t.Fatalf("run exited %d: %s", code, errs)
		}
		if !strings.Contains(out, "collage-3x3") || !strings.Contains(out, "over those of collage-3x3") {
			t.Fatalf("no comparison table in the output:\n%s", out)
		}
	}
	for _, name := range []string{"summary.csv", "results.json"} {
		x, err1 := os.ReadFile(filepath.Join(a, name))
		y, err2 := os.ReadFile(filepath.Join(b, name))
		if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between --workers 1 and 4 (%v %v)", name, err1, err2)
		}
	}
}

// --event-loop gives the same bytes as the direct path, on the bundled
// scenarios that take it (none, collage-first, replicate, hedge) with
// stragglers, max-wait, encoding times and batches.
func TestEventLoopSameBytes(t *testing.T) {
	for _, name := range []string{"decoder-first", "decoder-deadline", "markov-replicate-vs-hedge", "grid-2x2", "mm1"} {
		a, b := t.TempDir(), t.TempDir()
		for i, dir := range []string{a, b} {
			args := []string{"run", name, "--requests", "3000", "--replications", "2", "--no-plots", "--quiet", "--out", dir}
			if i == 1 {
				args = append(args, "--event-loop")
			}
			if code, _, errs := run(t, args...); code != 0 {
				t.Fatalf("%v exited %d: %s", args, code, errs)
			}
		}
		for _, f := range []string{"summary.csv", "results.json"} {
			x, err1 := os.ReadFile(filepath.Join(a, f))
			y, err2 := os.ReadFile(filepath.Join(b, f))
			if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
				t.Errorf("%s: %s differs between the direct path and --event-loop (%v %v)", name, f, err1, err2)
			}
		}
	}
}

func TestBadScenarioExitCode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.toml")
	os.WriteFile(path, []byte("name = \"x\"\nrequests = 10\n[arrivals]\nrate = \"5/s\"\n[[pools]]\nname = \"p\"\nmodel = \"m\"\nservers = 0\n"), 0o644)
	code, _, errs := run(t, "validate", path)
	if code != 1 || !strings.Contains(errs, "bad.toml:8: pools[0].servers") {
		t.Errorf("validate exited %d with %q; want 1 and the file:line and key path", code, errs)
	}
	if code, _, _ := run(t, "frobnicate"); code != 2 {
		t.Errorf("unknown command exited %d, want 2", code)
	}
}

func TestSweepAndMerge(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 3; i++ {
		code, _, errs := run(t, "sweep", "capacity-sweep", "--requests", "2000", "--replications", "2", "--no-plots",
			"--out", dir, "--shard", []string{"0/3", "1/3", "2/3"}[i])
		if code != 0 {
			t.Fatalf("sweep shard %d exited %d: %s", i, code, errs)
		}
	}
	code, out, errs := run(t, "merge", dir, "--no-plots")
	if code != 0 || !strings.Contains(out, "9 points merged") {
		t.Fatalf("merge exited %d: %s %s", code, out, errs)
	}
	other := t.TempDir()
	if code, _, errs := run(t, "run", "mm1", "--requests", "300", "--no-plots", "--out", other); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, "merge", dir, "--no-plots", "--out", other); code != 1 || !strings.Contains(errs, `scenario "mm1"`) {
		t.Errorf("merge into another scenario's folder: exit %d, %s", code, errs)
	}
}

func TestPlanWritesCSVAndFigure(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, "plan", "mm1", "--slo", "p99=100ms", "--max-servers", "3", "--requests", "3000", "--replications", "3", "--out", dir)
	if code != 0 {
		t.Fatalf("plan exited %d: %s", code, errs)
	}
	if !strings.Contains(out, "none") {
		t.Errorf("no plan table:\n%s", out)
	}
	for _, name := range []string{"plan.csv", "plan-cost-p99.png", "plan-cost-p99.svg"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s not written: %v", name, err)
		}
	}
	if code, _, _ := run(t, "plan", "mm1", "--slo", "p99"); code != 2 {
		t.Errorf("a malformed SLO exited %d, want 2", code)
	}
}
