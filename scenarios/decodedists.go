package scenarios

import (
	"fmt"
	"math"
	"strings"

	"github.com/collagesim/collagesim/sim"
)

// dist reads a duration distribution: a string (see distForms) or a table
// {kind, unit, a, b, values, text} as WriteProfile writes it.
func (t *table) dist(key string) sim.Dist {
	v, ok := t.get(key)
	if !ok {
		return sim.Dist{}
	}
	switch x := v.(type) {
	case string:
		d, err := t.d.dists.checked(x)
		if err != nil {
			t.errf(key, "%v", err)
			return sim.Dist{}
		}
		return d
	case map[string]any:
		d := t.d.distTable(t.keyPath(key), x)
		if err := checkTail(d); err != nil {
			t.errf(key, "%v", err)
			return sim.Dist{}
		}
		return d
	}
	t.errf(key, "must be a distribution string (%s) or a table, got %s", distForms, typeName(v))
	return sim.Dist{}
}

var distTableKeys = []string{"kind", "unit", "a", "b", "values", "text"}

func (d *decoder) distTable(path string, m map[string]any) sim.Dist {
	t := d.table(path, m)
	kinds := []string{"const", "exp", "uniform", "normal", "lognormal", "gamma", "weibull", "pareto", "quantiles", "samples"}
	kind := t.oneOf("kind", "", kinds...)
	if !t.has("kind") {
		t.errf("", "distribution table needs `kind` (one of %s)", strings.Join(kinds, ", "))
	}
	defer func() { t.done(distTableKeys, fmt.Sprintf("by kind %q", kind)) }()
	unit := t.oneOf("unit", "ms", "ns", "us", "ms", "s")
	scale := columnUnits[unit]
	out := sim.Dist{Kind: sim.DistKind(kind), Text: t.str("text", "")}
	// Which of a and b are durations (scaled by unit) and which plain numbers.
	scaled := map[string][2]bool{
		"const": {true}, "exp": {true}, "uniform": {true, true}, "normal": {true, true},
		"lognormal": {true, false}, "pareto": {true, false}, "gamma": {false, true}, "weibull": {false, true},
	}
	switch kind {
	case "":
		return sim.Dist{}
	case "quantiles", "samples":
		out.Values = t.floats("values", scale)
	default:
		sc := scaled[kind]
		out.A = t.float("a", 0)
		out.B = t.float("b", 0)
		if sc[0] {
			out.A = scaleValue(out.A, scale)
		}
		if sc[1] {
			out.B = scaleValue(out.B, scale)
		}
	}
	if d.hasFailed(path) {
		return sim.Dist{}
	}
	if err := out.Validate(); err != nil {
		t.errf("", "%v", err)
		return sim.Dist{}
	}
	return out
}

// checkTail refuses a distribution whose mean or far tail (the 1 - 1e-9
// quantile) the simulated clock cannot hold.
func checkTail(d sim.Dist) error {
	if d.Kind == sim.DistNone {
		return nil
	}
	far := 0.0
	switch d.Kind {
	case sim.DistQuantiles, sim.DistSamples:
		for _, v := range d.Values {
			far = max(far, v)
		}
	default:
		far = d.Quantile(1 - 1e-9)
	}
	m := d.Mean()
	limit := float64(MaxVirtualTime)
	switch {
	case math.IsNaN(m) || math.IsInf(m, 0):
		return fmt.Errorf("%s has an infinite mean (a pareto alpha <= 1?): the simulated clock cannot hold its samples", echo(distText(d)))
	case !(far <= limit):
		return fmt.Errorf("%s reaches %s (its 1 - 1e-9 quantile or largest value), above the limit of %s (MaxVirtualTime); lower the scale or the spread", echo(distText(d)), humanDuration(far), humanDuration(limit))
	}
	return nil
}

func distText(d sim.Dist) string {
	if d.Text != "" {
		return d.Text
	}
	return string(d.Kind)
}

// scaleValue converts a value in a unit to nanoseconds; ms and coarser are
// rounded to whole nanoseconds (finer precision is noise, and rounding makes
// written profiles read back exactly).
func scaleValue(v, scale float64) float64 {
	if scale == 1 {
		return v
	}
	return math.Round(v * scale)
}
