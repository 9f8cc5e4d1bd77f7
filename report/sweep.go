package report

import (
	"cmp"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/brewer"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
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

// sweepMetric is a number a sweep figure draws against a swept parameter.
type sweepMetric struct {
	file    string // in the figure's name: "sweep-<file>-<key>"
	name    string // in titles: "p99 latency"
	unit    string // on the axis
	latency bool   // in ms: may need a log axis, and unstable points are marked
	zero    bool   // the axis starts at zero
	stat    func(pt results.Point, s sim.StrategyResult) sim.Stat
	target  float64 // a reference line at this value when positive
}

func scaled(st sim.Stat, f float64) sim.Stat {
	return sim.Stat{Mean: st.Mean * sim.Float(f), Low: st.Low * sim.Float(f), High: st.High * sim.Float(f)}
}

var sweepMetrics = []sweepMetric{
	{"p99", "p99 latency", "ms", true, true, func(_ results.Point, s sim.StrategyResult) sim.Stat { return s.Summary.P99Ms }, 0},
	{"p999", "p99.9 latency", "ms", true, true, func(_ results.Point, s sim.StrategyResult) sim.Stat { return s.Summary.P999Ms }, 0},
	{"mean", "mean latency", "ms", true, true, func(_ results.Point, s sim.StrategyResult) sim.Stat { return s.Summary.MeanMs }, 0},
	{"cost", "cost", "$ per hour", false, true, func(_ results.Point, s sim.StrategyResult) sim.Stat {
		return sim.Stat{Mean: s.CostHour, Low: sim.Float(math.NaN()), High: sim.Float(math.NaN())}
	}, 0},
	{"accuracy", "accuracy", "%", false, false, func(_ results.Point, s sim.StrategyResult) sim.Stat { return scaled(s.Summary.Accuracy, 100) }, 0},
}

// withinMetric is the share of requests within an SLO's bound, in percent,
// with the share a "within" SLO asks for as a reference line.
func withinMetric(slo *results.SLO) sweepMetric {
	m := sweepMetric{file: "within", name: "requests within " + sloMs(slo), unit: "%", stat: withinStat}
	if t, ok := sloTargetPct(slo); ok {
		m.target = t
	}
	return m
}

// sweepPoint is one strategy at one swept value, as a sweep line draws it.
type sweepPoint struct {
	x, y, low, high float64
	unstable        bool
}

// sweepSeries is one strategy's line in one panel: a shaded 95 % confidence
// band around its stable points, solid lines between stable points, dotted
// ones to unstable points, which get a cross and are drawn at the top edge
// when their value lies above the axis.
type sweepSeries struct {
	pts   []sweepPoint // in the order of x; y already on the axis's scale
	style strategyStyle
	lk    look
}

func (s *sweepSeries) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	clampY := func(y float64) vg.Length { return trY(math.Min(math.Max(y, p.Y.Min), p.Y.Max)) }
	band := color.NRGBAModel.Convert(s.style.color).(color.NRGBA)
	band.A = 0x38
	// Bands over runs of stable points with an interval.
	var run []sweepPoint
	flush := func() {
		if len(run) > 1 {
			var poly []vg.Point
			for _, q := range run {
				poly = append(poly, vg.Point{X: trX(q.x), Y: clampY(q.high)})
			}
			for i := len(run) - 1; i >= 0; i-- {
				poly = append(poly, vg.Point{X: trX(run[i].x), Y: clampY(run[i].low)})
			}
			c.FillPolygon(band, c.ClipPolygonXY(poly))
		} else if len(run) == 1 {
			q := run[0]
			ls := draw.LineStyle{Color: s.style.color, Width: s.lk.line}
			x := trX(q.x)
			c.StrokeLine2(ls, x, clampY(q.low), x, clampY(q.high))
		}
		run = run[:0]
	}
	for _, q := range s.pts {
		if q.unstable || math.IsNaN(q.low) || math.IsNaN(q.high) {
			flush()
			continue
		}
		run = append(run, q)
	}
	flush()
	solid := s.style.lineStyle(s.lk)
	dotted := draw.LineStyle{Color: s.style.color, Width: s.lk.line * 0.8, Dashes: []vg.Length{1, 2}}
	for i := 1; i < len(s.pts); i++ {
		a, b := s.pts[i-1], s.pts[i]
		ls := solid
		if a.unstable || b.unstable {
			ls = dotted
		}
		c.StrokeLines(ls, c.ClipLinesXY([]vg.Point{{X: trX(a.x), Y: clampY(a.y)}, {X: trX(b.x), Y: clampY(b.y)}})...)
	}
	gs := s.style.glyphStyle(s.lk)
	cross := unstableGlyph(s.style.color, s.lk)
	for _, q := range s.pts {
		pt := vg.Point{X: trX(q.x), Y: clampY(q.y)}
		if q.unstable {
			c.DrawGlyph(cross, pt)
		} else {
			c.DrawGlyph(gs, pt)
		}
	}
}

