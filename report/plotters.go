package report

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// hbars draws horizontal bars, one per category (row n-1-i for value i),
// shifted by offset (in rows) so several series can stand side by side.
type hbars struct {
	values    []float64 // NaN: no bar
	colors    []color.Color
	thickness float64 // in rows
	offset    float64
	outline   draw.LineStyle
}

func (b *hbars) y(i int) float64 { return float64(len(b.values)-1-i) + b.offset }

func (b *hbars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i, v := range b.values {
		if math.IsNaN(v) {
			continue
		}
		y := b.y(i)
		x0, x1 := trX(math.Max(0, p.X.Min)), trX(v)
		y0, y1 := trY(y-b.thickness/2), trY(y+b.thickness/2)
		pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
		c.FillPolygon(b.colors[i%len(b.colors)], c.ClipPolygonXY(pts))
		outline := append(pts, pts[0])
		c.StrokeLines(b.outline, c.ClipLinesXY(outline)...)
	}
}

func (b *hbars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = 0, 0
	for _, v := range b.values {
		if !math.IsNaN(v) {
			xmin, xmax = math.Min(xmin, v), math.Max(xmax, v)
		}
	}
	return xmin, xmax, -0.6, float64(len(b.values)) - 0.4
}

func (b *hbars) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	mid := (r.Min.Y + r.Max.Y) / 2
	h := (r.Max.Y - r.Min.Y) * 0.35
	pts := []vg.Point{{X: r.Min.X, Y: mid - h}, {X: r.Max.X, Y: mid - h}, {X: r.Max.X, Y: mid + h}, {X: r.Min.X, Y: mid + h}}
	c.FillPolygon(b.colors[0], pts)
	c.StrokeLines(b.outline, append(pts, pts[0]))
}

// xerrbars draws horizontal confidence intervals at the rows of an hbars.
type xerrbars struct {
	bars      *hbars
	low, high []float64 // NaN: no bar
	line      draw.LineStyle
	cap       vg.Length
}

func (e *xerrbars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i := range e.low {
		if math.IsNaN(e.low[i]) || math.IsNaN(e.high[i]) {
			continue
		}
		y := trY(e.bars.y(i))
		x0, x1 := trX(e.low[i]), trX(e.high[i])
		c.StrokeLine2(e.line, x0, y, x1, y)
		c.StrokeLine2(e.line, x0, y-e.cap, x0, y+e.cap)
		c.StrokeLine2(e.line, x1, y-e.cap, x1, y+e.cap)
	}
}

func (e *xerrbars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = 0, 0
	for i := range e.high {
		if !math.IsNaN(e.high[i]) && !math.IsNaN(e.low[i]) {
			xmax = math.Max(xmax, e.high[i])
			xmin = math.Min(xmin, e.low[i])
		}
	}
	return xmin, xmax, -0.6, float64(len(e.low)) - 0.4
}

// vline is a reference line at x.
type vline struct {
	x    float64
	line draw.LineStyle
}

func (v vline) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x := trX(v.x)
	c.StrokeLines(v.line, c.ClipLinesXY([]vg.Point{{X: x, Y: c.Min.Y}, {X: x, Y: c.Max.Y}})...)
}

func (v vline) DataRange() (xmin, xmax, ymin, ymax float64) {
	return v.x, v.x, math.Inf(1), math.Inf(-1)
}

// labelledPoints draws one marker per strategy with its name beside it,
// placed where it overlaps neither another label nor a marker.
type labelledPoints struct {
	x, y   []float64
	names  []string
	styles []draw.GlyphStyle
	text   text.Style
	// Optional 95 % confidence intervals, one per point (NaN: none), drawn
	// as error bars in the point's colour.
	xlo, xhi, ylo, yhi []float64
}

