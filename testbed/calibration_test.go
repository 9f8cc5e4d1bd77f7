package testbed

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sim"
)

// The calibrated network is half of each quantile of the per-task overhead
// table, not the sum of the RPC and load-balancer tables' quantiles.
func TestCalibratedNetworkFromTaskTable(t *testing.T) {
	sc, meta, err := scenarios.Load("testdata/small.toml")
	if err != nil {
		t.Fatal(err)
	}
	ov := Overheads{RPCQuantiles: make([]time.Duration, 101), LBQuantiles: make([]time.Duration, 101), TaskQuantiles: make([]time.Duration, 101)}
	for i := range ov.TaskQuantiles {
		ov.RPCQuantiles[i] = time.Duration(i) * time.Millisecond
		ov.LBQuantiles[i] = time.Duration(i) * time.Millisecond
		ov.TaskQuantiles[i] = time.Duration(i) * time.Millisecond / 10 // 0 .. 10 ms
	}
	text, _, err := Calibrated(sc, meta.Text, ov, 2, "p.toml")
	if err != nil {
		t.Fatal(err)
	}
	line := ""
	for _, l := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(l, "network = ") {
			line = l
		}
	}
	// Virtual one way: wall / 2 x scale 2 = the wall value: 0, 0.1, .., 10 ms.
	if !strings.Contains(line, "values = [0.0000, 0.1000,") || !strings.HasSuffix(line, ", 9.9000, 10.0000] }") {
		t.Errorf("network line %q, want the task table halved and scaled: [0.0000, 0.1000, .., 10.0000]", line)
	}
}

// With tasks due together, the instant's shared part becomes network_shared
// (paid once, whole) and the own part, halved, network; the scenario loads
// with both, and a network_shared of the scenario itself is replaced.
func TestCalibratedSharedNetwork(t *testing.T) {
	sc, meta, err := scenarios.Load("testdata/small.toml")
	if err != nil {
		t.Fatal(err)
	}
	ov := Overheads{TaskQuantiles: make([]time.Duration, 101), SharedQuantiles: make([]time.Duration, 101),
		OwnQuantiles: make([]time.Duration, 101), SplitInstants: 40}
	for i := range ov.TaskQuantiles {
		ov.TaskQuantiles[i] = time.Duration(i) * time.Millisecond
		ov.SharedQuantiles[i] = time.Duration(i) * time.Millisecond / 10 // 0 .. 10 ms
		ov.OwnQuantiles[i] = time.Duration(i) * time.Millisecond / 5     // 0 .. 20 ms
	}
	src := "network_shared = \"const:7ms\"\n" + meta.Text
	text, prof, err := Calibrated(sc, src, ov, 2, "p.toml")
	if err != nil {
		t.Fatal(err)
	}
	var shared, network []string
	for _, l := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(l, "network_shared") {
			shared = append(shared, l)
		}
		if strings.HasPrefix(l, "network ") || strings.HasPrefix(l, "network=") {
			network = append(network, l)
		}
	}
	// Virtual: shared x scale 2 = 0, 0.2, .., 20 ms; own / 2 x 2 = 0, 0.2, .., 20 ms.
	if len(shared) != 1 || !strings.Contains(shared[0], "values = [0.0000, 0.2000,") || !strings.HasSuffix(shared[0], ", 19.8000, 20.0000] }") {
		t.Errorf("network_shared lines %q, want one, the shared table scaled: [0.0000, 0.2000, .., 20.0000]", shared)
	}
	if len(network) != 1 || !strings.Contains(network[0], "values = [0.0000, 0.2000,") || !strings.HasSuffix(network[0], ", 19.8000, 20.0000] }") {
		t.Errorf("network lines %q, want one, the own table halved and scaled: [0.0000, 0.2000, .., 20.0000]", network)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "p.toml"), prof, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "c.toml"), text, 0o644); err != nil {
		t.Fatal(err)
	}
	csc, _, err := scenarios.Load(filepath.Join(dir, "c.toml"))
	if err != nil {
		t.Fatalf("calibrated scenario does not load: %v\n%s", err, text)
	}
	if csc.NetworkShared.Kind != sim.DistQuantiles || csc.Network.Kind != sim.DistQuantiles {
		t.Errorf("loaded network_shared %v, network %v; want two quantile tables", csc.NetworkShared, csc.Network)
	}
	if q := csc.NetworkShared.Quantile(1); math.Abs(q-20e6) > 1 {
		t.Errorf("network_shared's largest value %g ns, want 20 ms", q)
	}
	// No instant with two tasks: network alone, from the whole table.
	ov.SharedQuantiles, ov.OwnQuantiles, ov.SplitInstants = nil, nil, 0
	text, _, err = Calibrated(sc, meta.Text, ov, 2, "p.toml")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(text), "network_shared") {
		t.Errorf("network_shared written without a split:\n%s", text)
	}
	if !strings.Contains(string(text), "values = [0.0000, 1.0000,") {
		t.Errorf("without a split, want network = the task table halved and scaled:\n%s", text)
	}
}