// unstableGlyph marks a point where offered load exceeded capacity.
func unstableGlyph(col color.Color, lk look) draw.GlyphStyle {
	return draw.GlyphStyle{Color: col, Radius: lk.glyph * 1.3, Shape: draw.CrossGlyph{}}
}

func (s *sweepSeries) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, q := range s.pts {
		xmin, xmax = math.Min(xmin, q.x), math.Max(xmax, q.x)
		ymin, ymax = math.Min(ymin, q.y), math.Max(ymax, q.y)
	}
	return
}

// sweepLines draws metric m against parameter k, one line per strategy; when
// other parameters are swept too, one panel per combination of their values.
func (r *resolved) sweepLines(res *results.Results, k int, m sweepMetric) *layout {
	ax := sweepAxis(res, k)
	// Group points by the values of the other parameters.
	var groups []string
	members := map[string][]results.Point{}
	for _, pt := range res.Points {
		var parts []string
		for j, p := range pt.Params {
			if j != k {
				parts = append(parts, humanKey(res.SweepParams[j])+" = "+p.Value)
			}
		}
		g := strings.Join(parts, ", ")
		if _, ok := members[g]; !ok {
			groups = append(groups, g)
		}
		members[g] = append(members[g], pt)
	}
	// Panels in the order of the other parameters' values, and lines joining
	// points in the order of the axis, whatever the order of the points in
	// the file.
	others := make([]axisValues, len(res.SweepParams))
	for j := range others {
		others[j] = sweepAxis(res, j)
	}
	groupPos := func(g string) []float64 {
		var pos []float64
		for j, p := range members[g][0].Params {
			if j != k {
				pos = append(pos, others[j].pos(p.Value))
			}
		}
		return pos
	}
	slices.SortStableFunc(groups, func(a, b string) int { return slices.Compare(groupPos(a), groupPos(b)) })
	for _, pts := range members {
		slices.SortStableFunc(pts, func(a, b results.Point) int {
			return cmp.Compare(ax.pos(a.Params[k].Value), ax.pos(b.Params[k].Value))
		})
	}
	var notes []string
	if len(groups) > maxPanels {
		notes = append(notes, "showing "+strconv.Itoa(maxPanels)+" of "+strconv.Itoa(len(groups))+" panels")
		groups = groups[:maxPanels]
	}
	// The range of the stable points and their intervals, for one y scale
	// shared by all panels.
	marks := func(s sim.StrategyResult) bool {
		return s.Unstable && (m.latency || m.file == "accuracy" || m.file == "within")
	}
	lo, hi, meanLo, meanHi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	anyStable := false
	for _, g := range groups {
		for _, pt := range members[g] {
			for _, s := range pt.Strategies {
				st := m.stat(pt, s)
				y := float64(st.Mean)
				// A share is bounded: an unstable point's stays on the axis.
				if (marks(s) && m.file != "within") || math.IsNaN(y) || math.IsInf(y, 0) || (m.latency && !(y > 0)) {
					continue
				}
				anyStable = true
				lo, hi, meanHi = math.Min(lo, y), math.Max(hi, y), math.Max(meanHi, y)
				meanLo = math.Min(meanLo, y)
				if l, h := float64(st.Low), float64(st.High); !math.IsNaN(l) && !math.IsNaN(h) {
					if !m.latency || l > 0 {
						lo = math.Min(lo, l)
					}
					hi = math.Max(hi, h)
				}
			}
		}
	}
	if !anyStable {
		// Only unstable points: their values are all there is to show.
		for _, g := range groups {
			for _, pt := range members[g] {
				for _, s := range pt.Strategies {
					if y := float64(m.stat(pt, s).Mean); y > 0 && !math.IsInf(y, 0) {
						lo, hi, meanHi = math.Min(lo, y), math.Max(hi, y), math.Max(meanHi, y)
					}
				}
			}
		}
	}
	if math.IsInf(lo, 0) {
		return nil
	}
	if m.target > 0 {
		lo, hi, meanHi = math.Min(lo, m.target), math.Max(hi, m.target), math.Max(meanHi, m.target)
	}
	// Near saturation an interval can span hundreds of times its mean; it
	// runs off the top (or the bottom) rather than squeeze every line.
	hi = math.Min(hi, 2*meanHi)
	if m.latency && anyStable {
		lo = math.Max(lo, meanLo/2)
	}
	// Latency near saturation spans orders of magnitude; a log axis then
	// keeps the other points readable.
	logY := m.latency && hi/lo > 8
	yOf := func(v float64) float64 {
		if logY {
			if !(v > 0) {
				return math.Inf(-1)
			}
			return math.Log10(v)
		}
		return v
	}
	ylabel := m.name + " (" + m.unit + ")"
	if logY {
		ylabel = m.name + " (" + m.unit + ", log scale)"
	}
	cols := 2
	if r.Width == TwoColumn {
		cols = 3
	}
	cols = min(cols, len(groups))
	rows := (len(groups) + cols - 1) / cols
	plots := make([][]*plot.Plot, rows)
	for i := range plots {
		plots[i] = make([]*plot.Plot, cols)
	}
	legendDone := map[string]bool{}
	var legend []legendEntry
	unstable, offScale, anyBand := false, false, false
	var series []*sweepSeries
	for gi, g := range groups {
		p := newPlot(r.lk, ax.label(), ylabel)
		if gi%cols != 0 {
			p.Y.Label.Text = ""
		}
		if g != "" {
			p.Title.Text = g
			p.Title.TextStyle.Font = textStyle(r.lk.tick).Font
			p.Title.Padding = 2
		}
		addGrid(p, true, true)
		p.X.Tick.Marker = ax.ticks()
		if m.target > 0 {
			p.Add(hline{y: yOf(m.target), line: draw.LineStyle{Color: color.Black, Width: 0.8, Dashes: []vg.Length{3, 2}}})
		}
		for _, name := range r.names {
			ser := &sweepSeries{style: r.style(name), lk: r.lk}
			for _, pt := range members[g] {
				for _, s := range pt.Strategies {
					if s.Name != name {
						continue
					}
					st := m.stat(pt, s)
					y := float64(st.Mean)
					if math.IsNaN(y) || math.IsInf(y, 0) || (logY && !(y > 0)) {
						continue
					}
					q := sweepPoint{x: ax.pos(pt.Params[k].Value), y: yOf(y), low: yOf(float64(st.Low)), high: yOf(float64(st.High)), unstable: marks(s)}
					if math.IsInf(q.low, -1) {
						q.low = yOf(lo)
					}
					unstable = unstable || q.unstable
					anyBand = anyBand || (!q.unstable && !math.IsNaN(q.low) && !math.IsNaN(q.high))
					offScale = offScale || (q.unstable && y > hi*1.1)
					ser.pts = append(ser.pts, q)
				}
			}
			if len(ser.pts) == 0 {
				continue
			}
			p.Add(ser)
			series = append(series, ser)
			if !legendDone[name] {
				legendDone[name] = true
				ls, gs := ser.style.lineStyle(r.lk), ser.style.glyphStyle(r.lk)
				legend = append(legend, legendEntry{name: r.short[name], thumbs: []plot.Thumbnailer{lineThumb{line: ls, glyph: &gs}}})
			}
		}
		if !ax.numeric {
			p.X.Min, p.X.Max = -0.3, float64(len(ax.raw))-0.7
		} else if n := len(ax.x); n > 1 {
			pad := (ax.x[n-1] - ax.x[0]) * 0.03
			p.X.Min, p.X.Max = ax.x[0]-pad, ax.x[n-1]+pad
		}
		switch {
		case logY:
			p.Y.Min, p.Y.Max = math.Log10(lo/1.1), math.Log10(hi*1.1)
			p.Y.Tick.Marker = logTicks{}
		case m.zero:
			p.Y.Min, p.Y.Max = 0, hi*1.05
		default:
			pad := math.Max((hi-lo)*0.08, math.Abs(hi)*0.002)
			p.Y.Min, p.Y.Max = lo-pad, hi+pad
		}
		plots[gi/cols][gi%cols] = p
	}
	if len(legend) == 0 {
		return nil
	}
	if unstable {
		cross := unstableGlyph(color.Black, r.lk)
		legend = append(legend, legendEntry{name: "unstable", thumbs: []plot.Thumbnailer{glyphThumb{sty: cross}}})
		n := "×, dotted: unstable points (offered load above capacity; the run was stopped early, so the value understates the true one)"
		if !m.latency {
			n = "×, dotted: unstable points (offered load above capacity; measured on the requests answered before the run was stopped)"
		}
		if offScale {
			n += "; above the axis they sit on its top edge"
		}
		notes = append(notes, n)
	}
	if m.target > 0 {
		notes = append(notes, "dashed line: the SLO's target, "+fmtG(m.target)+" % of requests")
	}
	switch {
	case m.file == "cost":
		notes = append(notes, "cost is fixed by the servers, so it has no interval")
	case anyBand:
		notes = append(notes, "shaded: 95 % confidence interval over replications")
	default:
		notes = append(notes, "no confidence intervals: one replication")
	}
	return &layout{lk: r.lk, plots: plots, legend: legend, notes: notes, series: series}
}

