package sim

import (
	"math"
	"strings"
	"testing"
)

// Rates and durations beyond what int64 nanoseconds hold are refused with
// an error naming the problem; the engine never panics or wraps around.
func TestTimeRangeRefused(t *testing.T) {
	cases := []struct {
		name, want string
		edit       func(sc *Scenario)
	}{
		{"tiny rate", "years of virtual time", func(sc *Scenario) { sc.Arrivals.Rate = 1e-7 }},
		{"huge rate", "below the simulator's resolution of 1 ns", func(sc *Scenario) { sc.Arrivals.Rate = 1e308 }},
		{"huge batch", "would all arrive at once", func(sc *Scenario) { sc.Arrivals.Rate, sc.Arrivals.Batch = 1e6, 1e9 }},
		{"infinite rate", "must be > 0 and finite", func(sc *Scenario) { sc.Arrivals.Rate = math.Inf(1) }},
		{"zero rate", "must be > 0 and finite", func(sc *Scenario) { sc.Arrivals.Rate = 0 }},
		// Arrivals that would come after the duration: the run just ends.
		{"tiny rate for a duration", "", func(sc *Scenario) {
			sc.Arrivals.Rate, sc.Requests, sc.Duration = 1e-10, 0, MaxTime
		}},
		{"service time past the range", "the end of a service time would come after", func(sc *Scenario) {
			sc.Profile.Model("exp10ms").Latency = Const(1e300)
		}},
		{"mmpp holding time past the range", "", func(sc *Scenario) {
			sc.Arrivals = Arrivals{Process: ArrivalMMPP, Rate: 1e-12, Rate2: 1e-12, Hold: Const(1e300), Hold2: Const(1e300)}
			sc.Requests, sc.Duration = 0, MaxTime
		}},
		{"mmpp tiny rates", "years of virtual time", func(sc *Scenario) {
			sc.Arrivals = Arrivals{Process: ArrivalMMPP, Rate: 1e-12, Rate2: 1e-12, Hold: Const(1e300), Hold2: Const(1e300)}
		}},
		{"markov holding times of 1 ns", "switch 2 servers' states about", func(sc *Scenario) {
			sc.Requests = 2_000_000
			sc.Stragglers = []StragglerSpec{{Kind: StragglerMarkov, SlowFor: Const(1), NormalFor: Const(1), Slowdown: 2}}
		}},
		{"mmpp holding times of 1 ns", "switch states about", func(sc *Scenario) {
			sc.Requests = 2_000_000
			sc.Arrivals = Arrivals{Process: ArrivalMMPP, Rate: 50, Rate2: 10, Hold: Const(1), Hold2: Const(1)}
		}},
		{"failure time past the range", "", func(sc *Scenario) {
			sc.Stragglers = []StragglerSpec{{Kind: StragglerFailure, FailAfter: Const(1e300), RepairAfter: Const(1)}}
		}},
	}
	for _, c := range cases {
		sc := queueScenario("exp10ms", 2, DispatchRoundRobin, 50)
		sc.Requests, sc.Replications = 200, 1
		c.edit(sc)
		_, err := Simulate(sc, 1)
		if c.want == "" { // the failure never comes: the run ends normally
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "sim: ") {
			t.Errorf("%s: got error %v, want one starting \"sim: \" and saying %q", c.name, err, c.want)
		}
	}
}

func TestNsSaturates(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want int64
	}{{-1, 0}, {math.NaN(), 0}, {0.7, 0}, {1.5, 1}, {1e300, MaxTime}, {math.Inf(1), MaxTime}, {float64(MaxTime), MaxTime}} {
		if got := ns(c.f); got != c.want {
			t.Errorf("ns(%g) = %d, want %d", c.f, got, c.want)
		}
	}
	if got := later(MaxTime, MaxTime); got != MaxTime+1 {
		t.Errorf("later(MaxTime, MaxTime) = %d, want MaxTime+1", got)
	}
}
