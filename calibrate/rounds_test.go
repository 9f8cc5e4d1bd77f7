package calibrate

import (
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/collagesim/collagesim/models"
)

func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

// The configurations take turns round by round, each round after its
// warm-up, and every run is kept in time order.
func TestRoundsTakeTurns(t *testing.T) {
	var order []string
	mk := func(name string) *timed {
		return &timed{name: name, run: func() error { order = append(order, name); return nil }}
	}
	a, b := mk("a"), mk("b")
	o := Options{Runs: 10, Warmup: 20, Rounds: 3, Repeat: 1, MaxOthers: 1, Log: io.Discard}
	if err := o.timeRounds([]*timed{a, b}); err != nil {
		t.Fatal(err)
	}
	// Rounds of 4, 3 and 3 runs; warm-up 20 first, then 2.
	want := strings.Repeat("a", 24) + strings.Repeat("b", 24) + strings.Repeat("a", 5) + strings.Repeat("b", 5) + strings.Repeat("a", 5) + strings.Repeat("b", 5)
	if got := strings.Join(order, ""); got != want {
		t.Errorf("order %s, want %s", got, want)
	}
	if len(a.samples) != 10 || len(b.samples) != 10 || fmt.Sprint(a.ends) != "[4 7 10]" || len(a.periodMedians()) != 3 {
		t.Errorf("samples %d %d, rounds end at %v, period medians %v", len(a.samples), len(b.samples), a.ends, a.periodMedians())
	}
	o.Rounds = 50 // more rounds than runs: a run each
	a.samples, a.ends = nil, nil
	if err := o.timeRounds([]*timed{a}); err != nil || len(a.samples) != 10 || len(a.ends) != 10 || len(a.periodMedians()) != steadyPeriods {
		t.Errorf("rounds > runs: %v, %d samples, %d rounds, %d periods", err, len(a.samples), len(a.ends), len(a.periodMedians()))
	}
}

// A machine that slows down a third of the way through: timed one after
// the other, the model timed second looks twice as slow as the first,
// though both do the same work; taking turns, both see the slowdown and
// the profile warns.
func TestRoundsShareASlowdown(t *testing.T) {
	const runs = 300
	calls := 0
	work := func() error {
		calls++
		if calls <= 2*runs/3 {
			spin(100 * time.Microsecond)
		} else {
			spin(300 * time.Microsecond)
		}
		return nil
	}
	ratio := func(rounds int) (float64, timing) {
		calls = 0
		a, b := &timed{name: "a", run: work}, &timed{name: "b", run: work}
		o := Options{Runs: runs, Rounds: rounds, Repeat: 1, MaxOthers: 1, AllowNoisy: true, Log: io.Discard}
		if err := o.timeRounds([]*timed{a, b}); err != nil {
			t.Fatal(err)
		}
		ta, err := o.verdict(a, false)
		if err != nil {
			t.Fatal(err)
		}
		return median(b.samples) / median(a.samples), ta
	}
	seq, one := ratio(1)
	turns, five := ratio(20)
	if seq < 1.8 || turns < 0.8 || turns > 1.25 {
		t.Errorf("p50 of b over a: %.2f one after the other (want about 3), %.2f taking turns (want about 1)", seq, turns)
	}
	if hasText(one.warnings, "unsteady") || !hasText(five.warnings, "unsteady timing: its medians in 5 periods of the calibration") {
		t.Errorf("one round: %q; five rounds: %q", one.warnings, five.warnings)
	}
	if len(five.medians) != 5 {
		t.Errorf("medians %v", five.medians)
	}
}