// heatColors is ColorBrewer's YlGnBu sequence (Brewer, colorbrewer2.org),
// light yellow to dark blue: ordered in lightness, so it reads in grayscale
// and to colour-blind readers.
var heatColors = func() []color.Color {
	p, err := brewer.GetPalette(brewer.TypeSequential, "YlGnBu", 9)
	if err != nil {
		panic("report: " + err.Error())
	}
	return p.Colors()
}()

// heatColor maps t in [0, 1] onto heatColors, interpolating between classes.
func heatColor(t float64) color.Color {
	t = math.Min(1, math.Max(0, t))
	f := t * float64(len(heatColors)-1)
	i := int(math.Floor(f))
	if i >= len(heatColors)-1 {
		return heatColors[len(heatColors)-1]
	}
	a, b := color.NRGBAModel.Convert(heatColors[i]).(color.NRGBA), color.NRGBAModel.Convert(heatColors[i+1]).(color.NRGBA)
	w := f - float64(i)
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-w) + float64(y)*w)) }
	return color.NRGBA{R: mix(a.R, b.R), G: mix(a.G, b.G), B: mix(a.B, b.B), A: 0xff}
}

// heatmap draws p99 of one strategy over a two-parameter sweep, one cell per
// point with its value written in it. Every strategy's map shares one colour
// scale.
func (r *resolved) heatmap(res *results.Results, name string) *layout {
	ax, ay := sweepAxis(res, 0), sweepAxis(res, 1)
	lo, hi := math.Inf(1), math.Inf(-1)
	cells := map[[2]int]sim.StrategyResult{}
	unstable := false
	for _, pt := range res.Points {
		for _, s := range pt.Strategies {
			v := float64(s.Summary.P99Ms.Mean)
			if !s.Unstable && v > 0 && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
			if s.Name == name {
				cells[[2]int{index(ax.raw, pt.Params[0].Value), index(ay.raw, pt.Params[1].Value)}] = s
				unstable = unstable || s.Unstable
			}
		}
	}
	if len(cells) == 0 || math.IsInf(lo, 0) {
		return nil
	}
	if hi == lo {
		hi = lo * 1.1
	}
	p := newPlot(r.lk, ax.label(), ay.label())
	p.Title.Text = r.short[name] + ": p99 latency (ms)"
	p.Title.TextStyle.Font = textStyle(r.lk.label).Font
	p.Title.Padding = 3
	cat := func(a axisValues) plot.Ticker {
		ts := make([]plot.Tick, len(a.raw))
		for i, s := range a.raw {
			ts[i] = plot.Tick{Value: float64(i), Label: s}
		}
		return plot.ConstantTicks(ts)
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = cat(ax), cat(ay)
	p.X.Tick.Length, p.Y.Tick.Length = 0, 0
	p.X.Min, p.X.Max = -0.5, float64(len(ax.raw))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(len(ay.raw))-0.5
	p.Add(&heatCells{cells: cells, lo: lo, hi: hi, text: textStyle(r.lk.tick)})
	notes := []string{"darker: slower; the log colour scale is shared by the heat maps of all strategies"}
	if unstable {
		notes = append(notes, "unstable: offered load above capacity, no p99 to show")
	}
	return &layout{lk: r.lk, plots: [][]*plot.Plot{{p}}, notes: notes,
		colorBar: &colorBar{lo: lo, hi: hi, label: "p99 (ms)", color: heatColor}}
}

func index(ss []string, s string) int {
	for i, v := range ss {
		if v == s {
			return i
		}
	}
	return -1
}

type heatCells struct {
	cells  map[[2]int]sim.StrategyResult
	lo, hi float64 // the ends of the colour scale
	text   text.Style
}

func (h *heatCells) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	keys := make([][2]int, 0, len(h.cells))
	for k := range h.cells {
		keys = append(keys, k)
	}
	// Map order is random; draw in a fixed order so output is deterministic.
	slices.SortFunc(keys, func(a, b [2]int) int { return cmp.Or(cmp.Compare(a[1], b[1]), cmp.Compare(a[0], b[0])) })
	for _, k := range keys {
		s := h.cells[k]
		x0, x1 := trX(float64(k[0])-0.5), trX(float64(k[0])+0.5)
		y0, y1 := trY(float64(k[1])-0.5), trY(float64(k[1])+0.5)
		pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
		v := float64(s.Summary.P99Ms.Mean)
		var fill color.Color = color.Gray{Y: 0xe8}
		label := "n/a"
		if s.Unstable {
			label = "unstable"
		} else if !math.IsNaN(v) {
			fill = heatColor(math.Log(v/h.lo) / math.Log(h.hi/h.lo))
			label = strconv.FormatFloat(v, 'f', 0, 64)
		}
		c.FillPolygon(fill, pts)
		c.StrokeLines(draw.LineStyle{Color: color.White, Width: 1}, append(pts, pts[0]))
		sty := h.text
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
		sty.Color = color.Black
		if luminance(fill) < 0.45 {
			sty.Color = color.White
		}
		c.FillText(sty, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}, label)
	}
}

// luminance is the relative luminance of c (ITU-R BT.709 weights on the
// gamma-encoded values, close enough to pick black or white text).
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xffff
}
