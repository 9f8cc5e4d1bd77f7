package report

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"

	"github.com/collagesim/collagesim/results"
)

// axisValues are the values one swept parameter takes, in order of first
// appearance, and where they go on an axis.
type axisValues struct {
	key     string
	raw     []string
	x       []float64 // numeric position, or the index for a categorical axis
	unit    string    // "/s", "ms" or "" for a numeric axis
	numeric bool
}

// perUnit is the length in seconds of the time units a rate may be given in.
var perUnit = map[string]float64{"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600}

// parseValue reads a swept value as a number, a rate ("60/s", per second) or
// a duration ("250ms", in milliseconds).
func parseValue(s string) (v float64, unit string, ok bool) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return f, "", true
	}
	if num, per, found := strings.Cut(s, "/"); found {
		f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil {
			return 0, "", false
		}
		per = strings.TrimSpace(per)
		if secs, ok := perUnit[per]; ok {
			return f / secs, "/s", true
		}
		d, err := time.ParseDuration(per)
		if err != nil || d <= 0 {
			return 0, "", false
		}
		return f / d.Seconds(), "/s", true
	}
	if d, err := time.ParseDuration(s); err == nil {
		return float64(d) / float64(time.Millisecond), "ms", true
	}
	return 0, "", false
}

func sweepAxis(res *results.Results, k int) axisValues {
	a := axisValues{key: res.SweepParams[k]}
	seen := map[string]bool{}
	for _, pt := range res.Points {
		v := pt.Params[k].Value
		if !seen[v] {
			seen[v] = true
			a.raw = append(a.raw, v)
		}
	}
	a.numeric = true
	for i, s := range a.raw {
		v, unit, ok := parseValue(s)
		if !ok || (i > 0 && unit != a.unit) {
			a.numeric = false
			break
		}
		a.unit = unit
		a.x = append(a.x, v)
	}
	if !a.numeric {
		a.unit = ""
		a.x = a.x[:0]
		for i := range a.raw {
			a.x = append(a.x, float64(i))
		}
		return a
	}
	// Numbers in increasing order, whatever the order of the points.
	idx := make([]int, len(a.raw))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int { return cmp.Compare(a.x[i], a.x[j]) })
	raw, x := make([]string, len(idx)), make([]float64, len(idx))
	for i, j := range idx {
		raw[i], x[i] = a.raw[j], a.x[j]
	}
	a.raw, a.x = raw, x
	return a
}

func (a axisValues) pos(raw string) float64 {
	for i, r := range a.raw {
		if r == raw {
			return a.x[i]
		}
	}
	return math.NaN()
}

// label is the axis label: the parameter in words with its unit.
func (a axisValues) label() string {
	name := humanKey(a.key)
	switch {
	case a.unit == "/s" && strings.HasPrefix(a.key, "arrivals."):
		return name + " (requests/s)"
	case a.unit != "":
		return name + " (" + a.unit + ")"
	}
	return name
}

// poolNames are the words for the pools of the bundled scenarios.
var poolNames = map[string]string{"scnn": "S-CNN", "collage": "Collage-CNN", "parity": "parity", "backup": "backup", "replicas": "replica"}

// humanKey names a swept key path in words for an axis or a title:
// "arrivals.rate" is "arrival rate", "pools.scnn.servers" "S-CNN servers",
// "stragglers[0].p" "straggler probability". A key it does not know is
// returned as it is.
func humanKey(key string) string {
	parts := strings.Split(key, ".")
	last := parts[len(parts)-1]
	switch {
	case key == "arrivals.rate":
		return "arrival rate"
	case key == "arrivals.batch":
		return "batch size"
	case key == "seed":
		return "seed"
	case len(parts) == 3 && parts[0] == "pools":
		pool := parts[1]
		if w, ok := poolNames[pool]; ok {
			pool = w
		} else {
			pool += " pool"
		}
		switch last {
		case "servers":
			return pool + " servers"
		case "model":
			return pool + " model"
		}
		return pool + " " + last
	case len(parts) == 3 && parts[0] == "strategies":
		switch last {
		case "grid":
			return parts[1] + " grid (n×n)"
		case "copies":
			return parts[1] + " copies"
		}
		return parts[1] + " " + last
	case strings.HasPrefix(key, "stragglers") && len(parts) == 2:
		switch last {
		case "p", "probability":
			return "straggler probability"
		}
		return "straggler " + last
	}
	return key
}

// ticks puts a tick at every swept value when there are few and they are
// spread enough for their labels not to collide, labelled as written in the
// scenario; otherwise plain evenly spaced ticks.
func (a axisValues) ticks() plot.Ticker {
	if a.numeric && (len(a.raw) > 8 || a.crowded()) {
		return niceTicks{}
	}
	ts := make([]plot.Tick, len(a.raw))
	for i, r := range a.raw {
		lbl := r
		if a.numeric {
			lbl = fmtG(a.x[i])
		}
		ts[i] = plot.Tick{Value: a.x[i], Label: lbl}
	}
	return plot.ConstantTicks(ts)
}

// crowded reports whether two neighbouring values are closer than a tenth of
// the axis: their tick labels would run into each other.
func (a axisValues) crowded() bool {
	n := len(a.x)
	if n < 2 {
		return false
	}
	span := a.x[n-1] - a.x[0]
	for i := 1; i < n; i++ {
		if a.x[i]-a.x[i-1] < span/10 {
			return true
		}
	}
	return false
}

const maxPanels = 12

// shortKey is the last part of swept key j ("servers" for
// "pools.scnn.servers") when no other swept key ends the same, for panel
// titles that must fit a third of a figure.
func shortKey(keys []string, j int) string {
	last := func(k string) string { return k[strings.LastIndexByte(k, '.')+1:] }
	for i, k := range keys {
		if i != j && last(k) == last(keys[j]) {
			return keys[j]
		}
	}
	return last(keys[j])
}

// logTicks labels an axis of log10(value) at 1, 2 and 5 times each power of
// ten, with minor ticks between.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for e := math.Floor(min); e <= math.Ceil(max); e++ {
		for m := 1.0; m < 10; m++ {
			v := e + math.Log10(m)
			if v < min-1e-9 || v > max+1e-9 {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(m*math.Pow(10, e), 'f', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}
