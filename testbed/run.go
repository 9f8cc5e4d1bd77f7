package testbed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/sim"
)

// Config says how to run a scenario on the testbed.
type Config struct {
	Scenario *sim.Scenario
	// Requests overrides the scenario's counted requests (0: keep them).
	Requests int64
	// TimeScale F: service times and arrival gaps are divided by F on the
	// wall clock, and measured latencies multiplied by F.
	TimeScale float64
	// ModelsDir holds the bundled models (bundle.json), see models.Build.
	ModelsDir string
	// Images are the labelled requests (nil: 1000 held-out synthetic images, seed 2).
	Images *models.Dataset
	// WorkerCommand starts a worker process (it reads its WorkerSpec on stdin);
	// WorkerEnv is added to its environment.
	WorkerCommand []string
	WorkerEnv     []string
	// Endpoints sends a pool's tasks to servers already running (pool -> base URLs).
	Endpoints map[string][]string
	ORTLib    string
	// Threads: ONNX Runtime intra-op threads per worker (default 1).
	Threads int
	// Drain bounds the wait for the last answers after the last arrival (default 30 s).
	Drain time.Duration
	Log   io.Writer
}

// Outcome is what a testbed run measured.
type Outcome struct {
	Strategies []sim.StrategyResult
	Overheads  Overheads   // pooled over every strategy
	ByStrategy []Overheads // each strategy's own, in the scenario's order: the load differs
	Facts      Facts
}

// Facts are the wall-clock conditions of a run.
type Facts struct {
	Host      string
	CPU       string
	CPUs      int
	LoadAvg   string // /proc/loadavg before the run
	Start     time.Time
	Wall      time.Duration
	TimeScale float64
	Workers   int
	Pids      []int // the worker processes, all ended when Run returns
}

// Overheads are the testbed's own costs, measured during the run (wall
// time unless the name says virtual).
type Overheads struct {
	TimerOvershootP50 time.Duration // time.Sleep(1 ms) past its deadline
	TimerOvershootP99 time.Duration
	HealthRTTP50      time.Duration // GET /v2/health/ready round trip
	HealthRTTP99      time.Duration
	RPCMean           time.Duration // infer round trip minus the worker's queue and hold time
	RPCP50            time.Duration
	RPCP99            time.Duration
	HoldExcessMean    time.Duration // a worker's hold past the drawn time / F: timer overshoot, compute beyond the draw
	HoldExcessP99     time.Duration
	LBMean            time.Duration // request arrival to its first task on the wire
	LBP99             time.Duration
	TaskMean          time.Duration // per task: from when the strategy sends it to on the wire, plus the RPC overhead
	TaskP99           time.Duration
	// SameInstantCorr is the correlation of the task overheads of tasks due
	// at the same instant (a batch's requests, a request's copies), over
	// SameInstantPairs pairs; NaN when too few.
	SameInstantCorr  float64
	SameInstantPairs int
	GenLagP50        time.Duration // load generator: issue instant past the scheduled one
	GenLagP99        time.Duration
	// Quantile tables (101 points, p = 0, 0.01, .., 1) of the per-task
	// samples, for the calibrated scenario.
	RPCQuantiles, LBQuantiles, HoldExcessQuantiles []time.Duration
	// TaskQuantiles is the quantile table of each task's own overhead
	// outside the worker (TaskMean): the calibrated network.
	TaskQuantiles []time.Duration
	// The same per-task samples split at the instants with two or more
	// tasks due (a batch's requests, a request's copies): per instant the
	// smallest overhead is shared by all of them (SharedQuantiles, one
	// sample per instant), and each task's overhead past it is its own
	// (OwnQuantiles, one sample per task, never negative). The calibrated
	// network_shared and, halved, network. SplitInstants and SplitTasks
	// count what the split rests on; SingleTasks are the tasks alone at
	// their instant (a collage or parity task, due when its group is
	// encoded; a task leaving a central queue), which cannot be split.
	SharedQuantiles, OwnQuantiles          []time.Duration
	SharedMean, SharedP99, OwnMean, OwnP99 time.Duration
	SplitInstants, SplitTasks, SingleTasks int
	// The check of the split: the split tasks' measured overhead
	// (SplitTaskMean, SplitTaskP99) against shared + own/2 + own/2 drawn
	// independently from the samples, as the calibrated simulator draws a
	// task's way out and back (SplitModelMean, SplitModelP99, and the
	// same-instant correlation that implies, SplitModelCorr); and the
	// per-task table as the simulator drew it without the split, X/2 + X/2
	// (TaskModelP99, correlation 0).
	SplitTaskMean, SplitTaskP99, SplitModelMean, SplitModelP99, TaskModelP99 time.Duration
	SplitModelCorr                                                           float64

	EncodeMean map[string]time.Duration // per collage/parity model: building one group's input
	ComputeP50 map[string]time.Duration // per model: ONNX Runtime's Run in the workers
}

