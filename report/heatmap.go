package report

import (
	"cmp"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/brewer"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

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
