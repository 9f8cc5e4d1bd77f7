package testbed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

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
	GenLagP50         time.Duration // load generator: issue instant past the scheduled one
	GenLagP99         time.Duration
	// Quantile tables (101 points, p = 0, 0.01, .., 1) of the per-task
	// samples, for the calibrated scenario.
	RPCQuantiles, LBQuantiles, HoldExcessQuantiles []time.Duration
	EncodeMean                                     map[string]time.Duration // per collage/parity model: building one group's input
	ComputeP50                                     map[string]time.Duration // per model: ONNX Runtime's Run in the workers
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
	tr := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 256, IdleConnTimeout: 60 * time.Second, DisableCompression: true}
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
		res := sim.StrategyResult{Name: spec.Name, Kind: spec.Kind, Pools: poolUses(sc, spec)}
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
		res.Summary = summarise(res.Reps)
		res.CDF = cdfOf(merged)
		out.Strategies = append(out.Strategies, res)
	}
	all.into(&ov, sc)
	out.Overheads = ov
	out.Facts.Wall = time.Since(facts.Start)
	return out, nil
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

func newLBRun(ctx context.Context, cfg Config, sc *sim.Scenario, spec *sim.StrategySpec, seed uint64, data *inputs,
	b *models.Bundle, client *http.Client, urls func(string) []string, inputNames map[string]string) (*lbRun, error) {
	run := &lbRun{sc: sc, spec: spec, seed: seed, scale: cfg.TimeScale, client: client, data: data,
		pools: map[string]*lbPool{}, allDone: make(chan struct{}), computeNs: map[string][]int64{}}
	for role, name := range spec.Pools {
		ps := poolSpec(sc, name)
		if ps == nil {
			return nil, fmt.Errorf("testbed: strategy %q: no pool %q", spec.Name, name)
		}
		p := run.pools[name]
		if p == nil {
			p = &lbPool{name: name, spec: ps, model: ps.Model, input: inputNames[name], slots: max(1, ps.Slots)}
			if p.input == "" {
				p.input = "input"
			}
			_, p.external = cfg.Endpoints[name]
			for i, u := range urls(name) {
				p.servers = append(p.servers, &lbServer{pool: p, index: i, url: u})
			}
			if len(p.servers) == 0 {
				return nil, fmt.Errorf("testbed: pool %q has no servers", name)
			}
			run.pools[name] = p
		}
		switch role {
		case sim.PoolSingle:
			run.single = p
		default:
			run.other = p
		}
	}
	if run.single == nil {
		return nil, fmt.Errorf("testbed: strategy %q needs a single pool", spec.Name)
	}
	switch spec.Kind {
	case sim.StrategyHedge:
		if run.other == nil {
			run.other = run.single
		}
		after := spec.HedgeAfter
		if spec.HedgeQuantile > 0 {
			m := sc.Profile.Model(run.single.spec.Model)
			after = int64(m.Latency.Quantile(spec.HedgeQuantile))
		}
		run.hedgeAfter = run.wall(after)
	case sim.StrategyCollage:
		run.k = spec.Grid * spec.Grid
		m := sc.Profile.Model(run.other.spec.Model)
		bm, err := bundleModel(b, m)
		if err != nil {
			return nil, fmt.Errorf("testbed: %w", err)
		}
		run.collager = &models.Collager{Grid: spec.Grid, Cell: bm.InputShape[3] / spec.Grid}
	case sim.StrategyParity:
		run.k = spec.K
		if run.k == 0 {
			run.k = spec.Grid * spec.Grid
		}
		run.parityEnc = &models.ParityEncoder{K: run.k, Side: data.side}
	case sim.StrategyNone, sim.StrategyReplicate:
	default:
		return nil, fmt.Errorf("testbed: strategy %q: kind %q is not run by the testbed", spec.Name, spec.Kind)
	}
	return run, nil
}

