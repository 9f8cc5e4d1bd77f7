package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/collagesim/collagesim/sim"
)

func (d *decoder) arrivals(t *table, sc *sim.Scenario) sim.Arrivals {
	a := sim.Arrivals{
		Process: t.oneOf("process", sim.ArrivalPoisson, sim.ArrivalPoisson, sim.ArrivalDeterministic, sim.ArrivalMMPP, sim.ArrivalTrace),
		Batch:   int(t.intAtLeast("batch", DefaultBatch, 1)),
	}
	positiveRate := func(key string) float64 {
		if !t.has(key) {
			t.missing(key, "process %q needs `%s` (e.g. \"60/s\")", a.Process, key)
			return 0
		}
		n := len(d.errs)
		r := t.rate(key, 0)
		if r == 0 && len(d.errs) == n {
			t.errf(key, "must be > 0")
		}
		return r
	}
	switch a.Process {
	case sim.ArrivalPoisson, sim.ArrivalDeterministic:
		a.Rate = positiveRate("rate")
	case sim.ArrivalMMPP:
		a.Rate = positiveRate("rate")
		a.Rate2 = t.rate("rate2", 0)
		if !t.has("rate2") {
			t.missing("rate2", "process \"mmpp\" needs `rate2`, the rate of its second state")
		}
		for _, k := range []string{"hold", "hold2"} {
			if !t.has(k) {
				t.missing(k, "process \"mmpp\" needs `%s`, a distribution of the time spent in state %s (e.g. \"exp:10s\")", k, map[string]string{"hold": "1", "hold2": "2"}[k])
			}
		}
		a.Hold, a.Hold2 = t.dist("hold"), t.dist("hold2")
		positiveMean(t, "hold", a.Hold)
		positiveMean(t, "hold2", a.Hold2)
	case sim.ArrivalTrace:
		a.TraceOf = t.str("file", "")
		format := t.oneOf("file_format", "timestamps", "timestamps", "intervals")
		unit := t.oneOf("file_unit", "ms", "ns", "us", "ms", "s")
		if !t.has("file") {
			t.missing("file", "process \"trace\" needs `file`, one arrival timestamp (or, with file_format = \"intervals\", inter-arrival time) per line")
		} else if a.TraceOf == "" && !d.hasFailed(t.keyPath("file")) {
			t.errf("file", "must name a file of arrival timestamps, got an empty string")
		} else if a.TraceOf != "" {
			times, err := d.arrivalTrace(a.TraceOf, format, columnUnits[unit])
			if err != nil {
				t.errf("file", "%v", err)
			}
			a.Times = times
			if n := int64(len(times)) * int64(a.Batch); err == nil && sc.Duration == 0 && sc.Warmup+sc.Requests > n {
				t.errf("file", "the trace has %d arrivals of batch %d = %d requests, fewer than warmup + requests = %d", len(times), a.Batch, n, sc.Warmup+sc.Requests)
			}
		}
	}
	t.done(arrivalKeys, fmt.Sprintf("by process %q", a.Process))
	return a
}

// arrivalTrace reads arrival instants (ns from the first arrival).
func (d *decoder) arrivalTrace(name, format string, scale float64) ([]int64, error) {
	data, err := d.dists.read(name)
	if err != nil {
		return nil, err
	}
	var out []int64
	var t float64
	var first float64
	for i, line := range strings.Split(string(data), "\n") {
		s := strings.TrimSpace(line)
		if s == "" || s[0] == '#' {
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s:%d: %s is not a number", name, i+1, echo(s))
		}
		v *= scale
		if format == "intervals" {
			if v < 0 {
				return nil, fmt.Errorf("%s:%d: negative inter-arrival time %s", name, i+1, echo(s))
			}
			t += v
		} else {
			if len(out) > 0 && v < t {
				return nil, fmt.Errorf("%s:%d: timestamps must not decrease (%s after %g)", name, i+1, echo(s), t/scale)
			}
			if len(out) == 0 {
				first = v
			}
			t = v
		}
		if t-first > float64(MaxVirtualTime) || math.Abs(t) > 1e18 {
			return nil, fmt.Errorf("%s:%d: the trace reaches %s after its first arrival, above the limit of %s (MaxVirtualTime)", name, i+1, humanDuration(t-first), humanDuration(float64(MaxVirtualTime)))
		}
		out = append(out, int64(math.Round(t)))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no arrivals", name)
	}
	if format == "timestamps" {
		for i := len(out) - 1; i >= 0; i-- {
			out[i] -= out[0]
		}
	}
	return out, nil
}