// errBar is one error bar in canvas coordinates.
func (l *labelledPoints) errBars(trX, trY func(float64) vg.Length) (segs [][2]vg.Point, colors []color.Color) {
	at := func(v []float64, i int) float64 {
		if i < len(v) {
			return v[i]
		}
		return math.NaN()
	}
	for i := range l.x {
		if lo, hi := at(l.xlo, i), at(l.xhi, i); !math.IsNaN(lo) && !math.IsNaN(hi) {
			y := trY(l.y[i])
			segs = append(segs, [2]vg.Point{{X: trX(lo), Y: y}, {X: trX(hi), Y: y}})
			colors = append(colors, l.styles[i].Color)
		}
		if lo, hi := at(l.ylo, i), at(l.yhi, i); !math.IsNaN(lo) && !math.IsNaN(hi) {
			x := trX(l.x[i])
			segs = append(segs, [2]vg.Point{{X: x, Y: trY(lo)}, {X: x, Y: trY(hi)}})
			colors = append(colors, l.styles[i].Color)
		}
	}
	return segs, colors
}

const errCap = vg.Length(2)

func (l *labelledPoints) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	pts := make([]vg.Point, len(l.x))
	var taken []vg.Rectangle
	for i := range l.x {
		pts[i] = vg.Point{X: trX(l.x[i]), Y: trY(l.y[i])}
		// Keep labels a little away from every marker, so none reads as
		// another's.
		r := l.styles[i].Radius + 4
		taken = append(taken, vg.Rectangle{Min: vg.Point{X: pts[i].X - r, Y: pts[i].Y - r}, Max: vg.Point{X: pts[i].X + r, Y: pts[i].Y + r}})
	}
	segs, colors := l.errBars(trX, trY)
	for i, sg := range segs {
		ls := draw.LineStyle{Color: colors[i], Width: 0.8}
		c.StrokeLine2(ls, sg[0].X, sg[0].Y, sg[1].X, sg[1].Y)
		if sg[0].Y == sg[1].Y {
			c.StrokeLine2(ls, sg[0].X, sg[0].Y-errCap, sg[0].X, sg[0].Y+errCap)
			c.StrokeLine2(ls, sg[1].X, sg[1].Y-errCap, sg[1].X, sg[1].Y+errCap)
		} else {
			c.StrokeLine2(ls, sg[0].X-errCap, sg[0].Y, sg[0].X+errCap, sg[0].Y)
			c.StrokeLine2(ls, sg[1].X-errCap, sg[1].Y, sg[1].X+errCap, sg[1].Y)
		}
		// Labels keep off the bars too.
		taken = append(taken, vg.Rectangle{
			Min: vg.Point{X: min(sg[0].X, sg[1].X) - errCap, Y: min(sg[0].Y, sg[1].Y) - errCap},
			Max: vg.Point{X: max(sg[0].X, sg[1].X) + errCap, Y: max(sg[0].Y, sg[1].Y) + errCap}})
	}
	for i, pt := range pts {
		c.DrawGlyph(l.styles[i], pt)
	}
	for i, pt := range pts {
		w, h := l.text.Width(l.names[i]), l.text.Height(l.names[i])
		d := l.styles[i].Radius + 5
		// Candidate lower-left corners: right, left, above, below, diagonals.
		cands := []vg.Point{
			{X: pt.X + d, Y: pt.Y - h/2},
			{X: pt.X - d - w, Y: pt.Y - h/2},
			{X: pt.X - w/2, Y: pt.Y + d},
			{X: pt.X - w/2, Y: pt.Y - d - h},
			{X: pt.X + d, Y: pt.Y + d/2},
			{X: pt.X + d, Y: pt.Y - d/2 - h},
			{X: pt.X - d - w, Y: pt.Y + d/2},
			{X: pt.X - d - w, Y: pt.Y - d/2 - h},
			{X: pt.X + d, Y: pt.Y + h},
			{X: pt.X + d, Y: pt.Y - 2*h},
			{X: pt.X - d - w, Y: pt.Y + h},
			{X: pt.X - d - w, Y: pt.Y - 2*h},
		}
		best, bestCost := cands[0], math.Inf(1)
		for k, cand := range cands {
			r := vg.Rectangle{Min: cand, Max: vg.Point{X: cand.X + w, Y: cand.Y + h}}
			cost := float64(k) * 1e-3 // prefer earlier places on ties
			cost += outside(r, c.Rectangle) * 10
			for _, t := range taken {
				cost += overlap(r, t)
			}
			if cost < bestCost {
				best, bestCost = cand, cost
			}
		}
		r := vg.Rectangle{Min: best, Max: vg.Point{X: best.X + w, Y: best.Y + h}}
		taken = append(taken, r)
		if best != cands[0] && best != cands[1] && best != cands[2] && best != cands[3] {
			// Away from its marker: a leader line says whose label it is.
			to := vg.Point{X: min(max(pt.X, r.Min.X), r.Max.X), Y: min(max(pt.Y, r.Min.Y), r.Max.Y)}
			c.StrokeLine2(draw.LineStyle{Color: color.Gray{Y: 0x80}, Width: 0.4}, pt.X, pt.Y, to.X, to.Y)
		}
		sty := l.text
		sty.XAlign, sty.YAlign = draw.XLeft, draw.YBottom
		c.FillText(sty, best, l.names[i])
	}
}

