package report

import (
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

// sloTargetPct returns the share of requests a "within" SLO asks for, in
// percent as written, read from its objective as the command records it
// ("within 300ms for 99%"), and false for an SLO on a latency metric
// ("p99<=300ms").
func sloTargetPct(slo *results.SLO) (float64, bool) {
	if slo == nil {
		return 0, false
	}
	o := strings.TrimSpace(slo.Objective)
	if !strings.HasPrefix(o, "within") {
		return 0, false
	}
	_, share, ok := strings.Cut(o, " for ")
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(share), "%"), 64)
	if err != nil || !(v > 0 && v <= 100) {
		return 0, false
	}
	return v, true
}

// sloMs is the SLO's bound as titles and axes print it: "300 ms".
func sloMs(slo *results.SLO) string { return strconv.FormatFloat(slo.WithinMs, 'g', -1, 64) + " ms" }

// withinStat is a strategy's share of requests within the SLO at a point,
// in percent; NaN where the point holds none.
func withinStat(pt results.Point, s sim.StrategyResult) sim.Stat {
	st, ok := pt.Within[s.Name]
	if !ok {
		nan := sim.Float(math.NaN())
		return sim.Stat{Mean: nan, Low: nan, High: nan}
	}
	return scaled(st, 100)
}

// sloShares draws each strategy's share of requests within the SLO's bound
// as a dot with its 95 % confidence interval, and the share a "within" SLO
// asks for as a dashed line. The axis is cut to the shares' range: they
// differ in the last per cent, which bars from zero would hide.
func (r *resolved) sloShares(res *results.Results, pt results.Point) *layout {
	if res.SLO == nil {
		return nil
	}
	names, _ := r.labelsAndColors(pt)
	mean, low, high := make([]float64, len(pt.Strategies)), make([]float64, len(pt.Strategies)), make([]float64, len(pt.Strategies))
	var styles []draw.GlyphStyle
	lo, hi := math.Inf(1), math.Inf(-1)
	var missing []string
	for i, s := range pt.Strategies {
		st := withinStat(pt, s)
		mean[i], low[i], high[i] = float64(st.Mean), float64(st.Low), float64(st.High)
		styles = append(styles, r.style(s.Name).glyphStyle(r.lk))
		if math.IsNaN(mean[i]) {
			missing = append(missing, r.short[s.Name])
			continue
		}
		lo, hi = math.Min(lo, mean[i]), math.Max(hi, mean[i])
		if !math.IsNaN(low[i]) && !math.IsNaN(high[i]) {
			lo, hi = math.Min(lo, low[i]), math.Max(hi, high[i])
		}
	}
	if math.IsInf(lo, 0) {
		return nil
	}
	target, hasTarget := sloTargetPct(res.SLO)
	if hasTarget {
		lo, hi = math.Min(lo, target), math.Max(hi, target)
	}
	span := math.Max(hi-lo, 0.5)
	p := newPlot(r.lk, "requests within "+sloMs(res.SLO)+" (%)", "")
	addGrid(p, true, false)
	categoryAxisY(p, names)
	pos := &hbars{values: mean}
	dots := &hdots{bars: pos, styles: styles}
	p.Add(&xerrbars{bars: pos, low: low, high: high, line: draw.LineStyle{Color: color.Gray{Y: 0x66}, Width: 0.8}, cap: 3}, dots)
	notes := []string{ciNote(low, high)}
	if hasTarget {
		p.Add(vline{x: target, line: draw.LineStyle{Color: color.Black, Width: 0.8, Dashes: []vg.Length{3, 2}}})
		notes = append(notes, "dashed line: the SLO's target, "+strconv.FormatFloat(target, 'g', -1, 64)+" % of requests within "+sloMs(res.SLO))
	} else {
		notes = append(notes, "SLO "+res.SLO.Objective+": judged on the latency, not on this share")
	}
	notes = append(notes, "failed requests count as missed; x axis cut to the shares' range")
	if len(missing) > 0 {
		notes = append(notes, "no share: "+strings.Join(missing, ", "))
	}
	// After Add, which would widen the axis to zero.
	p.X.Min, p.X.Max = math.Max(0, lo-0.12*span), math.Min(100+0.03*span, hi+0.08*span)
	return &layout{lk: r.lk, plots: [][]*plot.Plot{{p}}, notes: notes}
}

// hdots draws one marker per row of an hbars, at its value.
type hdots struct {
	bars   *hbars
	styles []draw.GlyphStyle
}

func (d *hdots) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i, v := range d.bars.values {
		if math.IsNaN(v) {
			continue
		}
		at := vg.Point{X: trX(v), Y: trY(d.bars.y(i))}
		// A white disc under the marker keeps a cross or a plus apart from
		// the interval it sits on.
		sty := d.styles[i]
		sty.Radius *= 1.3
		c.DrawGlyph(draw.GlyphStyle{Color: color.White, Radius: sty.Radius * 1.25, Shape: draw.CircleGlyph{}}, at)
		c.DrawGlyph(sty, at)
	}
}

func (d *hdots) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, v := range d.bars.values {
		if !math.IsNaN(v) {
			xmin, xmax = math.Min(xmin, v), math.Max(xmax, v)
		}
	}
	return xmin, xmax, -0.6, float64(len(d.bars.values)) - 0.4
}

// hline is a reference line at y.
type hline struct {
	y    float64
	line draw.LineStyle
}

func (h hline) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y := trY(h.y)
	c.StrokeLines(h.line, c.ClipLinesXY([]vg.Point{{X: c.Min.X, Y: y}, {X: c.Max.X, Y: y}})...)
}

func (h hline) DataRange() (xmin, xmax, ymin, ymax float64) {
	return math.Inf(1), math.Inf(-1), h.y, h.y
}

// SLOTarget returns the share of requests (a fraction) a "within" SLO asks
// for, as the results record it, and false for an SLO on a latency metric.
func SLOTarget(slo *results.SLO) (float64, bool) {
	pct, ok := sloTargetPct(slo)
	return pct / 100, ok
}
