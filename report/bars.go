package report

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

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
