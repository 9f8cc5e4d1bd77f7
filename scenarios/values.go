package scenarios

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/collagesim/collagesim/sim"
)

const durationUnits = `ns, us (or µs), ms, s, m, h; e.g. "250ms", "1.5h"`

// parseDuration reads a non-negative duration with a unit into nanoseconds.
func parseDuration(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("empty duration: want a number with a unit: %s", durationUnits)
	}
	if _, err := strconv.ParseFloat(t, 64); err == nil {
		return 0, fmt.Errorf("duration %q has no unit: allowed units are %s", s, durationUnits)
	}
	d, err := time.ParseDuration(t)
	if err != nil {
		return 0, fmt.Errorf("bad duration %q: allowed units are %s", s, durationUnits)
	}
	if d < 0 {
		return 0, fmt.Errorf("duration %q must not be negative", s)
	}
	return int64(d), nil
}

var rateUnits = map[string]float64{
	"ns": 1e9, "us": 1e6, "µs": 1e6, "ms": 1e3, "s": 1, "m": 1.0 / 60, "min": 1.0 / 60, "h": 1.0 / 3600,
}

const rateForm = `a number (per second) or "N/unit" with unit ns, us, ms, s, m (or min), h; e.g. "60/s", "3600/h"`

// parseRate reads "N/unit" into events per second.
func parseRate(s string) (float64, error) {
	num, unit, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return 0, fmt.Errorf("bad rate %q: want %s", s, rateForm)
	}
	per, ok := rateUnits[strings.TrimSpace(unit)]
	if !ok {
		return 0, fmt.Errorf("bad rate unit %q in %q: want %s", unit, s, rateForm)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("bad rate %q: want %s", s, rateForm)
	}
	return v * per, nil
}

// fileReader reads a file named in a scenario or profile: relative names are
// resolved against the referring file's location.
type fileReader func(name string) ([]byte, error)

// distParser parses distribution strings, reading and caching the files they name.
type distParser struct {
	read  fileReader
	cache map[string][]float64
}

const distForms = `"250ms", "const:250ms", "exp:2s", "uniform:100ms,200ms", "normal:100ms,10ms", ` +
	`"lognormal:100ms,0.5", "gamma:2,50ms", "weibull:1.5,100ms", "pareto:100ms,2.5", ` +
	`"quantiles:FILE", "samples:FILE", "builtin:paper-cloud"`

