package sweep

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

func testScenario() *sim.Scenario {
	return &sim.Scenario{
		Name: "sweeptest", Seed: 5, Requests: 3000, Warmup: 100, Replications: 2,
		Arrivals: sim.Arrivals{Process: sim.ArrivalPoisson, Rate: 200, Batch: 4},
		Pools: []sim.PoolSpec{
			{Name: "s", Model: "m", Servers: 4, PricePerHour: 1},
			{Name: "c", Model: "c", Servers: 1, PricePerHour: 1},
		},
		Strategies: []sim.StrategySpec{
			{Name: "none", Kind: sim.StrategyNone, Pools: map[string]string{sim.PoolSingle: "s"}},
			{Name: "collage", Kind: sim.StrategyCollage, Grid: 2, MaxWait: 5e6, Decoder: sim.DecoderFirst, Pools: map[string]string{sim.PoolSingle: "s", sim.PoolCollage: "c"}},
		},
		Profile: &sim.Profile{Name: "t", Models: []sim.Model{
			{Name: "m", Role: sim.RoleSingle, Latency: sim.Exponential(10e6), Accuracy: 0.9, Coverage: math.NaN()},
			{Name: "c", Role: sim.RoleCollage, Grid: 2, Latency: sim.Exponential(10e6), Accuracy: 0.8, Coverage: 0.9},
		}},
		Stability: sim.Stability{MaxOutstanding: 5000, MaxLatency: 3600e9},
	}
}

// testPoints sweeps the S-CNN pool size and the arrival rate; the smallest
// pool at the highest rate is overloaded.
func testPoints() (Header, []Point) {
	var pts []Point
	for _, n := range []int{1, 3, 5} {
		for _, rate := range []float64{100, 250} {
			sc := testScenario()
			sc.Pools[0].Servers = n
			sc.Arrivals.Rate = rate
			pts = append(pts, Point{Index: len(pts), Scenario: sc, Params: []results.Param{
				{Key: "pools.s.servers", Value: fmt.Sprint(n)}, {Key: "arrivals.rate", Value: fmt.Sprintf("%g/s", rate)}}})
		}
	}
	return Header{Scenario: "sweeptest", Seed: 5, Points: len(pts), SweepParams: []string{"pools.s.servers", "arrivals.rate"}, Tool: "test"}, pts
}