// Run starts the cluster, runs every strategy of the scenario (each
// replication in turn), stops the cluster and returns the results.
func Run(ctx context.Context, cfg Config) (*Outcome, error) {
	sc := cfg.Scenario
	if sc == nil || sc.Profile == nil {
		return nil, errors.New("testbed: no scenario or no profile")
	}
	if !(cfg.TimeScale > 0) || math.IsInf(cfg.TimeScale, 0) {
		return nil, fmt.Errorf("testbed: time scale %g must be > 0", cfg.TimeScale)
	}
	if err := checkStragglers(sc.Stragglers); err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.Drain <= 0 {
		cfg.Drain = 30 * time.Second
	}
	if cfg.Requests > 0 {
		c := *sc
		c.Requests = cfg.Requests
		sc = &c
	}
	if sc.Requests <= 0 {
		return nil, fmt.Errorf("testbed: scenario %s has no request count (duration-bound runs need --requests)", sc.Name)
	}
	if sc.Network.Kind != sim.DistNone {
		fmt.Fprintf(cfg.Log, "testbed: the scenario's network delay (%s) is not added: the testbed's network is real\n", sc.Network)
	}
	if sc.NetworkShared.Kind != sim.DistNone {
		fmt.Fprintf(cfg.Log, "testbed: the scenario's shared network delay (%s) is not added: the testbed's network is real\n", sc.NetworkShared)
	}
	bundle, err := models.ReadBundle(cfg.ModelsDir)
	if err != nil {
		return nil, fmt.Errorf("testbed: models folder %s: %w (build the bundled models with `make calibrate`, or give --models)", cfg.ModelsDir, err)
	}
	used := usedPools(sc)
	var specs []WorkerSpec
	for _, ps := range sc.Pools {
		if !used[ps.Name] {
			continue
		}
		m := sc.Profile.Model(ps.Model)
		if m == nil {
			return nil, fmt.Errorf("testbed: pool %q: model %q is not in profile %q", ps.Name, ps.Model, sc.Profile.Name)
		}
		bm, err := bundleModel(bundle, m)
		if err != nil {
			return nil, fmt.Errorf("testbed: pool %q: %w (in %s)", ps.Name, err, cfg.ModelsDir)
		}
		if _, ext := cfg.Endpoints[ps.Name]; ext {
			continue
		}
		for s := 0; s < ps.Servers; s++ {
			specs = append(specs, WorkerSpec{Pool: ps.Name, Server: s, Servers: ps.Servers, Slots: max(1, ps.Slots),
				Model: ps.Model, File: cfg.ModelsDir + "/" + bm.File, Latency: m.Latency, Strag: sc.Stragglers,
				TimeScale: cfg.TimeScale, Threads: cfg.Threads, ORTLib: cfg.ORTLib})
		}
	}
	data, err := loadInputs(cfg, bundle)
	if err != nil {
		return nil, err
	}
	facts := Facts{Host: hostname(), CPU: cpuModel(), CPUs: runtime.NumCPU(), LoadAvg: loadAvg(), Start: time.Now(),
		TimeScale: cfg.TimeScale, Workers: len(specs)}
	fmt.Fprintf(cfg.Log, "testbed: starting %d worker processes\n", len(specs))
	var cl *Cluster
	if len(specs) > 0 {
		if cl, err = Start(ctx, cfg.WorkerCommand, cfg.WorkerEnv, specs); err != nil {
			return nil, err
		}
		defer cl.Stop()
		facts.Pids = cl.Pids()
	}
	urls := func(pool string) []string {
		if u, ok := cfg.Endpoints[pool]; ok {
			return u
		}
		return cl.URLs(pool)
	}
	tr := newTransport()
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	inputNames := map[string]string{}
	for name := range used {
		u := urls(name)
		if len(u) == 0 {
			continue
		}
		md, err := metadataOf(ctx, client, u[0], poolSpec(sc, name).Model)
		if err != nil {
			return nil, err
		}
		if len(md.Inputs) > 0 {
			inputNames[name] = md.Inputs[0].Name
		}
	}
	ov := Overheads{EncodeMean: map[string]time.Duration{}, ComputeP50: map[string]time.Duration{}}
	ov.TimerOvershootP50, ov.TimerOvershootP99 = timerOvershoot(200)
	if cl != nil {
		ov.HealthRTTP50, ov.HealthRTTP99 = healthRTT(ctx, client, cl.procs[0].URL, 200)
	}
	var all lbStats
	out := &Outcome{Facts: facts}
	for si := range sc.Strategies {
		spec := &sc.Strategies[si]
		res := sim.StrategyResult{Name: spec.Name, Kind: spec.Kind, Pools: sim.PoolUses(sc, spec)}
		var cost float64
		for _, p := range res.Pools {
			res.Servers += p.Servers
			cost += float64(p.Servers) * float64(p.PricePerHour)
		}
		res.CostHour = sim.Float(cost)
		merged := newHist()
		var mine lbStats
		for rep := 0; rep < max(1, sc.Replications); rep++ {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("testbed: stopped: %w", err)
			}
			if cl != nil {
				if err := cl.Exited(); err != nil {
					return nil, err
				}
			}
			seed := sim.RepSeed(sc.Seed, rep)
			run, err := newLBRun(ctx, cfg, sc, spec, seed, data, bundle, client, urls, inputNames)
			if err != nil {
				return nil, err
			}
			start := time.Now()
			m, h, err := run.execute(ctx, cfg.Drain)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(cfg.Log, "testbed: %s rep %d: %d requests, %d answered, mean %.2f ms, p99 %.2f ms (%.1fs)\n",
				spec.Name, rep, m.Requests, m.Answered, float64(m.MeanMs), float64(m.P99Ms), time.Since(start).Seconds())
			res.Reps = append(res.Reps, m)
			merged.Merge(h)
			all.add(run)
			mine.add(run)
			if m.Unstable && !res.Unstable {
				res.Unstable, res.UnstableNote = true, fmt.Sprintf("replication %d (seed %d): %s", rep, seed, m.UnstableNote)
			}
		}
		own := Overheads{EncodeMean: map[string]time.Duration{}, ComputeP50: map[string]time.Duration{},
			TimerOvershootP50: ov.TimerOvershootP50, TimerOvershootP99: ov.TimerOvershootP99, HealthRTTP50: ov.HealthRTTP50, HealthRTTP99: ov.HealthRTTP99}
		mine.into(&own, sc)
		out.ByStrategy = append(out.ByStrategy, own)
		res.Summary = sim.Summarise(res.Reps)
		res.CDF = cdfOf(merged)
		out.Strategies = append(out.Strategies, res)
	}
	all.into(&ov, sc)
	out.Overheads = ov
	out.Facts.Wall = time.Since(facts.Start)
	return out, nil
}

