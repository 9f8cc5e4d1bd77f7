package report

import (
	"math"
	"strconv"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

// The fixtures are made-up but plausible results of the paper's 3x3 setup
// (nine S-CNN servers at $0.17/h, one extra server per coded or equal-cost
// strategy): latencies of 100 to 800 ms, p99s of 200 to 700 ms.

// shape is a strategy's latency distribution and figures at one point.
type shape struct {
	name, kind    string
	servers       int
	cost          float64
	mean, std     float64
	p50, p99      float64
	p999          float64
	accuracy      float64
	unstable      bool
	ciHalfP99     float64 // half width of the p99 confidence interval
	replicationsN int
}

var runShapes = []shape{
	{name: "none", kind: "none", servers: 9, cost: 1.53, mean: 182, std: 118, p50: 151, p99: 688, p999: 912, accuracy: 0.912},
	{name: "replicate-equal-cost", kind: "replicate", servers: 10, cost: 1.70, mean: 171, std: 96, p50: 147, p99: 561, p999: 803, accuracy: 0.912},
	{name: "replicate-full", kind: "replicate", servers: 18, cost: 3.06, mean: 148, std: 41, p50: 139, p99: 287, p999: 402, accuracy: 0.912},
	{name: "parity", kind: "parity", servers: 10, cost: 1.87, mean: 163, std: 68, p50: 146, p99: 408, p999: 611, accuracy: 0.897},
	{name: "collage-3x3", kind: "collage", servers: 10, cost: 1.87, mean: 158, std: 52, p50: 144, p99: 322, p999: 468, accuracy: 0.904},
}

const fixtureReps = 5

// quantileFn is a shifted power-of-exponential quantile function through
// (0.5, p50) and (0.99, p99), starting at 100 ms.
func quantileFn(p50, p99 float64) func(p float64) float64 {
	const base = 100.0
	z := func(p float64) float64 { return -math.Log1p(-p) }
	k := math.Log((p99-base)/(p50-base)) / math.Log(z(0.99)/z(0.5))
	s := (p50 - base) / math.Pow(z(0.5), k)
	return func(p float64) float64 {
		if p >= 1 {
			p = 1 - 1e-5
		}
		return base + s*math.Pow(z(p), k)
	}
}

// cdfGrid is the probability grid of the fixtures' CDF tables: fine in the
// tail, as the simulator's are.
func cdfGrid() []float64 {
	var ps []float64
	for i := 0; i < 100; i++ {
		ps = append(ps, float64(i)/100)
	}
	return append(ps, 0.995, 0.999, 0.9995, 0.9999, 1)
}

func fstat(mean, half float64) sim.Stat {
	return sim.Stat{Mean: sim.Float(mean), Low: sim.Float(mean - half), High: sim.Float(mean + half)}
}

func (sh shape) result() sim.StrategyResult {
	q := quantileFn(sh.p50, sh.p99)
	var cdf []sim.Quantile
	for _, p := range cdfGrid() {
		cdf = append(cdf, sim.Quantile{P: p, Ms: math.Round(q(p)*10) / 10})
	}
	half := sh.ciHalfP99
	if half == 0 {
		half = 0.04 * sh.p99
	}
	reps := sh.replicationsN
	if reps == 0 {
		reps = fixtureReps
	}
	acc := fstat(sh.accuracy, 0.003)
	if math.IsNaN(sh.accuracy) {
		acc = sim.Stat{Mean: sim.Float(math.NaN()), Low: sim.Float(math.NaN()), High: sim.Float(math.NaN())}
	}
	r := sim.StrategyResult{
		Name: sh.name, Kind: sh.kind, Servers: sh.servers, CostHour: sim.Float(sh.cost),
		Unstable: sh.unstable,
		Pools:    []sim.PoolUse{{Name: "scnn", Role: "single", Model: "scnn", Servers: 9, PricePerHour: 0.17}},
		Summary: sim.Summary{
			Requests: fstat(190000, 0), Answered: fstat(190000, 0), Failed: fstat(0, 0),
			MeanMs: fstat(sh.mean, 0.01*sh.mean), StdMs: fstat(sh.std, 0.03*sh.std),
			VarMs2: fstat(sh.std*sh.std, 0.06*sh.std*sh.std), CV: fstat(sh.std/sh.mean, 0.01),
			P50Ms: fstat(sh.p50, 0.01*sh.p50), P90Ms: fstat(q(0.9), 0.02*q(0.9)), P95Ms: fstat(q(0.95), 0.03*q(0.95)),
			P99Ms: fstat(sh.p99, half), P999Ms: fstat(sh.p999, 0.06*sh.p999), MaxMs: fstat(1.3*sh.p999, 0.1*sh.p999),
			Accuracy: acc, LoadAmplification: fstat(float64(sh.servers)/9, 0.01),
		},
		CDF: cdf,
	}
	if sh.unstable {
		r.UnstableNote = "queue of scnn-3 grew past 10000 tasks"
	}
	for i := 0; i < reps; i++ {
		r.Reps = append(r.Reps, sim.Metrics{Seed: uint64(i + 1), Requests: 190000, Answered: 190000,
			MeanMs: sim.Float(sh.mean), P99Ms: sim.Float(sh.p99), Accuracy: sim.Float(sh.accuracy)})
	}
	return r
}

// runFixture is a plain run of the five strategies.
func runFixture() *results.Results {
	res := &results.Results{Version: results.ResultsVersion, Tool: "collagesim v0.1.0", Scenario: "paper-3x3", Seed: 1,
		Profile: "paper-cloud", ScenarioText: "name = \"paper-3x3\"\nseed = 1\n"}
	pt := results.Point{Index: 0}
	for _, sh := range runShapes {
		pt.Strategies = append(pt.Strategies, sh.result())
	}
	res.Points = []results.Point{pt}
	return res
}

// sweepFixture sweeps the S-CNN pool size and the arrival rate; p99 grows with
// the load per server, and the fullest points are unstable for the
// strategies that run most tasks.
func sweepFixture() *results.Results {
	res := &results.Results{Version: results.ResultsVersion, Tool: "collagesim v0.1.0", Scenario: "capacity-3x3", Seed: 7,
		Profile: "paper-cloud", SweepParams: []string{"pools.scnn.servers", "arrivals.rate"}}
	servers := []int{6, 9, 12}
	rates := []string{"40/s", "60/s", "80/s"}
	rateV := []float64{40, 60, 80}
	idx := 0
	for _, n := range servers {
		for ri, rate := range rates {
			pt := results.Point{Index: idx, Params: []results.Param{{Key: "pools.scnn.servers", Value: strconv.Itoa(n)}, {Key: "arrivals.rate", Value: rate}}}
			load := rateV[ri] / float64(n) / 10 // offered load per S-CNN server, 0.33 to 1.33
			for _, sh := range runShapes {
				f := 1 + 0.9*load*load
				s := sh
				s.servers += n - 9
				s.cost += float64(n-9) * 0.17
				s.p50 = 100 + (sh.p50-100)*f
				s.p99 = 100 + (sh.p99-100)*f
				s.p999 = 100 + (sh.p999-100)*f
				s.mean = 100 + (sh.mean-100)*f
				s.std = sh.std * f
				amp := 1.0
				if sh.name == "replicate-full" {
					amp = 1.05
				}
				s.unstable = load*amp > 1.2 && (sh.kind == "none" || sh.kind == "replicate")
				pt.Strategies = append(pt.Strategies, s.result())
			}
			res.Points = append(res.Points, pt)
			idx++
		}
	}
	return res
}

// runSLOFixture is runFixture run with --slo within=300ms@99%: the share of
// requests within 300 ms follows each strategy's latency distribution.
func runSLOFixture() *results.Results {
	res := runFixture()
	addSLO(res, "within 300ms for 99%", 300)
	return res
}

// sweepSLOFixture is sweepFixture with --slo p99=300ms.
func sweepSLOFixture() *results.Results {
	res := sweepFixture()
	addSLO(res, "p99<=300ms", 300)
	return res
}

// addSLO gives every point the share of requests within ms, read off each
// strategy's CDF, with a confidence interval narrowing with the share.
func addSLO(res *results.Results, objective string, ms float64) {
	res.SLO = &results.SLO{Objective: objective, WithinMs: ms}
	for i := range res.Points {
		pt := &res.Points[i]
		pt.Within = map[string]sim.Stat{}
		for _, s := range pt.Strategies {
			share := 0.0
			for _, q := range s.CDF {
				if q.Ms <= ms {
					share = q.P
				}
			}
			half := 0.05 * (1 - share)
			pt.Within[s.Name] = sim.Stat{Mean: sim.Float(share), Low: sim.Float(math.Max(0, share-half)), High: sim.Float(math.Min(1, share+half))}
		}
	}
}

// sweepWithinFixture is sweepFixture with --slo within=400ms@99.5%.
func sweepWithinFixture() *results.Results {
	res := sweepFixture()
	addSLO(res, "within 400ms for 99.5%", 400)
	return res
}
