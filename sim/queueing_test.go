package sim

import (
	"math"
	"testing"
)

// M/M/1: sojourn time is exponential with rate mu-lambda (Kleinrock, Queueing
// Systems vol. 1, eq. 3.26): mean 1/(mu-lambda), p-quantile -ln(1-p)/(mu-lambda).
func TestMM1(t *testing.T) {
	const lambda, mu = 60.0, 100.0
	r := simulate(t, queueScenario("exp10ms", 1, DispatchRoundRobin, lambda))[0]
	within(t, r, "mean sojourn (ms)", r.Summary.MeanMs, 1e3/(mu-lambda))
	within(t, r, "p99 sojourn (ms)", r.Summary.P99Ms, 1e3*-math.Log(0.01)/(mu-lambda))
	within(t, r, "p50 sojourn (ms)", r.Summary.P50Ms, 1e3*-math.Log(0.5)/(mu-lambda))
}

// M/D/1: Pollaczek-Khinchine, W = 1/mu + rho/(2 mu (1-rho)).
func TestMD1(t *testing.T) {
	const lambda, mu = 70.0, 100.0
	rho := lambda / mu
	r := simulate(t, queueScenario("const10ms", 1, DispatchRoundRobin, lambda))[0]
	within(t, r, "mean sojourn (ms)", r.Summary.MeanMs, 1e3*(1/mu+rho/(2*mu*(1-rho))))
}

// erlangC is the probability that an arrival waits in M/M/c.
func erlangC(c int, a float64) float64 {
	sum, term := 0.0, 1.0
	for k := 0; k < c; k++ {
		if k > 0 {
			term *= a / float64(k)
		}
		sum += term
	}
	last := term * a / float64(c)
	rho := a / float64(c)
	top := last / (1 - rho)
	return top / (sum + top)
}

// M/M/c with a central queue: W = C(c, a)/(c mu - lambda) + 1/mu.
func TestMMcCentral(t *testing.T) {
	const c, lambda, mu = 4, 320.0, 100.0
	r := simulate(t, queueScenario("exp10ms", c, DispatchCentral, lambda))[0]
	want := erlangC(c, lambda/mu)/(c*mu-lambda) + 1/mu
	within(t, r, "mean sojourn (ms)", r.Summary.MeanMs, 1e3*want)
}

// Random dispatch over c servers splits Poisson arrivals into c independent
// Poisson streams: c independent M/M/1 queues at rate lambda/c.
func TestRandomDispatchIsIndependentMM1(t *testing.T) {
	const c, lambda, mu = 3, 180.0, 100.0
	r := simulate(t, queueScenario("exp10ms", c, DispatchRandom, lambda))[0]
	within(t, r, "mean sojourn (ms)", r.Summary.MeanMs, 1e3/(mu-lambda/c))
	within(t, r, "p99 sojourn (ms)", r.Summary.P99Ms, 1e3*-math.Log(0.01)/(mu-lambda/c))
}

// r-way replication without queueing: latency is the minimum of r
// exponential draws, exponential with rate r*mu.
func TestReplicationIsMinOfDraws(t *testing.T) {
	const r = 3
	sc := queueScenario("exp10ms", 3*r*20, DispatchRoundRobin, 10) // servers always idle
	sc.Strategies = []StrategySpec{{Name: "rep", Kind: StrategyReplicate, Copies: r, Pools: map[string]string{PoolSingle: "p"}}}
	res := simulate(t, sc)[0]
	within(t, res, "mean (ms)", res.Summary.MeanMs, 10.0/r)
	within(t, res, "p99 (ms)", res.Summary.P99Ms, 10.0/r*-math.Log(0.01))
}
