package sweep

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

func TestParseWithinSLO(t *testing.T) {
	for in, want := range map[string]SLO{
		"within=300ms":         {Metric: "within", Ms: 300, Share: 0.99},
		"within=0.3s@99.9%":    {Metric: "within", Ms: 300, Share: 0.999},
		"within = 250ms @ 95 ": {Metric: "within", Ms: 250, Share: 0.95},
		"P99=300ms":            {Metric: "p99", Ms: 300},
	} {
		got, err := ParseSLO(in)
		if err != nil || got.Metric != want.Metric || math.Abs(got.Ms-want.Ms) > 1e-9 || math.Abs(got.Share-want.Share) > 1e-12 {
			t.Errorf("ParseSLO(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"within=300ms@0", "within=300ms@101%", "within=300", "within=1e300s", "p99=NaNms", "p99=infms"} {
		if _, err := ParseSLO(bad); err == nil || !strings.Contains(err.Error(), "within=300ms@99.9%") {
			t.Errorf("ParseSLO(%q): %v, want an error that shows the forms", bad, err)
		}
	}
}

// traceCounter keeps every answer's latency, to count the share within by hand.
type traceCounter struct {
	mu     sync.Mutex
	lat    map[string][]int64
	failed map[string]int64 // failed requests' records
}

type keepSink struct {
	c   *traceCounter
	key string
}

func (k keepSink) Answer(r sim.TraceRecord) {
	k.c.mu.Lock()
	defer k.c.mu.Unlock()
	if r.Failed {
		k.c.failed[k.key]++
		return
	}
	k.c.lat[k.key] = append(k.c.lat[k.key], r.LatencyNs)
}
func (k keepSink) Close() error { return nil }

// The share within an SLO is the count of answers within the bound over the
// counted requests of each replication, and results do not change with it.
func TestSimulateCountsShareWithin(t *testing.T) {
	sc := testScenario()
	sc.Replications = 3
	checkShareWithin(t, sc)
}

// Requests that never got an answer reach the trace as failed records and
// count as outside the SLO bound, although their records carry no latency.
func TestShareWithinSkipsFailed(t *testing.T) {
	sc := testScenario()
	sc.Replications = 3
	sc.Stragglers = []sim.StragglerSpec{{Kind: sim.StragglerFailure, Pools: []string{"s", "c"}, FailAfter: sim.Exponential(1e9), RepairAfter: sim.Exponential(500e6)}}
	c := checkShareWithin(t, sc)
	n := int64(0)
	for _, f := range c.failed {
		n += f
	}
	if n == 0 {
		t.Error("no failed request under server failures: the test checks nothing")
	}
}

// checkShareWithin checks Simulate's share within 25 ms against the one
// counted from the trace, and the trace's failed records against the
// results' failed requests.
func checkShareWithin(t *testing.T, sc *sim.Scenario) *traceCounter {
	t.Helper()
	c := &traceCounter{lat: map[string][]int64{}, failed: map[string]int64{}}
	trace := func(s string, r int) (sim.TraceSink, error) { return keepSink{c, fmt.Sprintf("%s/%d", s, r)}, nil }
	ss, within, err := Simulate(sc, SimOptions{Workers: 2, WithinMs: 25, Trace: trace})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := sim.Simulate(sc, 1)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := results.JSON(&results.Results{Points: []results.Point{{Strategies: ss}}})
	b, _ := results.JSON(&results.Results{Points: []results.Point{{Strategies: plain}}})
	if !bytes.Equal(a, b) {
		t.Fatal("Simulate with an SLO and a trace gives other results than sim.Simulate")
	}
	for _, s := range ss {
		var xs []float64
		for r, m := range s.Reps {
			n := 0
			for _, l := range c.lat[fmt.Sprintf("%s/%d", s.Name, r)] {
				if l <= 25e6 {
					n++
				}
			}
			xs = append(xs, float64(n)/float64(m.Requests))
			if f := c.failed[fmt.Sprintf("%s/%d", s.Name, r)]; f != m.Failed {
				t.Errorf("%s replication %d: %d failed records in the trace, %d failed requests", s.Name, r, f, m.Failed)
			}
		}
		want := shareStat(xs)
		got := within[s.Name]
		if got != want || !(got.Mean > 0 && got.Mean < 1) || !(got.Low < got.Mean && got.Mean < got.High) {
			t.Errorf("%s: within %+v, want %+v (counted from the trace)", s.Name, got, want)
		}
	}
	return c
}

func TestShareStat(t *testing.T) {
	st := shareStat([]float64{0.99, 1, 1})
	if st.High != 1 || !(st.Low < st.Mean) {
		t.Errorf("CI of shares not clipped to 1: %+v", st)
	}
	if st := shareStat([]float64{0.5}); st.Mean != 0.5 || !math.IsNaN(float64(st.Low)) {
		t.Errorf("one replication: %+v", st)
	}
}

// An SLO below every service time is missed at every size and every rate:
// plan says so after one size and the rate search stops at once, without
// halving the rate towards zero.
func TestPlanUnattainableSLO(t *testing.T) {
	sc := testScenario()
	for i := range sc.Profile.Models {
		sc.Profile.Models[i].Latency = sim.Const(50e6)
	}
	sc.Pools[1].Servers = 8 // the collage pool keeps up
	slo, _ := ParseSLO("p99=10ms")
	plans, err := SmallestCluster(sc, slo, 64, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plans {
		if p.Met || len(p.Tried) >= 64 || !strings.Contains(p.Note, "without queueing") {
			t.Errorf("%s: met %v after %d sizes, note %q", p.Strategy, p.Met, len(p.Tried), p.Note)
		}
	}
	loads, err := MaxLoad(sc, slo, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range loads {
		if l.Rate != 0 || l.Note == "" {
			t.Errorf("%s: max load %g, note %q", l.Strategy, l.Rate, l.Note)
		}
	}
}

// A tiny rate does not send the search below the bounded range.
func TestMaxLoadStaysInRange(t *testing.T) {
	sc := testScenario()
	sc.Strategies = sc.Strategies[:1]
	sc.Arrivals.Rate = 1e-5
	sc.Requests, sc.Replications = 200, 2
	slo, _ := ParseSLO("p99=1s")
	loads, err := MaxLoad(sc, slo, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r := loads[0].Rate; r <= 0 || r > 1e-5*loadRange {
		t.Errorf("max load %g/s, want within (0, %g]", r, 1e-5*loadRange)
	}
	if _, err := SmallestCluster(sc, slo, 0, 0); err == nil || !strings.Contains(err.Error(), "must be at least 1") {
		t.Errorf("max servers 0: %v", err)
	}
}

func TestPlanCSVAndTable(t *testing.T) {
	sc := testScenario()
	sc.Arrivals.Rate = 250
	slo, _ := ParseSLO("within=100ms@90%")
	plans, err := SmallestCluster(sc, slo, 6, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := PlanCSV(slo, plans, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(PlanColumns, ",") {
		t.Fatalf("plan.csv: %v\n%s", err, b)
	}
	for i, p := range plans {
		got, err := strconv.ParseFloat(rows[i+1][11], 64)
		if err != nil || got != float64(p.Within.Mean) || !p.Met || Attained(p.Within) < 0.9 {
			t.Errorf("%s: within_slo %q, want %v, met (met %v at %d, attained %v)", p.Strategy, rows[i+1][11], p.Within.Mean, p.Met, p.N, Attained(p.Within))
		}
	}
	var tb bytes.Buffer
	if err := PlanTable(&tb, "x", 250, slo, plans, nil, 6); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(tb.String(), "\n") {
		if len([]rune(line)) > results.Width {
			t.Errorf("line of %d columns: %q", len([]rune(line)), line)
		}
	}
	if !strings.Contains(tb.String(), "within 100ms") {
		t.Errorf("plan table:\n%s", tb.String())
	}
}

// A sweep with an SLO stores the share within per point, and a sweep's trace
// files go to one folder per point.
func TestSweepSLOAndTrace(t *testing.T) {
	h, pts := testPoints()
	pts = pts[:2]
	h.Points = 2
	slo, _ := ParseSLO("p99=80ms")
	h.SLO = slo.Results()
	dir := t.TempDir()
	_, _, err := Run(h, pts, Options{Dir: dir, Trace: func(i int) func(string, int) (sim.TraceSink, error) {
		return results.TraceFiles(filepath.Join(dir, "traces", fmt.Sprintf("point-%05d", i)))
	}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Merge(dir)
	if err != nil {
		t.Fatal(err)
	}
	if res.SLO == nil || res.SLO.WithinMs != 80 || len(res.Points[1].Within) != 2 {
		t.Errorf("merged SLO %+v, within %v", res.SLO, res.Points[1].Within)
	}
	if _, err := os.Stat(filepath.Join(dir, "traces", "point-00001", "trace-collage-rep1.csv")); err != nil {
		t.Errorf("trace of point 1: %v", err)
	}
}

func TestCanMaxLoad(t *testing.T) {
	sc := testScenario()
	if err := CanMaxLoad(sc); err != nil {
		t.Errorf("Poisson arrivals: %v", err)
	}
	sc.Arrivals.Process = sim.ArrivalTrace
	if err := CanMaxLoad(sc); err == nil || !strings.Contains(err.Error(), "arrival trace") {
		t.Errorf("trace arrivals: %v", err)
	}
	if _, err := MaxLoad(sc, SLO{Metric: "p99", Ms: 1}, 1); err == nil {
		t.Errorf("MaxLoad searched a trace")
	}
}
