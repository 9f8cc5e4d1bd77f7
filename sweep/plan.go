package sweep

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/collagesim/collagesim/sim"
)

// SLO is a latency objective: a quantile of the latency at or under a bound.
type SLO struct {
	Metric string  // p50, p90, p95, p99, p999 or mean
	Ms     float64 // bound in milliseconds
}

func (s SLO) String() string { return fmt.Sprintf("%s<=%gms", s.Metric, s.Ms) }

// ParseSLO reads "p99=300ms" (units ms, s, us).
func ParseSLO(s string) (SLO, error) {
	k, v, ok := strings.Cut(s, "=")
	k = strings.ToLower(strings.TrimSpace(k))
	v = strings.TrimSpace(v)
	bad := func(why string) (SLO, error) {
		return SLO{}, fmt.Errorf("sweep: SLO %q: %s; write it as METRIC=DURATION, e.g. p99=300ms (metrics: p50 p90 p95 p99 p999 mean)", s, why)
	}
	if !ok {
		return bad("no '='")
	}
	switch k {
	case "p50", "p90", "p95", "p99", "p999", "p99.9", "mean":
	default:
		return bad("unknown metric " + k)
	}
	if k == "p99.9" {
		k = "p999"
	}
	scale := 0.0
	for _, u := range []struct {
		suffix string
		ms     float64
	}{{"ms", 1}, {"us", 1e-3}, {"s", 1e3}} {
		if strings.HasSuffix(v, u.suffix) {
			v, scale = strings.TrimSuffix(v, u.suffix), u.ms
			break
		}
	}
	if scale == 0 {
		return bad("the bound needs a unit (ms, s, us)")
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || !(x > 0) {
		return bad("the bound must be a positive number")
	}
	return SLO{Metric: k, Ms: x * scale}, nil
}

// stat picks the SLO's metric from a summary.
func (s SLO) stat(m *sim.Summary) sim.Stat {
	switch s.Metric {
	case "p50":
		return m.P50Ms
	case "p90":
		return m.P90Ms
	case "p95":
		return m.P95Ms
	case "p999":
		return m.P999Ms
	case "mean":
		return m.MeanMs
	}
	return m.P99Ms
}

// Bound returns the figure the SLO is judged on: the upper end of the 95 %
// confidence interval, or the mean with a single replication.
func (s SLO) Bound(r *sim.StrategyResult) float64 {
	st := s.stat(&r.Summary)
	if math.IsNaN(float64(st.High)) {
		return float64(st.Mean)
	}
	return float64(st.High)
}

// Meets reports whether a result meets the SLO: stable, nothing failed, and
// the bound within the objective.
func (s SLO) Meets(r *sim.StrategyResult) bool {
	return !r.Unstable && r.Summary.Failed.Mean == 0 && s.Bound(r) <= s.Ms
}

// Sized is one strategy at one size of its single (S-CNN) pool.
type Sized struct {
	Strategy string
	Single   string // the pool that was sized
	N        int    // its servers
	Result   sim.StrategyResult
}

// WithSingle returns a copy of sc with only strategy s, its single pool sized n.
func WithSingle(sc *sim.Scenario, s, n int) (*sim.Scenario, string) {
	c := *sc
	spec := sc.Strategies[s]
	c.Strategies = []sim.StrategySpec{spec}
	c.Pools = append([]sim.PoolSpec(nil), sc.Pools...)
	name := spec.Pools[sim.PoolSingle]
	for i := range c.Pools {
		if c.Pools[i].Name == name {
			c.Pools[i].Servers = n
		}
	}
	return &c, name
}

// Evaluate simulates strategy s of sc with its single pool at n servers.
func Evaluate(sc *sim.Scenario, s, n, workers int) (Sized, error) {
	c, pool := WithSingle(sc, s, n)
	rs, err := sim.Simulate(c, workers)
	if err != nil {
		return Sized{}, err
	}
	return Sized{Strategy: sc.Strategies[s].Name, Single: pool, N: n, Result: rs[0]}, nil
}

// PlanResult is the answer for one strategy: the smallest size that meets
// the SLO (Met false when none up to the search limit does).
type PlanResult struct {
	Sized
	Met   bool
	Tried []Sized // every size evaluated, smallest first
}

// SmallestCluster finds, for every strategy of sc, the smallest single-pool
// size in [1, maxServers] whose result meets the SLO, trying sizes in
// increasing order (the answer is what a sweep over all sizes would give).
func SmallestCluster(sc *sim.Scenario, slo SLO, maxServers, workers int) ([]PlanResult, error) {
	var out []PlanResult
	for s := range sc.Strategies {
		var pr PlanResult
		for n := 1; n <= maxServers; n++ {
			z, err := Evaluate(sc, s, n, workers)
			if err != nil {
				return nil, err
			}
			pr.Tried = append(pr.Tried, z)
			pr.Sized = z
			if slo.Meets(&z.Result) {
				pr.Met = true
				break
			}
		}
		out = append(out, pr)
	}
	return out, nil
}

// LoadResult is the highest arrival rate at which a strategy, on the
// scenario's cluster, meets the SLO.
type LoadResult struct {
	Strategy string
	Rate     float64 // requests per second; 0 when even the lowest rate tried fails
	Result   sim.StrategyResult
}

// MaxLoad finds, for each strategy, the highest arrival rate (requests/s)
// that meets the SLO on the scenario's cluster: doubling from the scenario's
// rate until the SLO fails, then bisecting to a relative precision of 1 %.
func MaxLoad(sc *sim.Scenario, slo SLO, workers int) ([]LoadResult, error) {
	if sc.Arrivals.Process == sim.ArrivalTrace {
		return nil, fmt.Errorf("sweep: max load needs a rate; the scenario replays an arrival trace")
	}
	var out []LoadResult
	for s := range sc.Strategies {
		eval := func(rate float64) (sim.StrategyResult, bool, error) {
			c := *sc
			c.Strategies = sc.Strategies[s : s+1]
			c.Arrivals.Rate = rate
			if c.Arrivals.Process == sim.ArrivalMMPP {
				c.Arrivals.Rate2 = sc.Arrivals.Rate2 * rate / sc.Arrivals.Rate
			}
			rs, err := sim.Simulate(&c, workers)
			if err != nil {
				return sim.StrategyResult{}, false, err
			}
			return rs[0], slo.Meets(&rs[0]), nil
		}
		lr := LoadResult{Strategy: sc.Strategies[s].Name}
		lo, hi := 0.0, sc.Arrivals.Rate
		for k := 0; k < 12; k++ {
			r, ok, err := eval(hi)
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
			lo, lr.Result = hi, r
			hi *= 2
		}
		if lo == 0 { // the scenario's own rate fails: search below it
			hi = sc.Arrivals.Rate
		}
		for k := 0; k < 30 && hi-lo > 0.01*hi; k++ {
			mid := (lo + hi) / 2
			r, ok, err := eval(mid)
			if err != nil {
				return nil, err
			}
			if ok {
				lo, lr.Result = mid, r
			} else {
				hi = mid
			}
		}
		lr.Rate = lo
		out = append(out, lr)
	}
	return out, nil
}