// newTransport is the load balancer's HTTP transport: keep-alive connections,
// enough idle ones per server for its outstanding tasks, and a write buffer
// that takes an infer call's headers and tensor together (the default 4 KiB
// split a 32x32 image's call into four write calls).
func newTransport() *http.Transport {
	return &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 256, IdleConnTimeout: 60 * time.Second, DisableCompression: true,
		WriteBufferSize: 64 << 10}
}

func usedPools(sc *sim.Scenario) map[string]bool {
	used := map[string]bool{}
	for _, st := range sc.Strategies {
		for _, p := range st.Pools {
			used[p] = true
		}
	}
	return used
}

func poolSpec(sc *sim.Scenario, name string) *sim.PoolSpec {
	for i := range sc.Pools {
		if sc.Pools[i].Name == name {
			return &sc.Pools[i]
		}
	}
	return nil
}

// bundleModel finds the bundled model that plays profile model m: the same
// name, else the same role and grid (or k).
func bundleModel(b *models.Bundle, m *sim.Model) (*models.BuiltModel, error) {
	for i := range b.Models {
		if b.Models[i].Name == m.Name {
			return &b.Models[i], nil
		}
	}
	var have []string
	for i := range b.Models {
		bm := &b.Models[i]
		have = append(have, bm.Name)
		if bm.Role == m.Role && (m.Role == sim.RoleSingle || bm.Grid == m.Grid) {
			return bm, nil
		}
	}
	return nil, fmt.Errorf("no bundled model plays %q (role %s, grid %d); the bundle has %s", m.Name, m.Role, m.Grid, strings.Join(have, ", "))
}

func loadInputs(cfg Config, b *models.Bundle) (*inputs, error) {
	side := 0
	for _, m := range b.Models {
		if m.Role == sim.RoleSingle && len(m.InputShape) == 4 {
			side = m.InputShape[3]
		}
	}
	if side == 0 {
		return nil, fmt.Errorf("testbed: %s: the bundle has no S-CNN model", cfg.ModelsDir)
	}
	d := cfg.Images
	if d == nil {
		d = models.Synthetic(2, 1000, side)
	}
	if d.Len() == 0 {
		return nil, errors.New("testbed: the image set is empty")
	}
	in := &inputs{side: side, labels: d.Labels}
	for _, img := range d.Images {
		if img.W != side || img.H != side {
			img = models.Resize(img, side, side)
		}
		in.images = append(in.images, img)
	}
	return in, nil
}