// overlap is the area two rectangles share.
func overlap(a, b vg.Rectangle) float64 {
	w := math.Min(float64(a.Max.X), float64(b.Max.X)) - math.Max(float64(a.Min.X), float64(b.Min.X))
	h := math.Min(float64(a.Max.Y), float64(b.Max.Y)) - math.Max(float64(a.Min.Y), float64(b.Min.Y))
	if w <= 0 || h <= 0 {
		return 0
	}
	return w * h
}

// outside is the area of a that lies outside b.
func outside(a, b vg.Rectangle) float64 {
	area := float64(a.Max.X-a.Min.X) * float64(a.Max.Y-a.Min.Y)
	return area - overlap(a, b)
}

func (l *labelledPoints) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	ext := func(v []float64, i int, lo, hi *float64) {
		if i < len(v) && !math.IsNaN(v[i]) {
			*lo, *hi = math.Min(*lo, v[i]), math.Max(*hi, v[i])
		}
	}
	for i := range l.x {
		xmin, xmax = math.Min(xmin, l.x[i]), math.Max(xmax, l.x[i])
		ymin, ymax = math.Min(ymin, l.y[i]), math.Max(ymax, l.y[i])
		ext(l.xlo, i, &xmin, &xmax)
		ext(l.xhi, i, &xmin, &xmax)
		ext(l.ylo, i, &ymin, &ymax)
		ext(l.yhi, i, &ymin, &ymax)
	}
	return
}

func (l *labelledPoints) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	bs := make([]plot.GlyphBox, len(l.x))
	for i := range l.x {
		r := l.styles[i].Radius
		bs[i] = plot.GlyphBox{X: p.X.Norm(l.x[i]), Y: p.Y.Norm(l.y[i]),
			Rectangle: vg.Rectangle{Min: vg.Point{X: -r, Y: -r}, Max: vg.Point{X: r, Y: r}}}
	}
	return bs
}

// glyphThumb is a legend thumbnail of one marker.
type glyphThumb struct{ sty draw.GlyphStyle }

func (g glyphThumb) Thumbnail(c *draw.Canvas) { c.DrawGlyph(g.sty, c.Center()) }

// lineThumb is a legend thumbnail of a line with a marker in its middle.
type lineThumb struct {
	line  draw.LineStyle
	glyph *draw.GlyphStyle
}

func (t lineThumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(t.line, c.Min.X, y, c.Max.X, y)
	if t.glyph != nil {
		c.DrawGlyph(*t.glyph, c.Center())
	}
}