func mergedJSON(t *testing.T, dirs ...string) string {
	t.Helper()
	res, err := Merge(dirs...)
	if err != nil {
		t.Fatal(err)
	}
	b, err := results.JSON(res)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The merged results are byte-identical for 1 worker, all workers, and 3
// shards merged.
func TestMergedIdenticalAcrossWorkersAndShards(t *testing.T) {
	h, pts := testPoints()
	one, all, sharded := t.TempDir(), t.TempDir(), t.TempDir()
	if _, _, err := Run(h, pts, Options{Dir: one, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Run(h, pts, Options{Dir: all, Workers: 0}); err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for i := 0; i < 3; i++ {
		d := filepath.Join(sharded, fmt.Sprint(i))
		dirs = append(dirs, d)
		ran, _, err := Run(h, pts, Options{Dir: d, Workers: 2, Shard: Shard{I: i, N: 3}})
		if err != nil {
			t.Fatal(err)
		}
		if ran != 2 {
			t.Errorf("shard %d/3 ran %d points, want 2", i, ran)
		}
	}
	if _, err := Merge(dirs[0], dirs[1]); err == nil {
		t.Errorf("merging 2 of 3 shards did not report the missing points")
	}
	a, b, c := mergedJSON(t, one), mergedJSON(t, all), mergedJSON(t, dirs...)
	if a != b || a != c {
		t.Fatalf("merged results differ: 1 worker vs all workers equal: %v, vs 3 shards equal: %v", a == b, a == c)
	}
}

// Overloaded points are reported as unstable, and the sweep goes on.
func TestUnstablePointsReported(t *testing.T) {
	h, pts := testPoints()
	dir := t.TempDir()
	if _, _, err := Run(h, pts, Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	res, err := Merge(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Points) != len(pts) {
		t.Fatalf("%d points merged, want %d", len(res.Points), len(pts))
	}
	// 1 server, 250/s at 100/s capacity: unstable. 5 servers at 100/s: stable.
	if !res.Points[1].Strategies[0].Unstable {
		t.Errorf("point 1 (1 server, 250/s) not reported unstable")
	}
	if res.Points[4].Strategies[0].Unstable {
		t.Errorf("point 4 (5 servers, 100/s) reported unstable: %s", res.Points[4].Strategies[0].UnstableNote)
	}
}

// A sweep killed with SIGKILL and re-run with resume re-runs no completed
// point, loses none, and ends with the results of an uninterrupted sweep.
func TestResumeAfterKill(t *testing.T) {
	if dir := os.Getenv("COLLAGESIM_SWEEP_CHILD"); dir != "" {
		h, pts := testPoints()
		for i := range pts {
			pts[i].Scenario.Requests = 40_000 // slow enough to be killed mid-sweep
		}
		Run(h, pts, Options{Dir: dir, Workers: 1})
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestResumeAfterKill$")
	cmd.Env = append(os.Environ(), "COLLAGESIM_SWEEP_CHILD="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		m, _ := filepath.Glob(filepath.Join(dir, "points", "point-*.json"))
		if len(m) >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Kill() // SIGKILL
	cmd.Wait()
	done, _ := filepath.Glob(filepath.Join(dir, "points", "point-*.json"))
	if len(done) < 2 || len(done) == 6 {
		t.Skipf("kill landed with %d of 6 points done; nothing to resume", len(done))
	}
	before := map[string][]byte{}
	for _, p := range done {
		before[p], _ = os.ReadFile(p)
	}
	h, pts := testPoints()
	for i := range pts {
		pts[i].Scenario.Requests = 40_000
	}
	ran, skipped, err := Run(h, pts, Options{Dir: dir, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if skipped != len(done) || ran != 6-len(done) {
		t.Errorf("resume ran %d and kept %d points; %d were complete", ran, skipped, len(done))
	}
	for p, b := range before {
		if now, _ := os.ReadFile(p); !bytes.Equal(now, b) {
			t.Errorf("%s was re-run", p)
		}
	}
	fresh := t.TempDir()
	if _, _, err := Run(h, pts, Options{Dir: fresh}); err != nil {
		t.Fatal(err)
	}
	if mergedJSON(t, dir) != mergedJSON(t, fresh) {
		t.Errorf("resumed sweep differs from an uninterrupted one")
	}
}

// Without --resume, an output folder with point files is not overwritten.
func TestRefusesToMixSweeps(t *testing.T) {
	h, pts := testPoints()
	dir := t.TempDir()
	if _, _, err := Run(h, pts[:1], Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Run(h, pts[:1], Options{Dir: dir}); err == nil {
		t.Errorf("a second sweep into the same folder without resume was not refused")
	}
	h2 := h
	h2.Seed = 99
	if _, _, err := Run(h2, pts[:1], Options{Dir: dir, Resume: true}); err != nil {
		t.Fatal(err)
	}
	var f pointFile
	b, _ := os.ReadFile(PointPath(dir, 0))
	json.Unmarshal(b, &f)
	if f.Header.Seed != 99 {
		t.Errorf("resume kept a point of a different sweep (seed %d)", f.Header.Seed)
	}
}

// plan's answer is what a brute-force sweep over the same pool sizes gives.
func TestPlanAgreesWithBruteForce(t *testing.T) {
	sc := testScenario()
	sc.Arrivals.Rate = 250
	slo, err := ParseSLO("p99=80ms")
	if err != nil {
		t.Fatal(err)
	}
	plans, err := SmallestCluster(sc, slo, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	for s, p := range plans {
		want := -1
		for n := 1; n <= 10; n++ {
			z, err := Evaluate(sc, slo, s, n, 1)
			if err != nil {
				t.Fatal(err)
			}
			if slo.Meets(&z.Result, z.Within) {
				want = n
				break
			}
		}
		if want < 0 || !p.Met || p.N != want {
			t.Errorf("%s: plan says %d servers (met %v), brute force %d", p.Strategy, p.N, p.Met, want)
		}
	}
	if plans[1].N > plans[0].N {
		t.Errorf("collage needs more S-CNN servers (%d) than none (%d) for the same p99", plans[1].N, plans[0].N)
	}
}

func TestMaxLoad(t *testing.T) {
	sc := testScenario()
	sc.Strategies = sc.Strategies[:1]
	sc.Pools[0].Servers = 1
	sc.Arrivals.Batch = 1
	sc.Replications = 5
	slo, _ := ParseSLO("mean=50ms")
	lr, err := MaxLoad(sc, slo, 0)
	if err != nil {
		t.Fatal(err)
	}
	// M/M/1 with mean 10 ms: mean sojourn 1/(mu - lambda) <= 50 ms at lambda <= 80/s.
	// The bound is the upper CI end, so the answer lies a little below 80.
	if r := lr[0].Rate; !(r > 65 && r <= 80) {
		t.Errorf("max load %g/s, want just under 80/s", r)
	}
}

func TestParseSLOAndShard(t *testing.T) {
	for _, bad := range []string{"p99", "p99=300", "p98=1s", "p99=-1ms"} {
		if _, err := ParseSLO(bad); err == nil {
			t.Errorf("ParseSLO(%q) accepted", bad)
		}
	}
	if s, err := ParseSLO("p99.9=1.5s"); err != nil || s.Metric != "p999" || s.Ms != 1500 {
		t.Errorf("ParseSLO(p99.9=1.5s) = %+v, %v", s, err)
	}
	// A Slurm task's index is its shard whatever the array submitted: a
	// resubmitted --array=3 of a 4-shard sweep runs shard 3/4, not 0/1.
	for _, c := range []struct {
		env  map[string]string
		flag int
		want Shard
		ok   bool
	}{
		{map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "1", "SLURM_ARRAY_TASK_MIN": "3", "COLLAGESIM_SHARDS": "4"}, 0, Shard{I: 3, N: 4}, true},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "2"}, 3, Shard{I: 2, N: 3}, true},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "2"}, 0, Shard{}, false},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "4", "COLLAGESIM_SHARDS": "3"}, 0, Shard{}, false},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "x", "COLLAGESIM_SHARDS": "3"}, 0, Shard{}, false},
	} {
		sh, ok, err := ShardFromEnv(func(k string) string { return c.env[k] }, c.flag)
		if sh != c.want || ok != c.ok || (err == nil) != c.ok {
			t.Errorf("ShardFromEnv(%v, %d) = %+v %v %v, want %+v %v", c.env, c.flag, sh, ok, err, c.want, c.ok)
		}
	}
	env := map[string]string{"JOB_COMPLETION_INDEX": "1"}
	if _, _, err := ShardFromEnv(func(k string) string { return env[k] }, 0); err == nil {
		t.Errorf("JOB_COMPLETION_INDEX without a count accepted")
	}
	if sh, ok, _ := ShardFromEnv(func(k string) string { return env[k] }, 3); !ok || sh != (Shard{I: 1, N: 3}) {
		t.Errorf("kubernetes shard = %+v", sh)
	}
	for _, bad := range []string{"3/3", "1", "a/b", "-1/2"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
}

// BenchmarkSweepWorkers runs the same 6-point sweep on 1 and 2 workers.
func BenchmarkSweepWorkers(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			h, pts := testPoints()
			for i := range pts {
				pts[i].Scenario.Requests = 100_000
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				dir := b.TempDir()
				if _, _, err := Run(h, pts, Options{Dir: dir, Workers: w}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(pts))/b.Elapsed().Seconds(), "points/s")
		})
	}
}
