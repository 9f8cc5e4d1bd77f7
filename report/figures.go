package report

import (
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

// Figures builds every figure of a report: the per-point figures of the
// chosen point (or of every point with Options.AllPoints), and for a sweep the
// p99, p99.9, mean latency, cost and accuracy against each swept parameter
// and, when exactly two parameters are swept, p99 heat maps.
func Figures(res *results.Results, opt Options) ([]*Figure, error) {
	r, err := resolve(res, opt)
	if err != nil {
		return nil, err
	}
	figs, _ := r.figures(res)
	return figs, nil
}

// figures returns the figures, and the names of those with nothing to draw
// (no strategy has the numbers they show).
func (r *resolved) figures(res *results.Results) (figs []*Figure, empty []string) {
	used := map[string]bool{}
	add := func(name, title string, l *layout) {
		if l == nil {
			empty = append(empty, name)
			return
		}
		// Names that fileSafe made equal ("a b", "a_b") get a number.
		for base, i := name, 2; used[name]; i++ {
			name = base + "-" + strconv.Itoa(i)
		}
		used[name] = true
		w, h := l.size()
		figs = append(figs, &Figure{Name: name, Title: title, Width: w, Height: h, layout: l})
	}
	points := []int{r.Point}
	if r.AllPoints {
		points = points[:0]
		for i := range res.Points {
			points = append(points, i)
		}
	}
	sweep := len(res.Points) > 1
	for _, i := range points {
		pt := res.Points[i]
		suffix, at, head := "", "", ""
		if r.AllPoints && sweep {
			suffix = "-point" + strconv.Itoa(pt.Index)
		}
		if sweep || len(pt.Params) > 0 {
			head = pointHeading(res, i)
			at = " at " + head
		}
		// Every per-point figure of a sweep names its point above its plot.
		titled := func(l *layout) *layout {
			if l != nil {
				l.title = head
			}
			return l
		}
		add("cdf"+suffix, "Latency CDF"+at, titled(r.cdf(pt)))
		add("ccdf"+suffix, "Latency tail: share of requests slower than x (log scale)"+at, titled(r.ccdf(pt)))
		add("p99"+suffix, "p99 latency with 95 % confidence intervals"+at, titled(r.p99(pt)))
		add("mean-std"+suffix, "Mean and standard deviation of latency"+at, titled(r.meanStd(pt)))
		add("variance-ratio"+suffix, "Latency variance relative to "+r.baseline+at, titled(r.varianceRatio(pt)))
		add("accuracy-p99"+suffix, "Accuracy against p99 latency"+at, titled(r.accuracyP99(pt)))
		add("cost-p99"+suffix, "Cost per hour against p99 latency"+at, titled(r.costP99(pt)))
		if res.SLO != nil {
			add("slo"+suffix, "Share of requests within the SLO ("+res.SLO.Objective+") with 95 % confidence intervals"+at, titled(r.sloShares(res, pt)))
		}
	}
	if sweep && len(res.SweepParams) > 0 {
		metrics := sweepMetrics
		if res.SLO != nil {
			metrics = append(metrics[:len(metrics):len(metrics)], withinMetric(res.SLO))
		}
		for _, m := range metrics {
			for k, key := range res.SweepParams {
				add("sweep-"+m.file+"-"+fileSafe(key), capitalise(m.name)+" against "+humanKey(key)+" ("+key+"), every point", r.sweepLines(res, k, m))
			}
		}
		if len(res.SweepParams) == 2 {
			for _, name := range r.names {
				if r.HeatmapStrategy != "" && name != r.HeatmapStrategy {
					continue
				}
				add("heatmap-p99-"+fileSafe(name), "p99 latency of "+name+" over "+humanKey(res.SweepParams[0])+" and "+humanKey(res.SweepParams[1])+", every point", r.heatmap(res, name))
			}
		}
	}
	return figs, empty
}

func capitalise(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// pointHeading names the point at position i of a sweep in words, with the
// index of its points/point-NNNNN.json: "point 3: S-CNN servers = 9, arrival
// rate = 60/s".
func pointHeading(res *results.Results, i int) string {
	pt := res.Points[i]
	h := "point " + strconv.Itoa(pt.Index)
	if len(pt.Params) == 0 {
		return h
	}
	parts := make([]string, len(pt.Params))
	for j, p := range pt.Params {
		parts[j] = humanKey(p.Key) + " = " + p.Value
	}
	return h + ": " + strings.Join(parts, ", ")
}

// fileSafe makes a strategy or parameter name usable in a file name.
func fileSafe(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.', c == '_':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// label is a strategy's name as figures print it.
func (r *resolved) label(s sim.StrategyResult) string {
	n := r.short[s.Name]
	if s.Unstable {
		n += " (unstable)"
	}
	return n
}

func (r *resolved) style(name string) strategyStyle { return styleOf(r.slots[name]) }

// quantileAt interpolates the latency at probability p in a CDF table.
func quantileAt(cdf []sim.Quantile, p float64) float64 {
	if len(cdf) == 0 {
		return math.NaN()
	}
	if p <= cdf[0].P {
		return cdf[0].Ms
	}
	for i := 1; i < len(cdf); i++ {
		if cdf[i].P >= p {
			a, b := cdf[i-1], cdf[i]
			if b.P == a.P {
				return b.Ms
			}
			return a.Ms + (b.Ms-a.Ms)*(p-a.P)/(b.P-a.P)
		}
	}
	return cdf[len(cdf)-1].Ms
}

func (r *resolved) cdfLines(pt results.Point, y func(p float64) float64, marks []float64, keep func(q sim.Quantile) bool) (lines []plot.Plotter, legend []legendEntry) {
	return r.cdfLinesBy(pt, y, marks, func(_ sim.StrategyResult, q sim.Quantile) bool { return keep(q) })
}

func (r *resolved) cdfLinesBy(pt results.Point, y func(p float64) float64, marks []float64, keep func(s sim.StrategyResult, q sim.Quantile) bool) (lines []plot.Plotter, legend []legendEntry) {
	for _, s := range pt.Strategies {
		var xys plotter.XYs
		for _, q := range s.CDF {
			if keep(s, q) && !math.IsNaN(q.Ms) {
				xys = append(xys, plotter.XY{X: q.Ms, Y: y(q.P)})
			}
		}
		if len(xys) < 2 {
			continue
		}
		st := r.style(s.Name)
		l, err := plotter.NewLine(xys)
		if err != nil {
			continue
		}
		l.LineStyle = st.lineStyle(r.lk)
		lines = append(lines, l)
		gs := st.glyphStyle(r.lk)
		var mk plotter.XYs
		for _, p := range marks {
			if x := quantileAt(s.CDF, p); !math.IsNaN(x) && keep(s, sim.Quantile{P: p, Ms: x}) {
				mk = append(mk, plotter.XY{X: x, Y: y(p)})
			}
		}
		if sc, err := plotter.NewScatter(mk); err == nil {
			sc.GlyphStyle = gs
			lines = append(lines, sc)
		}
		legend = append(legend, legendEntry{name: r.label(s), thumbs: []plot.Thumbnailer{lineThumb{line: l.LineStyle, glyph: &gs}}})
	}
	return lines, legend
}

func (r *resolved) cdf(pt results.Point) *layout {
	// The body of the distribution is what a CDF shows; cut the x axis at the
	// largest p99.9 so one long tail does not squeeze the others.
	xmax := 0.0
	for _, s := range pt.Strategies {
		if v := quantileAt(s.CDF, 0.999); !math.IsNaN(v) {
			xmax = math.Max(xmax, v)
		}
	}
	lines, legend := r.cdfLines(pt, func(p float64) float64 { return p }, []float64{0.5, 0.99}, func(sim.Quantile) bool { return true })
	if len(lines) == 0 {
		return nil
	}
	p := newPlot(r.lk, "latency (ms)", "fraction of requests")
	addGrid(p, true, true)
	p.Add(lines...)
	p.X.Max = xmax * 1.02
	p.Y.Min, p.Y.Max = 0, 1
	return &layout{lk: r.lk, plots: [][]*plot.Plot{{p}}, legend: legend,
		notes: []string{"markers: p50 and p99; x axis cut at the largest p99.9"}}
}

// pooledRequests is how many answered requests a strategy's pooled CDF was
// estimated from.
func pooledRequests(s sim.StrategyResult) float64 {
	n := 0.0
	for _, m := range s.Reps {
		n += float64(m.Answered)
	}
	if n == 0 {
		n = float64(s.Summary.Answered.Mean)
	}
	return n
}

func (r *resolved) ccdf(pt results.Point) *layout {
	// A tail share below 1/n of the requests a CDF was estimated from is
	// not measured; each line stops there, and the axis at the smallest such
	// share.
	floor := 1.0
	for _, s := range pt.Strategies {
		if n := pooledRequests(s); n >= 1 {
			floor = math.Min(floor, 1/n)
		}
	}
	// The y axis is log10(1-p) on a linear scale rather than 1-p on
	// plot.LogScale: gonum/plot centres the axis label at the arithmetic
	// middle of the range, which on a log scale pushes the plot down.
	lines, legend := r.cdfLinesBy(pt, func(p float64) float64 { return math.Log10(1 - p) }, []float64{0.9, 0.99, 0.999},
		func(s sim.StrategyResult, q sim.Quantile) bool {
			n := pooledRequests(s)
			return q.P < 1 && (n < 1 || 1-q.P >= 1/n*(1-1e-9))
		})
	if len(lines) == 0 {
		return nil
	}
	p := newPlot(r.lk, "latency (ms)", "requests slower than x")
	ymin := 1.0
	for _, s := range pt.Strategies {
		n := pooledRequests(s)
		for _, q := range s.CDF {
			if q.P < 1 && (n < 1 || 1-q.P >= 1/n*(1-1e-9)) {
				ymin = math.Min(ymin, 1-q.P)
			}
		}
	}
	p.Y.Tick.Marker = percentLogTicks{}
	addGrid(p, true, true)
	p.Add(lines...)
	// After Add, which would widen the axis to the data's rounding errors.
	p.Y.Min = math.Floor(math.Log10(ymin) + 1e-9)
	p.Y.Max = 0
	notes := []string{"markers: p90, p99 and p99.9"}
	if floor < 1 {
		notes[0] += "; each line ends at 1/n of the n requests it was estimated from (n = " + fmtCount(1/floor) + " here)"
	}
	return &layout{lk: r.lk, plots: [][]*plot.Plot{{p}}, legend: legend, notes: notes}
}

// fmtCount writes a count with thousands separators: 60,000.
func fmtCount(v float64) string {
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// percentLogTicks labels an axis of log10(share) at each decade as a
// percentage (10%, 1%, 0.1%), with minor ticks between.
type percentLogTicks struct{}

func (percentLogTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for e := math.Ceil(min - 1e-9); e <= max+1e-9; e++ {
		v := math.Pow(10, e)
		ticks = append(ticks, plot.Tick{Value: e, Label: strconv.FormatFloat(v*100, 'f', -1, 64) + "%"})
		for m := 2.0; m < 10; m++ {
			if lm := e + math.Log10(m); lm < max {
				ticks = append(ticks, plot.Tick{Value: lm})
			}
		}
	}
	return ticks
}

var (
	barOutline = draw.LineStyle{Color: color.Black, Width: 0.5}
	ciLine     = draw.LineStyle{Color: color.Black, Width: 0.8}
)

// labelsAndColors returns the strategies of a point as figures print them.
func (r *resolved) labelsAndColors(pt results.Point) ([]string, []color.Color) {
	names := make([]string, len(pt.Strategies))
	colors := make([]color.Color, len(pt.Strategies))
	for i, s := range pt.Strategies {
		names[i] = r.label(s)
		colors[i] = r.style(s.Name).color
	}
	return names, colors
}

func stat(f func(s sim.StrategyResult) sim.Stat, ss []sim.StrategyResult) (mean, low, high []float64) {
	for _, s := range ss {
		st := f(s)
		mean = append(mean, float64(st.Mean))
		low = append(low, float64(st.Low))
		high = append(high, float64(st.High))
	}
	return
}

func allNaN(vs []float64) bool {
	for _, v := range vs {
		if !math.IsNaN(v) {
			return false
		}
	}
	return true
}

func anyCI(low, high []float64) bool {
	for i := range low {
		if !math.IsNaN(low[i]) && !math.IsNaN(high[i]) {
			return true
		}
	}
	return false
}

func ciNote(low, high []float64) string {
	if anyCI(low, high) {
		return "error bars: 95 % confidence interval over replications"
	}
	return "no confidence intervals: one replication"
}

func (r *resolved) p99(pt results.Point) *layout {
	names, colors := r.labelsAndColors(pt)
	mean, low, high := stat(func(s sim.StrategyResult) sim.Stat { return s.Summary.P99Ms }, pt.Strategies)
	if allNaN(mean) {
		return nil
	}
	p := newPlot(r.lk, "p99 latency (ms)", "")
	addGrid(p, true, false)
	categoryAxisY(p, names)
	bars := &hbars{values: mean, colors: colors, thickness: 0.6, outline: barOutline}
	p.Add(bars, &xerrbars{bars: bars, low: low, high: high, line: ciLine, cap: 2.5})
	p.X.Min = 0
	headroom(p, mean, high)
	return &layout{lk: r.lk, plots: [][]*plot.Plot{{p}}, notes: []string{ciNote(low, high)}}
}

// headroom leaves 4 % of room right of the longest bar or interval, so no
// bar ends on the plot's frame.
func headroom(p *plot.Plot, values ...[]float64) {
	top := 0.0
	for _, vs := range values {
		for _, v := range vs {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				top = math.Max(top, v)
			}
		}
	}
	if top > 0 {
		p.X.Max = top * 1.04
	}
}

func (r *resolved) meanStd(pt results.Point) *layout {
	names, _ := r.labelsAndColors(pt)
	mean, mlow, mhigh := stat(func(s sim.StrategyResult) sim.Stat { return s.Summary.MeanMs }, pt.Strategies)
	std, slow, shigh := stat(func(s sim.StrategyResult) sim.Stat { return s.Summary.StdMs }, pt.Strategies)
	if allNaN(mean) && allNaN(std) {
		return nil
	}
	p := newPlot(r.lk, "latency (ms)", "")
	addGrid(p, true, false)
	categoryAxisY(p, names)
	// Dark and light grey: the two statistics must not borrow the colours
	// that name strategies elsewhere in the report, and the pair survives
	// grayscale printing.
	mb := &hbars{values: mean, colors: []color.Color{color.Gray{Y: 0x55}}, thickness: 0.36, offset: 0.19, outline: barOutline}
	sb := &hbars{values: std, colors: []color.Color{color.Gray{Y: 0xc8}}, thickness: 0.36, offset: -0.19, outline: barOutline}
	p.Add(mb, sb,
		&xerrbars{bars: mb, low: mlow, high: mhigh, line: ciLine, cap: 1.8},
		&xerrbars{bars: sb, low: slow, high: shigh, line: ciLine, cap: 1.8})
	p.X.Min = 0
	headroom(p, mean, mhigh, std, shigh)
	return &layout{lk: r.lk, plots: [][]*plot.Plot{{p}},
		legend: []legendEntry{{name: "mean", thumbs: []plot.Thumbnailer{mb}}, {name: "standard deviation", thumbs: []plot.Thumbnailer{sb}}},
		notes:  []string{ciNote(append(mlow, slow...), append(mhigh, shigh...))}}
}

func (r *resolved) baselineOf(pt results.Point) (sim.StrategyResult, bool) {
	for _, s := range pt.Strategies {
		if s.Name == r.baseline {
			return s, true
		}
	}
	return sim.StrategyResult{}, false
}

func (r *resolved) varianceRatio(pt results.Point) *layout {
	base, ok := r.baselineOf(pt)
	bv := float64(base.Summary.VarMs2.Mean)
	if !ok || !(bv > 0) {
		return nil
	}
	names, colors := r.labelsAndColors(pt)
	ratios := make([]float64, len(pt.Strategies))
	for i, s := range pt.Strategies {
		ratios[i] = float64(s.Summary.VarMs2.Mean) / bv
	}
	p := newPlot(r.lk, "variance relative to "+r.short[r.baseline]+" (×)", "")
	addGrid(p, true, false)
	categoryAxisY(p, names)
	bars := &hbars{values: ratios, colors: colors, thickness: 0.6, outline: barOutline}
	p.Add(bars, vline{x: 1, line: draw.LineStyle{Color: color.Black, Width: 0.8, Dashes: []vg.Length{3, 2}}},
		&barValues{bars: bars, format: func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) + "×" }, text: textStyle(r.lk.tick)})
	p.X.Min = 0
	return &layout{lk: r.lk, plots: [][]*plot.Plot{{p}}, notes: []string{"dashed line: " + r.short[r.baseline] + " (1×)"}}
}

// barValues writes each bar's value right of its end.
type barValues struct {
	bars   *hbars
	format func(float64) string
	text   text.Style
}

func (b *barValues) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := b.text
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
	for i, v := range b.bars.values {
		if math.IsNaN(v) {
			continue
		}
		txt := b.format(v)
		at := vg.Point{X: trX(v) + 2, Y: trY(b.bars.y(i))}
		// A white ground keeps the value readable over a reference line.
		r := sty.Rectangle(txt).Add(at)
		r.Min.X -= 1
		r.Max.X += 1
		c.SetColor(color.White)
		c.Fill(r.Path())
		c.FillText(sty, at, txt)
	}
}

