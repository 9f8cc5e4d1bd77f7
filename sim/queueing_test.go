package sim

import (
	"math"
	"testing"
)

// testProfile has analytic models: exponential and constant service.
func testProfile() *Profile {
	nan := math.NaN()
	return &Profile{Name: "test", Models: []Model{
		{Name: "exp10ms", Role: RoleSingle, Latency: Exponential(10e6), Accuracy: 0.9, Coverage: nan},
		{Name: "const10ms", Role: RoleSingle, Latency: Const(10e6), Accuracy: 0.9, Coverage: nan},
		{Name: "collage", Role: RoleCollage, Grid: 3, Latency: Exponential(10e6), Accuracy: 0.8, Coverage: 0.95},
		{Name: "parity", Role: RoleParity, Latency: Exponential(10e6), Accuracy: 0.7, Coverage: nan},
	}}
}

// queueScenario is one pool of c servers serving model at rate lambda (per s).
func queueScenario(model string, c int, dispatch string, lambda float64) *Scenario {
	return &Scenario{
		Name: "queue", Seed: 7, Requests: 40_000, Warmup: 2_000, Replications: 10,
		Arrivals:   Arrivals{Process: ArrivalPoisson, Rate: lambda, Batch: 1},
		Pools:      []PoolSpec{{Name: "p", Model: model, Servers: c, Dispatch: dispatch, PricePerHour: 1}},
		Strategies: []StrategySpec{{Name: "none", Kind: StrategyNone, Pools: map[string]string{PoolSingle: "p"}}},
		Profile:    testProfile(),
		Stability:  Stability{MaxOutstanding: 100_000, MaxLatency: 3600e9},
	}
}

func simulate(t *testing.T, sc *Scenario) []StrategyResult {
	t.Helper()
	res, err := Simulate(sc, 0)
	if err != nil {
		t.Fatalf("seed %d: %v", sc.Seed, err)
	}
	return res
}

// within checks that want lies in the 95 % confidence interval of got.
func within(t *testing.T, what string, got Stat, want float64) {
	t.Helper()
	if !(float64(got.Low) <= want && want <= float64(got.High)) {
		t.Errorf("%s: analytic %.4g outside the 95%% CI [%.4g, %.4g] (mean %.4g)", what, want, float64(got.Low), float64(got.High), float64(got.Mean))
	}
}

// M/M/1: sojourn time is exponential with rate mu-lambda (Kleinrock, Queueing
// Systems vol. 1, eq. 3.26): mean 1/(mu-lambda), p-quantile -ln(1-p)/(mu-lambda).
func TestMM1(t *testing.T) {
	const lambda, mu = 60.0, 100.0
	r := simulate(t, queueScenario("exp10ms", 1, DispatchRoundRobin, lambda))[0]
	within(t, "mean sojourn (ms)", r.Summary.MeanMs, 1e3/(mu-lambda))
	within(t, "p99 sojourn (ms)", r.Summary.P99Ms, 1e3*-math.Log(0.01)/(mu-lambda))
	within(t, "p50 sojourn (ms)", r.Summary.P50Ms, 1e3*-math.Log(0.5)/(mu-lambda))
}

// M/D/1: Pollaczek-Khinchine, W = 1/mu + rho/(2 mu (1-rho)).
func TestMD1(t *testing.T) {
	const lambda, mu = 70.0, 100.0
	rho := lambda / mu
	r := simulate(t, queueScenario("const10ms", 1, DispatchRoundRobin, lambda))[0]
	within(t, "mean sojourn (ms)", r.Summary.MeanMs, 1e3*(1/mu+rho/(2*mu*(1-rho))))
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
	within(t, "mean sojourn (ms)", r.Summary.MeanMs, 1e3*want)
}

// Random dispatch over c servers splits Poisson arrivals into c independent
// Poisson streams: c independent M/M/1 queues at rate lambda/c.
func TestRandomDispatchIsIndependentMM1(t *testing.T) {
	const c, lambda, mu = 3, 180.0, 100.0
	r := simulate(t, queueScenario("exp10ms", c, DispatchRandom, lambda))[0]
	within(t, "mean sojourn (ms)", r.Summary.MeanMs, 1e3/(mu-lambda/c))
	within(t, "p99 sojourn (ms)", r.Summary.P99Ms, 1e3*-math.Log(0.01)/(mu-lambda/c))
}

// r-way replication without queueing: latency is the minimum of r
// exponential draws, exponential with rate r*mu.
func TestReplicationIsMinOfDraws(t *testing.T) {
	const r = 3
	sc := queueScenario("exp10ms", 3*r*20, DispatchRoundRobin, 10) // servers always idle
	sc.Strategies = []StrategySpec{{Name: "rep", Kind: StrategyReplicate, Copies: r, Pools: map[string]string{PoolSingle: "p"}}}
	res := simulate(t, sc)[0]
	within(t, "mean (ms)", res.Summary.MeanMs, 10.0/r)
	within(t, "p99 (ms)", res.Summary.P99Ms, 10.0/r*-math.Log(0.01))
}