// execute issues the requests at their scheduled instants, waits for the
// answers (at most drain after the last arrival), and returns the metrics.
func (run *lbRun) execute(ctx context.Context, drain time.Duration) (sim.Metrics, *hdr.Histogram, error) {
	sc := run.sc
	times := arrivalTimes(sc, run.seed, sc.Warmup+sc.Requests)
	run.reqs = make([]reqRec, len(times))
	run.remaining = len(times)
	if len(times) == 0 {
		close(run.allDone)
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	run.ctx = rctx
	run.epoch = time.Now().Add(20 * time.Millisecond)
	lags := make([]int64, 0, len(times))
	for i, at := range times {
		target := run.epoch.Add(run.wall(at))
		if d := time.Until(target); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return sim.Metrics{}, nil, fmt.Errorf("testbed: stopped: %w", ctx.Err())
			}
		}
		lags = append(lags, time.Since(target).Nanoseconds())
		run.arrive(int64(i), target)
	}
	lastArrival := time.Now()
	select {
	case <-run.allDone:
	case <-time.After(drain):
	case <-ctx.Done():
		return sim.Metrics{}, nil, fmt.Errorf("testbed: stopped: %w", ctx.Err())
	}
	// Let the losing copies still running finish, so the next run starts
	// on idle servers; then drop whatever is left.
	idle := time.Now().Add(drain)
	for time.Now().Before(idle) && run.busyServers() {
		time.Sleep(5 * time.Millisecond)
	}
	run.mu.Lock()
	run.closed = true
	run.mu.Unlock()
	cancel()
	run.genLag = lags
	m, h := run.metrics(lastArrival)
	return m, h, nil
}

func (run *lbRun) busyServers() bool {
	run.mu.Lock()
	defer run.mu.Unlock()
	for _, p := range run.pools {
		for _, s := range p.servers {
			if s.outstanding > 0 {
				return true
			}
		}
	}
	return false
}

func (run *lbRun) metrics(lastArrival time.Time) (sim.Metrics, *hdr.Histogram) {
	run.mu.Lock()
	defer run.mu.Unlock()
	sc := run.sc
	nan := sim.Float(math.NaN())
	m := sim.Metrics{Seed: run.seed, Sources: map[string]int64{}, Utilisation: map[string]sim.Float{},
		MeanQueue: map[string]sim.Float{}, MaxQueue: map[string]int64{}}
	h := newHist()
	var n, correct int64
	var mean, m2 float64
	for id := range run.reqs {
		if int64(id) < sc.Warmup {
			continue
		}
		m.Requests++
		r := &run.reqs[id]
		if !r.answered {
			continue
		}
		n++
		m.Sources[sim.Sources[r.src]]++
		if r.correct {
			correct++
		}
		ms := float64(r.latNs) / 1e6
		d := ms - mean
		mean += d / float64(n)
		m2 += d * (ms - mean)
		h.RecordValue(max(r.latNs, 1))
	}
	for _, src := range sim.Sources {
		if _, ok := m.Sources[src]; !ok {
			m.Sources[src] = 0
		}
	}
	m.Answered, m.Failed, m.Correct = n, m.Requests-n, correct
	m.Accuracy, m.MeanMs, m.StdMs, m.VarMs2, m.CV = nan, nan, nan, nan, nan
	m.P50Ms, m.P90Ms, m.P95Ms, m.P99Ms, m.P999Ms, m.MaxMs = nan, nan, nan, nan, nan, nan
	if n > 0 {
		m.Accuracy = sim.Float(float64(correct) / float64(n))
		v := 0.0
		if n > 1 {
			v = m2 / float64(n-1)
		}
		m.MeanMs, m.VarMs2, m.StdMs, m.CV = sim.Float(mean), sim.Float(v), sim.Float(math.Sqrt(v)), sim.Float(math.Sqrt(v)/mean)
		q := func(p float64) sim.Float { return sim.Float(float64(h.ValueAtQuantile(p)) / 1e6) }
		m.P50Ms, m.P90Ms, m.P95Ms, m.P99Ms, m.P999Ms = q(50), q(90), q(95), q(99), q(99.9)
		m.MaxMs = sim.Float(float64(h.Max()) / 1e6)
	}
	end := run.lastAns
	if end.Before(lastArrival) {
		end = lastArrival
	}
	endV := run.virtual(end.Sub(run.epoch))
	m.Tasks = run.tasksRun
	m.LoadAmplification = nan
	if len(run.reqs) > 0 {
		m.LoadAmplification = sim.Float(float64(run.tasksRun) / float64(len(run.reqs)))
	}
	m.SimulatedS = sim.Float(float64(endV) / 1e9)
	var busy float64
	hours := float64(endV) / 3600e9
	for name, p := range run.pools {
		busy += p.busy
		m.Utilisation[name] = sim.Float(p.busy / (float64(endV) * float64(len(p.servers)*p.slots)))
		m.MeanQueue[name] = nan // the load balancer does not see the workers' queues over time
		mq := 0
		for _, s := range p.servers {
			mq = max(mq, s.maxQueue)
		}
		m.MaxQueue[name] = int64(mq)
		m.ServerHours += sim.Float(float64(len(p.servers)) * hours)
		m.Cost += sim.Float(float64(len(p.servers)) * hours * p.spec.PricePerHour)
	}
	m.BusyS = sim.Float(busy / 1e9)
	m.WastedWork = nan
	if busy > 0 {
		m.WastedWork = sim.Float(1 - min(run.useful, busy)/busy)
	}
	if len(run.errs) > 0 {
		m.Unstable = true
		m.UnstableNote = fmt.Sprintf("%d tasks failed on the wire; first: %v", len(run.errs), run.errs[0])
	}
	if m.Failed > 0 && !m.Unstable {
		m.Unstable = true
		m.UnstableNote = fmt.Sprintf("%d requests were not answered within the drain bound after the last arrival", m.Failed)
	}
	return m, h
}