// The unsteadiness warning depends only on the round medians.
func TestUnsteadyVerdict(t *testing.T) {
	o := Options{MaxOthers: 0.1, Repeat: 1}
	for _, tc := range []struct {
		medians []float64
		warn    bool
	}{
		{[]float64{1e6}, false},
		{[]float64{1e6, 1.1e6, 1.05e6, 0.95e6}, false},
		{[]float64{1e6, 1.1e6, 1.25e6}, true},
		{[]float64{1.378e6, 1.953e6}, true},
	} {
		tr := &timed{name: "m", known: true}
		for _, m := range tc.medians {
			for range steadyRuns {
				tr.samples = append(tr.samples, m)
			}
			tr.ends = append(tr.ends, len(tr.samples))
		}
		tm, err := o.verdict(tr, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := hasText(tm.warnings, "unsteady timing"); got != tc.warn {
			t.Errorf("medians %v: warned %v, want %v (%q)", tc.medians, got, tc.warn, tm.warnings)
		}
		// The same medians from a handful of runs each are not warned about.
		short := &timed{name: "m", known: true}
		for _, m := range tc.medians {
			short.samples = append(short.samples, m, m, m)
			short.ends = append(short.ends, len(short.samples))
		}
		if tm, _ := o.verdict(short, false); hasText(tm.warnings, "unsteady") {
			t.Errorf("medians %v of 3 runs each warned: %q", tc.medians, tm.warnings)
		}
	}
}

// Other processes' share over a model's rounds: short rounds' rounding
// (negative as well as positive) is summed before the share is clamped,
// and too little machine time says nothing.
func TestOthersOverRounds(t *testing.T) {
	for _, tc := range []struct {
		others, machine, want float64
	}{
		{0.01, 0.2, 0.05},
		{-0.01, 0.2, 0},
		{0.5, 0.2, 1},
		{0.01, 0.02, -1}, // NaN
	} {
		got := (&timed{known: true, othersCPU: tc.others, machineCPU: tc.machine}).others()
		if tc.want < 0 && got == got || tc.want >= 0 && math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("others %g of %g: %g, want %g", tc.others, tc.machine, got, tc.want)
		}
	}
}

// A GPU session whose arithmetic ran on the CPU is warned about; shape
// bookkeeping on the CPU and CPU sessions are not.
func TestPlacementWarnings(t *testing.T) {
	gpu := models.Placement{"CUDAExecutionProvider": {"Conv": 3}, models.CPUProvider: {"Shape": 2, "Gather": 1}}
	mixed := models.Placement{"CUDAExecutionProvider": {"Conv": 3}, models.CPUProvider: {"Conv": 2, "Shape": 1}}
	cpu := models.Placement{models.CPUProvider: {"Conv": 5}}
	if w := placementWarnings(gpu, models.ProviderCUDA); len(w) != 0 {
		t.Errorf("shape ops on the CPU: %q", w)
	}
	if w := placementWarnings(mixed, models.ProviderCUDA); len(w) != 1 || !strings.Contains(w[0], "off the cuda provider: Conv x2 ran on the CPU") {
		t.Errorf("Conv on the CPU: %q", w)
	}
	if w := placementWarnings(cpu, models.ProviderTensorRT); len(w) != 1 || !strings.Contains(w[0], "no node ran on the tensorrt provider") {
		t.Errorf("all on the CPU: %q", w)
	}
	if w := placementWarnings(cpu, models.ProviderCPU); len(w) != 0 {
		t.Errorf("CPU session: %q", w)
	}
}

// nvidia-smi's compute processes, ours left out.
func TestParseComputeApps(t *testing.T) {
	out := "4242, /usr/bin/python3, 20480\n77, collagesim, 900\n\n5, [Not Found], [N/A]\nbad line\n"
	got := parseComputeApps(out, 77)
	want := []string{"pid 4242 (/usr/bin/python3, 20480 MiB)", "pid 5 ([Not Found], [N/A])"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q, want %q", got, want)
	}
	w := &gpuWatch{on: true, others: map[string]bool{}}
	if w.warning() != "" {
		t.Error("warning with no other process")
	}
	w.others[got[0]], w.order = true, got[:1]
	if !strings.Contains(w.warning(), "other processes computed on the GPU while the models were timed (pid 4242") {
		t.Errorf("warning %q", w.warning())
	}
}

func TestGPUWords(t *testing.T) {
	for in, want := range map[string]string{
		"NVIDIA H200, 580.159.04, 143771 MiB\n":                      "NVIDIA H200 (driver 580.159.04, 143771 MiB)",
		"NVIDIA H100 80GB HBM3, 580.1, 81559 MiB\nNVIDIA H100, 1, 2": "NVIDIA H100 80GB HBM3 (driver 580.1, 81559 MiB)",
		"Tesla T4\n": "Tesla T4",
	} {
		if got := gpuWords(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
