package results

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/collagesim/collagesim/sim"
)

func smallResults(t *testing.T) *Results {
	t.Helper()
	prof := &sim.Profile{Name: "t", Models: []sim.Model{
		{Name: "m", Role: sim.RoleSingle, Latency: sim.Exponential(10e6), Accuracy: 0.9},
		{Name: "c", Role: sim.RoleCollage, Grid: 2, Latency: sim.Exponential(10e6), Accuracy: 0.8, Coverage: 1},
	}}
	sc := &sim.Scenario{
		Name: "small", Seed: 1, Requests: 2000, Replications: 2,
		Arrivals: sim.Arrivals{Process: sim.ArrivalPoisson, Rate: 100, Batch: 4},
		Pools:    []sim.PoolSpec{{Name: "s", Model: "m", Servers: 4, PricePerHour: 0.5}, {Name: "c", Model: "c", Servers: 1, PricePerHour: 0.5}},
		Strategies: []sim.StrategySpec{
			{Name: "none", Kind: sim.StrategyNone, Pools: map[string]string{sim.PoolSingle: "s"}},
			{Name: "collage", Kind: sim.StrategyCollage, Grid: 2, MaxWait: 5e6, Decoder: sim.DecoderFirst, Pools: map[string]string{sim.PoolSingle: "s", sim.PoolCollage: "c"}},
		},
		Profile: prof, Stability: sim.Stability{MaxOutstanding: 10000},
	}
	ss, err := sim.Simulate(sc, 2)
	if err != nil {
		t.Fatal(err)
	}
	return &Results{Version: ResultsVersion, Scenario: sc.Name, Seed: sc.Seed, Points: []Point{{Strategies: ss}}}
}

func TestWriteSummaryAndJSON(t *testing.T) {
	res := smallResults(t)
	dir := t.TempDir()
	paths, err := Write(dir, res)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(SummaryColumns, ",") {
		t.Fatalf("summary.csv: %d rows, header %v", len(rows), rows[0])
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	if got := rows[2][col["strategy"]]; got != "collage" {
		t.Errorf("row 2 strategy %q", got)
	}
	want := num(res.Points[0].Strategies[1].Summary.P99Ms.Mean)
	if got := rows[2][col["p99_ms"]]; got != want || got == "" {
		t.Errorf("collage p99_ms %q, want %q", got, want)
	}
	if rows[1][col["cost_per_hour"]] != "2" || rows[2][col["cost_per_hour"]] != "2.5" {
		t.Errorf("cost_per_hour %q %q, want 2 and 2.5", rows[1][col["cost_per_hour"]], rows[2][col["cost_per_hour"]])
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	// Same results, same bytes.
	dir2 := t.TempDir()
	if _, err := Write(dir2, smallResults(t)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"summary.csv", "results.json"} {
		a, _ := os.ReadFile(filepath.Join(dir, name))
		b, _ := os.ReadFile(filepath.Join(dir2, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs of the same seed", name)
		}
	}
}

func TestTableShowsRatiosToCollage(t *testing.T) {
	res := smallResults(t)
	var b bytes.Buffer
	if err := Table(&b, &res.Points[0]); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "p99 / collage") {
		t.Errorf("table does not compare with the collage row:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.Contains(lines[2], "1.00x") {
		t.Errorf("collage row should have ratio 1.00x:\n%s", out)
	}
}

func TestTraceFiles(t *testing.T) {
	dir := t.TempDir()
	prof := &sim.Profile{Name: "t", Models: []sim.Model{{Name: "m", Role: sim.RoleSingle, Latency: sim.Const(1e6)}}}
	sc := &sim.Scenario{Name: "tr", Seed: 1, Requests: 10, Warmup: 2, Replications: 1,
		Arrivals:   sim.Arrivals{Process: sim.ArrivalDeterministic, Rate: 10, Batch: 1},
		Pools:      []sim.PoolSpec{{Name: "s", Model: "m", Servers: 1}},
		Strategies: []sim.StrategySpec{{Name: "none", Kind: sim.StrategyNone, Pools: map[string]string{sim.PoolSingle: "s"}}},
		Profile:    prof}
	if _, err := sim.SimulateWith(sc, sim.Options{Trace: TraceFiles(dir)}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "trace-none-rep0.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 11 || lines[1] != "2,200.000000,1.000000,scnn" {
		t.Errorf("trace: %d lines, first record %q", len(lines), lines[1])
	}
}