// lbStats pools the overhead samples of every run.
type lbStats struct {
	rpc, lb, lag, excess []int64
	encode               map[string][]int64
	compute              map[string][]int64
}

func (a *lbStats) add(run *lbRun) {
	run.mu.Lock()
	defer run.mu.Unlock()
	if a.encode == nil {
		a.encode, a.compute = map[string][]int64{}, map[string][]int64{}
	}
	a.rpc = append(a.rpc, run.rpcNs...)
	a.excess = append(a.excess, run.excessNs...)
	a.lb = append(a.lb, run.lbNs...)
	a.lag = append(a.lag, run.genLag...)
	if run.other != nil && len(run.encodeNs) > 0 {
		a.encode[run.other.spec.Model] = append(a.encode[run.other.spec.Model], run.encodeNs...)
	}
	for k, v := range run.computeNs {
		a.compute[k] = append(a.compute[k], v...)
	}
}

func meanOf(xs []int64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += float64(x)
	}
	return time.Duration(s / float64(len(xs)))
}

func durQ(xs []int64, p float64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	return time.Duration(quantileOf(xs, p))
}

func (a *lbStats) into(ov *Overheads, sc *sim.Scenario) {
	ov.RPCMean, ov.RPCP50, ov.RPCP99 = meanOf(a.rpc), durQ(a.rpc, 0.5), durQ(a.rpc, 0.99)
	ov.LBMean, ov.LBP99 = meanOf(a.lb), durQ(a.lb, 0.99)
	ov.HoldExcessMean, ov.HoldExcessP99 = meanOf(a.excess), durQ(a.excess, 0.99)
	ov.RPCQuantiles, ov.LBQuantiles, ov.HoldExcessQuantiles = table101(a.rpc), table101(a.lb), table101(a.excess)
	ov.GenLagP50, ov.GenLagP99 = durQ(a.lag, 0.5), durQ(a.lag, 0.99)
	for k, v := range a.encode {
		ov.EncodeMean[k] = meanOf(v)
	}
	for k, v := range a.compute {
		ov.ComputeP50[k] = durQ(v, 0.5)
	}
}

func timerOvershoot(n int) (p50, p99 time.Duration) {
	xs := make([]int64, n)
	for i := range xs {
		start := time.Now()
		time.Sleep(time.Millisecond)
		xs[i] = (time.Since(start) - time.Millisecond).Nanoseconds()
	}
	return durQ(xs, 0.5), durQ(xs, 0.99)
}

func healthRTT(ctx context.Context, client *http.Client, url string, n int) (p50, p99 time.Duration) {
	var xs []int64
	for range n {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/v2/health/ready", nil)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		xs = append(xs, time.Since(start).Nanoseconds())
	}
	return durQ(xs, 0.5), durQ(xs, 0.99)
}

func metadataOf(ctx context.Context, client *http.Client, url, model string) (*ModelMetadata, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/v2/models/"+model, nil)
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("testbed: model metadata of %q at %s: %w", model, url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("testbed: model metadata of %q at %s: HTTP %d: %s", model, url, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	var md ModelMetadata
	if err := jsonDecode(resp.Body, &md); err != nil {
		return nil, fmt.Errorf("testbed: model metadata of %q at %s: %w", model, url, err)
	}
	return &md, nil
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], " ")
}

// table101 is the quantile table of xs at p = 0, 0.01, .., 1 (negative
// samples, from clocks read on two processes, count as 0).
func table101(xs []int64) []time.Duration {
	if len(xs) == 0 {
		return nil
	}
	s := append([]int64(nil), xs...)
	slices.Sort(s)
	out := make([]time.Duration, 101)
	for i := range out {
		v := s[min(len(s)-1, i*(len(s)-1)/100)]
		out[i] = time.Duration(max(0, v))
	}
	return out
}