// parse reads a duration distribution (values in ns) written as a string.
func (p *distParser) parse(s string) (sim.Dist, error) {
	d := sim.Dist{Text: s}
	t := strings.TrimSpace(s)
	family, args, ok := strings.Cut(t, ":")
	if !ok {
		v, err := parseDuration(t)
		if err != nil {
			return d, fmt.Errorf("%v (or a distribution: %s)", err, distForms)
		}
		d.Kind, d.A = sim.DistConst, float64(v)
		return d, nil
	}
	family = strings.TrimSpace(family)
	parts := strings.Split(args, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	// Each family's parameters: 'd' is a duration, 'n' a plain number.
	var shape string
	switch family {
	case "const", "exp":
		shape = "d"
	case "uniform", "normal":
		shape = "dd"
	case "lognormal", "pareto":
		shape = "dn"
	case "gamma", "weibull":
		shape = "nd"
	case "quantiles", "samples":
		name := strings.TrimSpace(args)
		if name == "" {
			return d, fmt.Errorf("%s: needs a file name, e.g. %q", family, family+":latency.csv")
		}
		vals, err := p.values(name, family == "quantiles")
		if err != nil {
			return d, err
		}
		d.Kind, d.Values = sim.DistKind(family), vals
		return d, d.Validate()
	case "builtin":
		vals, err := builtinQuantiles(strings.TrimSpace(args))
		if err != nil {
			return d, err
		}
		d.Kind, d.Values = sim.DistQuantiles, vals
		return d, nil
	default:
		msg := fmt.Sprintf("unknown distribution %q: want one of %s", family, distForms)
		if k := suggest(family, []string{"const", "exp", "uniform", "normal", "lognormal", "gamma", "weibull", "pareto", "quantiles", "samples", "builtin"}); k != "" {
			msg += fmt.Sprintf("; did you mean `%s`?", k)
		}
		return d, fmt.Errorf("%s", msg)
	}
	if len(parts) != len(shape) {
		return d, fmt.Errorf("%s takes %d parameter(s), got %d in %q", family, len(shape), len(parts), s)
	}
	vals := make([]float64, len(shape))
	for i, c := range shape {
		if c == 'd' {
			v, err := parseDuration(parts[i])
			if err != nil {
				return d, fmt.Errorf("%s parameter %d: %v", family, i+1, err)
			}
			vals[i] = float64(v)
		} else {
			v, err := strconv.ParseFloat(parts[i], 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return d, fmt.Errorf("%s parameter %d: %q is not a number", family, i+1, parts[i])
			}
			vals[i] = v
		}
	}
	d.Kind, d.A = sim.DistKind(family), vals[0]
	if len(vals) > 1 {
		d.B = vals[1]
	}
	return d, d.Validate()
}

// values reads a latency file (see the README, Values) into nanoseconds. For a
// quantile table, a quantile column, if present, is resampled to evenly
// spaced probabilities.
func (p *distParser) values(name string, quantiles bool) ([]float64, error) {
	key := fmt.Sprintf("%t:%s", quantiles, name)
	if v, ok := p.cache[key]; ok {
		return v, nil
	}
	data, err := p.read(name)
	if err != nil {
		return nil, err
	}
	v, err := parseValues(data, quantiles)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if p.cache == nil {
		p.cache = map[string][]float64{}
	}
	p.cache[key] = v
	return v, nil
}

var columnUnits = map[string]float64{"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}

// parseValues reads one value per line, or CSV "quantile,latency_ms" when
// quantiles is set. Lines starting with '#' and blank lines are skipped; a
// first line that is not numeric is a header whose last column's name may end
// in _ns, _us, _ms or _s to give the unit (default ms).
func parseValues(data []byte, quantiles bool) ([]float64, error) {
	var qs, vs []float64
	scale := 1e6
	cols := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			continue
		}
		fields := strings.Split(s, ",")
		if cols == 0 {
			cols = len(fields)
			if _, err := strconv.ParseFloat(strings.TrimSpace(fields[0]), 64); err != nil {
				last := strings.ToLower(strings.TrimSpace(fields[len(fields)-1]))
				if i := strings.LastIndexByte(last, '_'); i >= 0 {
					if u, ok := columnUnits[last[i+1:]]; ok {
						scale = u
					}
				}
				continue // header
			}
		}
		if len(fields) != cols {
			return nil, fmt.Errorf("line %d: %d columns, want %d", line, len(fields), cols)
		}
		if cols > 2 || (cols == 2 && !quantiles) {
			return nil, fmt.Errorf("line %d: want one value per line%s", line, map[bool]string{true: ` or "quantile,latency_ms"`, false: ""}[quantiles])
		}
		nums := make([]float64, cols)
		for i, f := range fields {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("line %d: %q is not a number", line, strings.TrimSpace(f))
			}
			nums[i] = v
		}
		if cols == 2 {
			qs = append(qs, nums[0])
		}
		vs = append(vs, math.Round(nums[cols-1]*scale))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("no values")
	}
	for i, v := range vs {
		if v < 0 {
			return nil, fmt.Errorf("value %d is negative (%g)", i+1, v/scale)
		}
	}
	if qs == nil {
		return vs, nil
	}
	return resampleQuantiles(qs, vs)
}

// resampleQuantiles maps a (probability, value) table onto evenly spaced
// probabilities, keeping it as is when it already is evenly spaced.
func resampleQuantiles(qs, vs []float64) ([]float64, error) {
	n := len(qs)
	if n < 2 {
		return nil, fmt.Errorf("quantile table needs at least 2 rows")
	}
	if !sort.Float64sAreSorted(qs) {
		return nil, fmt.Errorf("quantile column must increase")
	}
	if math.Abs(qs[0]) > 1e-9 || math.Abs(qs[n-1]-1) > 1e-9 {
		return nil, fmt.Errorf("quantile column must run from 0 to 1, got %g to %g", qs[0], qs[n-1])
	}
	even := true
	for i, q := range qs {
		if math.Abs(q-float64(i)/float64(n-1)) > 1e-9 {
			even = false
			break
		}
	}
	if even {
		return vs, nil
	}
	const points = 1001
	out := make([]float64, points)
	j := 0
	for i := range out {
		p := float64(i) / (points - 1)
		for j < n-2 && qs[j+1] < p {
			j++
		}
		w := 0.0
		if qs[j+1] > qs[j] {
			w = (p - qs[j]) / (qs[j+1] - qs[j])
		}
		out[i] = math.Round(vs[j] + math.Max(0, math.Min(1, w))*(vs[j+1]-vs[j]))
	}
	return out, nil
}
