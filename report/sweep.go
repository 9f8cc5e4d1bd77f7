package report

import (
	"cmp"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

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