func TestSameInstantCorr(t *testing.T) {
	var xs [][2]int64
	for b := range 100 { // batches of 3 sharing a due instant, each batch with its own delay
		for k := range 3 {
			xs = append(xs, [2]int64{int64(b) * 1000, int64(b%7)*100 + int64(k)})
		}
	}
	if c, n := sameInstantCorr(xs); n != 200 || !(c > 0.99) {
		t.Errorf("shared delays: correlation %.3f over %d pairs, want > 0.99 over 200", c, n)
	}
	var ys [][2]int64
	for b := range 100 { // pairs with opposite delays
		ys = append(ys, [2]int64{int64(b), int64(b % 5)}, [2]int64{int64(b), int64(4 - b%5)})
	}
	if c, _ := sameInstantCorr(ys); !(c < -0.99) {
		t.Errorf("opposite delays: correlation %.3f, want about -1", c)
	}
	if c, n := sameInstantCorr(xs[:10]); !math.IsNaN(c) || n != 6 {
		t.Errorf("few pairs: %v over %d, want NaN over 6", c, n)
	}
}

// Tasks due at one instant share its smallest overhead; each keeps the rest
// as its own; a task alone at its instant is not split.
func TestSharedSplit(t *testing.T) {
	xs := [][2]int64{{10, 7}, {10, 5}, {10, 9}, {20, 3}, {30, 4}, {30, 4}, {40, 100}}
	shared, own, split, singles := sharedSplit(xs)
	if !slices.Equal(shared, []int64{5, 4}) || !slices.Equal(own, []int64{0, 2, 4, 0, 0}) ||
		!slices.Equal(split, []int64{5, 7, 9, 4, 4}) || singles != 2 {
		t.Errorf("split: shared %v own %v split %v singles %d, want [5 4] [0 2 4 0 0] [5 7 9 4 4] 2", shared, own, split, singles)
	}
	// Overheads made of an instant's delay and independent own delays: the
	// split and the independent redraw give back the correlation and tail.
	r := rand.New(rand.NewPCG(3, 4))
	var ys [][2]int64
	var all []int64
	for b := range 4000 {
		d := int64(r.ExpFloat64() * 10e6)
		for range 9 {
			x := d + int64(r.Float64()*2e6)
			ys = append(ys, [2]int64{int64(b), x})
			all = append(all, x)
		}
	}
	corr, _ := sameInstantCorr(ys)
	shared, own, _, _ = sharedSplit(ys)
	mean, p99, mcorr := splitModel(shared, own)
	if math.Abs(mcorr-corr) > 0.02 || corr < 0.9 {
		t.Errorf("correlation %.3f from the split, %.3f measured (want about 0.98)", mcorr, corr)
	}
	if m, q := meanOf(all), durQ(all, 0.99); math.Abs(float64(mean-m)) > 0.03*float64(m) || math.Abs(float64(p99-q)) > 0.03*float64(q) {
		t.Errorf("split redrawn: mean %v p99 %v, measured %v %v", mean, p99, m, q)
	}
	// Without the split the two halves of one table thin the tail.
	if _, p, _ := splitModel([]int64{0}, all); !(p < p99*9/10) {
		t.Errorf("unsplit X/2 + X/2 p99 %v, want well under %v", p, p99)
	}
}
