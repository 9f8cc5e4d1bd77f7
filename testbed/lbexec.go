package testbed

import (
	"context"
	"fmt"
	"net/http"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/sim"
)

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