// GlyphBoxes reserve room for the values right of the bars.
func (b *barValues) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	var bs []plot.GlyphBox
	for i, v := range b.bars.values {
		if math.IsNaN(v) {
			continue
		}
		w := b.text.Width(b.format(v))
		bs = append(bs, plot.GlyphBox{X: p.X.Norm(v), Y: p.Y.Norm(b.bars.y(i)),
			Rectangle: vg.Rectangle{Min: vg.Point{X: 0, Y: -1}, Max: vg.Point{X: w + 3, Y: 1}}})
	}
	return bs
}

func (r *resolved) scatterP99(pt results.Point, ylabel string, y func(s sim.StrategyResult) sim.Stat, what string) *layout {
	lp := &labelledPoints{text: textStyle(r.lk.tick)}
	var missing []string
	for _, s := range pt.Strategies {
		x, v := float64(s.Summary.P99Ms.Mean), y(s)
		if math.IsNaN(x) || math.IsNaN(float64(v.Mean)) || math.IsInf(float64(v.Mean), 0) {
			missing = append(missing, r.short[s.Name])
			continue
		}
		lp.x = append(lp.x, x)
		lp.y = append(lp.y, float64(v.Mean))
		lp.xlo = append(lp.xlo, float64(s.Summary.P99Ms.Low))
		lp.xhi = append(lp.xhi, float64(s.Summary.P99Ms.High))
		lp.ylo = append(lp.ylo, float64(v.Low))
		lp.yhi = append(lp.yhi, float64(v.High))
		lp.names = append(lp.names, r.label(s))
		lp.styles = append(lp.styles, r.style(s.Name).glyphStyle(r.lk))
	}
	if len(lp.x) == 0 {
		return nil
	}
	p := newPlot(r.lk, "p99 latency (ms)", ylabel)
	addGrid(p, true, true)
	p.Add(lp)
	padAround(p, lp)
	var notes []string
	if anyCI(lp.xlo, lp.xhi) || anyCI(lp.ylo, lp.yhi) {
		notes = append(notes, "error bars: 95 % confidence intervals over replications")
	} else {
		notes = append(notes, "no confidence intervals: one replication")
	}
	if len(missing) > 0 {
		notes = append(notes, what+" n/a: "+strings.Join(missing, ", "))
	}
	return &layout{lk: r.lk, plots: [][]*plot.Plot{{p}}, notes: notes}
}

