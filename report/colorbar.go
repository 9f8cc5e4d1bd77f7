package report

import (
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// colorBar is the key of a heat map: the colour scale from lo to hi on a log
// scale, with labelled ticks.
type colorBar struct {
	lo, hi float64
	label  string // above the bar, e.g. "ms"
	color  func(t float64) color.Color
}

const colorBarW = vg.Length(9)

func (b *colorBar) ticks() []float64 {
	var ts []float64
	for e := math.Floor(math.Log10(b.lo)); e <= math.Ceil(math.Log10(b.hi)); e++ {
		for _, m := range []float64{1, 2, 5} {
			if v := m * math.Pow(10, e); v >= b.lo*(1-1e-9) && v <= b.hi*(1+1e-9) {
				ts = append(ts, v)
			}
		}
	}
	if len(ts) < 3 {
		// Too few round values in the range: label its ends too.
		ts = append([]float64{b.lo}, append(ts, b.hi)...)
		slices.Sort(ts)
		ts = slices.CompactFunc(ts, func(a, b float64) bool { return math.Abs(a-b) < 1e-9*math.Abs(b) })
	}
	return ts
}

// fmtBarTick writes a colour bar tick: whole numbers from 10 up.
func fmtBarTick(v float64) string {
	if math.Abs(v) >= 10 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return fmtG(v)
}

func (b *colorBar) width(lk look) vg.Length {
	sty := textStyle(lk.tick)
	w := sty.Width(b.label)
	for _, v := range b.ticks() {
		w = max(w, colorBarW+3+sty.Width(fmtBarTick(v)))
	}
	return 10 + w
}

func (b *colorBar) pos(v float64) float64 { return math.Log(v/b.lo) / math.Log(b.hi/b.lo) }

func (b *colorBar) draw(c draw.Canvas, lk look) {
	sty := textStyle(lk.tick)
	top := c.Max.Y - lk.tick*1.6 // room for the label
	x0 := c.Min.X + 10
	x1 := x0 + colorBarW
	const steps = 64
	h := (top - c.Min.Y) / steps
	for i := 0; i < steps; i++ {
		y := c.Min.Y + vg.Length(i)*h
		r := vg.Rectangle{Min: vg.Point{X: x0, Y: y}, Max: vg.Point{X: x1, Y: y + h + 0.3}}
		c.SetColor(b.color((float64(i) + 0.5) / steps))
		c.Fill(r.Path())
	}
	outline := draw.LineStyle{Color: color.Black, Width: 0.5}
	c.StrokeLines(outline, []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: top}, {X: x0, Y: top}, {X: x0, Y: c.Min.Y}})
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
	for _, v := range b.ticks() {
		y := c.Min.Y + vg.Length(b.pos(v))*(top-c.Min.Y)
		c.StrokeLine2(outline, x1, y, x1+2, y)
		c.FillText(sty, vg.Point{X: x1 + 3, Y: y}, fmtBarTick(v))
	}
	sty.YAlign = draw.YBottom
	c.FillText(sty, vg.Point{X: x0, Y: top + lk.tick*0.5}, b.label)
}
