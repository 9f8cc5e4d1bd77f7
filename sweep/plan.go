package sweep

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

// Sized is one strategy at one size of its single (S-CNN) pool.
type Sized struct {
	Strategy string
	Single   string // the pool that was sized
	N        int    // its servers
	Result   sim.StrategyResult
	Within   sim.Stat // share of requests within the SLO's bound
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

// evaluate simulates the one strategy of c and counts the share within the SLO.
func evaluate(c *sim.Scenario, slo SLO, workers int) (sim.StrategyResult, sim.Stat, error) {
	rs, within, err := Simulate(c, SimOptions{Workers: workers, WithinMs: slo.Ms})
	if err != nil {
		return sim.StrategyResult{}, sim.Stat{}, err
	}
	return rs[0], within[rs[0].Name], nil
}

// Evaluate simulates strategy s of sc with its single pool at n servers.
func Evaluate(sc *sim.Scenario, slo SLO, s, n, workers int) (Sized, error) {
	c, pool := WithSingle(sc, s, n)
	r, within, err := evaluate(c, slo, workers)
	if err != nil {
		return Sized{}, err
	}
	return Sized{Strategy: sc.Strategies[s].Name, Single: pool, N: n, Result: r, Within: within}, nil
}

// idleQueue is the time-averaged queue length under which a pool counts as
// not queueing: more servers cannot shorten its latency.
const idleQueue = 0.01

// queueFree reports whether a stable result queued (almost) nowhere in the
// given pools (all pools when none is given), so that neither more servers
// there nor less load can make it faster.
func queueFree(r *sim.StrategyResult, pools ...string) bool {
	if r.Unstable {
		return false
	}
	for name, q := range r.Summary.MeanQueue {
		if (len(pools) == 0 || slices.Contains(pools, name)) && !(float64(q.Mean) < idleQueue) {
			return false
		}
	}
	return true
}

// PlanResult is the answer for one strategy: the smallest size that meets
// the SLO (Met false when none up to the search limit does, with Note
// saying why).
type PlanResult struct {
	Sized
	Met   bool
	Note  string
	Tried []Sized // every size evaluated, smallest first
}

// SmallestCluster finds, for every strategy of sc, the smallest single-pool
// size in [1, maxServers] whose result meets the SLO, trying sizes in
// increasing order (the answer is what a sweep over all sizes would give).
// It stops early when a size fails the SLO without queueing in the sized
// pool: more servers there cannot do better.
func SmallestCluster(sc *sim.Scenario, slo SLO, maxServers, workers int) ([]PlanResult, error) {
	if maxServers < 1 {
		return nil, fmt.Errorf("sweep: largest pool size %d: must be at least 1", maxServers)
	}
	var out []PlanResult
	for s := range sc.Strategies {
		var pr PlanResult
		for n := 1; n <= maxServers; n++ {
			z, err := Evaluate(sc, slo, s, n, workers)
			if err != nil {
				return nil, err
			}
			pr.Tried = append(pr.Tried, z)
			pr.Sized = z
			if slo.Meets(&z.Result, z.Within) {
				pr.Met = true
				break
			}
			if queueFree(&z.Result, z.Single) {
				pr.Note = fmt.Sprintf("missed without queueing in pool %s at %d servers: more servers cannot meet the SLO", z.Single, n)
				break
			}
		}
		if !pr.Met && pr.Note == "" {
			pr.Note = fmt.Sprintf("missed at every size up to --max-servers %d", maxServers)
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
	Within   sim.Stat
	Note     string // when the answer is a bound of the searched range
}

// CanMaxLoad says why MaxLoad cannot search sc, if it cannot: it needs an
// arrival rate to scale.
func CanMaxLoad(sc *sim.Scenario) error {
	if sc.Arrivals.Process == sim.ArrivalTrace {
		return fmt.Errorf("sweep: max load needs a rate; the scenario replays an arrival trace")
	}
	if !(sc.Arrivals.Rate > 0) || math.IsInf(sc.Arrivals.Rate, 0) {
		return fmt.Errorf("sweep: max load: the scenario's rate %g/s is not a positive number", sc.Arrivals.Rate)
	}
	return nil
}

// loadRange bounds MaxLoad's search to [rate/loadRange, rate*loadRange] of
// the scenario's rate.
const loadRange = 1024

// maxVirtualS bounds the virtual time a search run may need (requests over
// rate), far inside the nanosecond clock's range (about 292 years).
const maxVirtualS = 1e8

// MaxLoad finds, for each strategy, the highest arrival rate (requests/s)
// that meets the SLO on the scenario's cluster: doubling from the scenario's
// rate until the SLO fails, then bisecting to a relative precision of 1 %.
// The search stays within loadRange of the scenario's rate; an SLO missed at
// the scenario's rate without any queueing is missed at every rate (Rate 0).
func MaxLoad(sc *sim.Scenario, slo SLO, workers int) ([]LoadResult, error) {
	if err := CanMaxLoad(sc); err != nil {
		return nil, err
	}
	floor := max(sc.Arrivals.Rate/loadRange, float64(sc.Requests+sc.Warmup)/maxVirtualS)
	var out []LoadResult
	for s := range sc.Strategies {
		eval := func(rate float64) (sim.StrategyResult, sim.Stat, bool, error) {
			c := *sc
			c.Strategies = sc.Strategies[s : s+1]
			c.Arrivals.Rate = rate
			if c.Arrivals.Process == sim.ArrivalMMPP {
				c.Arrivals.Rate2 = sc.Arrivals.Rate2 * rate / sc.Arrivals.Rate
			}
			r, within, err := evaluate(&c, slo, workers)
			if err != nil {
				return r, within, false, fmt.Errorf("sweep: max load of %s at %g/s: %w", sc.Strategies[s].Name, rate, err)
			}
			return r, within, slo.Meets(&r, within), nil
		}
		lr := LoadResult{Strategy: sc.Strategies[s].Name}
		keep := func(rate float64, r sim.StrategyResult, within sim.Stat) {
			lr.Rate, lr.Result, lr.Within = rate, r, within
		}
		lo, hi := 0.0, sc.Arrivals.Rate
		for k := 0; k <= 10; k++ { // up to rate * 2^10 = rate * loadRange
			r, within, ok, err := eval(hi)
			if err != nil {
				return nil, err
			}
			if !ok {
				if k == 0 && queueFree(&r) {
					lr.Note = "missed without queueing at the scenario's rate: no rate meets the SLO"
				}
				break
			}
			keep(hi, r, within)
			lo = hi
			if k == 10 {
				lr.Note = fmt.Sprintf("met at every rate tried, up to %g/s", hi)
			}
			hi *= 2
		}
		if lr.Note != "" {
			out = append(out, lr)
			continue
		}
		if lo == 0 { // the scenario's own rate fails: search below it
			r, within, ok, err := eval(floor)
			if err != nil {
				return nil, err
			}
			if !ok {
				lr.Note = fmt.Sprintf("missed even at %g/s", floor)
				out = append(out, lr)
				continue
			}
			keep(floor, r, within)
			lo = floor
		}
		for k := 0; k < 30 && hi-lo > 0.01*hi; k++ {
			mid := (lo + hi) / 2
			r, within, ok, err := eval(mid)
			if err != nil {
				return nil, err
			}
			if ok {
				lo = mid
				keep(mid, r, within)
			} else {
				hi = mid
			}
		}
		out = append(out, lr)
	}
	return out, nil
}

// PlanColumns are plan.csv's columns.
var PlanColumns = []string{"strategy", "slo", "met", "single_pool", "single_servers", "servers", "cost_per_hour",
	"bound_ms", "p99_ms", "p99_ms_ci_low", "p99_ms_ci_high", "within_slo", "within_slo_ci_low", "within_slo_ci_high",
	"max_rate_per_s", "note"}

// PlanCSV writes plan.csv: one row per strategy at the size plan chose, and
// its highest sustainable rate when loads is not nil; figures at full
// precision (results.Num).
func PlanCSV(slo SLO, plans []PlanResult, loads []LoadResult) ([]byte, error) {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write(PlanColumns)
	for i, p := range plans {
		r := &p.Result
		rate, note := "", p.Note
		if loads != nil {
			rate = results.Num(loads[i].Rate)
			if loads[i].Note != "" {
				note = join(note, "max load: "+loads[i].Note)
			}
		}
		p99 := r.Summary.P99Ms
		cw.Write([]string{p.Strategy, slo.String(), strconv.FormatBool(p.Met), p.Single, strconv.Itoa(p.N),
			strconv.Itoa(r.Servers), results.Num(float64(r.CostHour)), results.Num(slo.Bound(r)),
			results.Num(float64(p99.Mean)), results.Num(float64(p99.Low)), results.Num(float64(p99.High)),
			results.Num(float64(p.Within.Mean)), results.Num(float64(p.Within.Low)), results.Num(float64(p.Within.High)),
			rate, note})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, fmt.Errorf("sweep: plan.csv: %w", err)
	}
	return b.Bytes(), nil
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// PlanTable prints plan's answer: per strategy the S-CNN pool size that
// meets the SLO (or "> max"), total servers, cost, the figure the SLO is
// judged on, the share within the bound, and the highest sustainable rate;
// then a note per strategy whose answer is a bound of the search.
func PlanTable(w io.Writer, name string, rate float64, slo SLO, plans []PlanResult, loads []LoadResult, maxServers int) error {
	fmt.Fprintf(w, "%s: smallest cluster per strategy with %s (95%% confidence bound), arrivals %g/s\n\n", name, slo, rate)
	judged := slo.Metric + " bound"
	if slo.Metric == "within" {
		judged = "p99 bound"
	}
	rows := [][]string{
		{"strategy", "S-CNN", "servers", "cost", judged, fmt.Sprintf("within %gms", slo.Ms), "max load"},
		{"", "servers", "", "$/h", "ms", "% ±95% CI", "req/s"},
	}
	var notes []string
	for i, p := range plans {
		r := &p.Result
		size := strconv.Itoa(p.N)
		if !p.Met {
			size = "none"
			if p.N == maxServers {
				size = fmt.Sprintf("> %d", maxServers)
			}
			notes = append(notes, p.Strategy+": "+p.Note)
		}
		rate := ""
		if loads != nil {
			rate = strconv.FormatFloat(loads[i].Rate, 'f', 1, 64)
			if loads[i].Note != "" {
				notes = append(notes, p.Strategy+": max load "+loads[i].Note)
			}
		}
		rows = append(rows, []string{p.Strategy, size, strconv.Itoa(r.Servers), fmt.Sprintf("%.2f", float64(r.CostHour)),
			msString(slo.Bound(r)), sharePct(p.Within), rate})
	}
	if err := results.WriteColumns(w, rows, 1); err != nil {
		return err
	}
	for _, n := range notes {
		if _, err := io.WriteString(w, results.Wrap(n, results.Width, "  ")); err != nil {
			return err
		}
	}
	return nil
}