// padAround sets the axes to the points' range with room around it for
// their labels.
func padAround(p *plot.Plot, lp *labelledPoints) {
	xmin, xmax, ymin, ymax := lp.DataRange()
	dx, dy := xmax-xmin, ymax-ymin
	if dx == 0 {
		dx = math.Max(math.Abs(xmax)*0.2, 1)
	}
	if dy == 0 {
		dy = math.Max(math.Abs(ymax)*0.02, 0.5)
	}
	p.X.Min, p.X.Max = xmin-0.2*dx, xmax+0.2*dx
	p.Y.Min, p.Y.Max = ymin-0.15*dy, ymax+0.15*dy
}

func (r *resolved) accuracyP99(pt results.Point) *layout {
	return r.scatterP99(pt, "accuracy (%)", func(s sim.StrategyResult) sim.Stat { return scaled(s.Summary.Accuracy, 100) }, "accuracy")
}

func (r *resolved) costP99(pt results.Point) *layout {
	return r.scatterP99(pt, "cost ($ per hour)", func(s sim.StrategyResult) sim.Stat {
		return sim.Stat{Mean: s.CostHour, Low: sim.Float(math.NaN()), High: sim.Float(math.NaN())}
	}, "cost")
}

// fmtG formats a number compactly for a tick or an annotation.
func fmtG(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
