package results

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
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
	return &Results{Version: ResultsVersion, Tool: "collagesim test", Scenario: sc.Name, Seed: sc.Seed, Points: []Point{{Strategies: ss}}}
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
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(SummaryHeader(res), ",") {
		t.Fatalf("summary.csv: %d rows, header %v", len(rows), rows[0])
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	if got := rows[2][col["strategy"]]; got != "collage" {
		t.Errorf("row 2 strategy %q", got)
	}
	p99 := res.Points[0].Strategies[1].Summary.P99Ms
	for name, want := range map[string]sim.Float{"p99_ms": p99.Mean, "p99_ms_ci_low": p99.Low, "p99_ms_ci_high": p99.High} {
		got, err := strconv.ParseFloat(rows[2][col[name]], 64)
		if err != nil || got != float64(want) {
			t.Errorf("collage %s %q, want %v at full precision", name, rows[2][col[name]], want)
		}
	}
	for _, name := range []string{"scenario", "point", "seed", "mean_ms_ci_low", "accuracy_ci_high", "failed_ci_low"} {
		if _, ok := col[name]; !ok {
			t.Errorf("summary.csv has no column %q: %v", name, rows[0])
		}
	}
	if rows[1][col["point"]] != "0" || rows[1][col["seed"]] != "1" {
		t.Errorf("point %q seed %q, want 0 and 1", rows[1][col["point"]], rows[1][col["seed"]])
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

func TestTableShowsRatiosToBaseline(t *testing.T) {
	res := smallResults(t)
	for _, c := range []struct {
		want, base string
		row        int // line of the baseline row
	}{{"", "collage", 4}, {"none", "none", 3}} {
		var b bytes.Buffer
		if err := Table(&b, &res.Points[0], c.want); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if !strings.Contains(out, "over those of "+c.base+"\n") {
			t.Errorf("--baseline %q: table does not compare with %s:\n%s", c.want, c.base, out)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 5 || !strings.HasPrefix(lines[c.row], c.base+" ") || strings.Count(lines[c.row], "1.00x") != 2 {
			t.Errorf("--baseline %q: the %s row should have ratios 1.00x:\n%s", c.want, c.base, out)
		}
		if !strings.Contains(lines[2], "ms ±95% CI") || !strings.Contains(lines[2], "$/h") {
			t.Errorf("no units in the header:\n%s", out)
		}
	}
	var b bytes.Buffer
	if err := Table(&b, &res.Points[0], "hedge"); err == nil || !strings.Contains(err.Error(), `baseline "hedge": no such strategy (have none, collage)`) {
		t.Errorf("unknown baseline: %v", err)
	}
}

func TestBaselineRule(t *testing.T) {
	pt := &Point{Strategies: []sim.StrategyResult{{Name: "a", Kind: "none"}, {Name: "b", Kind: "collage"}, {Name: "c", Kind: "collage"}}}
	for want, base := range map[string]string{"": "b", "c": "c", "a": "a"} {
		if got, err := Baseline(pt, want); err != nil || got != base {
			t.Errorf("Baseline(%q) = %q, %v; want %q", want, got, err, base)
		}
	}
	pt.Strategies = pt.Strategies[:1]
	if got, _ := Baseline(pt, ""); got != "a" {
		t.Errorf("no collage strategy: baseline %q, want the first", got)
	}
}

func TestParamColumn(t *testing.T) {
	for _, c := range []struct {
		key, name string
		in, out   []string
	}{
		{"arrivals.rate", "arrivals.rate_per_s", []string{"18/s", "3600/h", "0.5/ms"}, []string{"18", "1", "500"}},
		{"max_wait", "max_wait_ms", []string{"250ms", "1.5s", "100us"}, []string{"250", "1500", "0.1"}},
		{"pools.s.servers", "pools.s.servers", []string{"6", "9"}, []string{"6", "9"}},
		{"p", "p", []string{"0", "0.01"}, []string{"0", "0.01"}},
		{"mixed", "mixed", []string{"18/s", "250ms"}, []string{"18/s", "250ms"}},
		{"model", "model", []string{"collage-2x2", "exp:2s"}, []string{"collage-2x2", "exp:2s"}},
	} {
		name, out := ParamColumn(c.key, c.in)
		if name != c.name || strings.Join(out, ",") != strings.Join(c.out, ",") {
			t.Errorf("ParamColumn(%s, %v) = %s %v, want %s %v", c.key, c.in, name, out, c.name, c.out)
		}
	}
}

func TestWriteKeepsResultsWhenSummaryFails(t *testing.T) {
	res := smallResults(t)
	dir := t.TempDir()
	// summary.csv is a folder: it cannot be written, results.json must be.
	if err := os.Mkdir(filepath.Join(dir, "summary.csv"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, res); err == nil || !strings.Contains(err.Error(), "the results are in") {
		t.Errorf("Write: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "results.json")); err != nil {
		t.Errorf("results.json not kept: %v", err)
	}
}

func TestUnstableCount(t *testing.T) {
	res := &Results{Points: []Point{
		{Strategies: []sim.StrategyResult{{Name: "a", Unstable: true}, {Name: "b"}}},
		{Strategies: []sim.StrategyResult{{Name: "a", Unstable: true}, {Name: "b", Unstable: true}}},
	}}
	if n := Unstable(res); n != 3 {
		t.Errorf("Unstable = %d, want 3", n)
	}
}

// A trace file has one row per answer, with the answering task's queue wait
// and service, then one row per request that never got an answer. One server
// of 1.5 ms per request, a request every ms: request k waits 0.5k ms. The
// server fails for good at 9.2 ms, losing request 6 (running), 7 to 9
// (queued) and 10 and 11 (sent to it later).
func TestTraceFiles(t *testing.T) {
	dir := t.TempDir()
	prof := &sim.Profile{Name: "t", Models: []sim.Model{{Name: "m", Role: sim.RoleSingle, Latency: sim.Const(1.5e6), Accuracy: 1}}}
	sc := &sim.Scenario{Name: "tr", Seed: 1, Requests: 10, Warmup: 2, Replications: 1,
		Arrivals:   sim.Arrivals{Process: sim.ArrivalDeterministic, Rate: 1000, Batch: 1},
		Pools:      []sim.PoolSpec{{Name: "s", Model: "m", Servers: 1}},
		Stragglers: []sim.StragglerSpec{{Kind: sim.StragglerFailure, Pools: []string{"s"}, FailAfter: sim.Const(9.2e6), RepairAfter: sim.Const(1e12)}},
		Strategies: []sim.StrategySpec{{Name: "none", Kind: sim.StrategyNone, Pools: map[string]string{sim.PoolSingle: "s"}}},
		Profile:    prof}
	res, err := sim.SimulateWith(sc, sim.Options{Trace: TraceFiles(dir)})
	if err != nil {
		t.Fatal(err)
	}
	if m := res[0].Reps[0]; m.Answered != 4 || m.Failed != 6 {
		t.Fatalf("answered %d, failed %d; want 4 and 6", m.Answered, m.Failed)
	}
	b, err := os.ReadFile(filepath.Join(dir, "trace-none-rep0.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := TraceHeader + `
2,2.000000,2.500000,1.000000,1.500000,s,0,scnn,true,false
3,3.000000,3.000000,1.500000,1.500000,s,0,scnn,true,false
4,4.000000,3.500000,2.000000,1.500000,s,0,scnn,true,false
5,5.000000,4.000000,2.500000,1.500000,s,0,scnn,true,false
6,6.000000,,,,,,,,true
7,7.000000,,,,,,,,true
8,8.000000,,,,,,,,true
9,9.000000,,,,,,,,true
10,10.000000,,,,,,,,true
11,11.000000,,,,,,,,true
`
	if string(b) != want {
		t.Errorf("trace:\n%s\nwant:\n%s", b, want)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(rows[0]) != 10 {
		t.Errorf("trace is not a CSV of 10 columns: %v", err)
	}
}

// A record whose model has no accuracy leaves correct empty.
func TestTraceUnknownCorrectness(t *testing.T) {
	dir := t.TempDir()
	sink, err := TraceFiles(dir)("s", 1)
	if err != nil {
		t.Fatal(err)
	}
	sink.Answer(sim.TraceRecord{ID: 7, ArrivalNs: 1e6, LatencyNs: 3e6, WaitNs: 1e6, ServiceNs: 2e6, Pool: "c", Server: 2, Source: sim.SourceCollage})
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "trace-s-rep1.csv"))
	if want := TraceHeader + "\n7,1.000000,3.000000,1.000000,2.000000,c,2,collage,,false\n"; string(b) != want {
		t.Errorf("trace %q, want %q", b, want)
	}
}
