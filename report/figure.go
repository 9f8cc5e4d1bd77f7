package report

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"git.sr.ht/~sbinet/gg"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure is one figure of a report, ready to be written in any format.
type Figure struct {
	// Name is the file name without extension, e.g. "p99" or "sweep-p99-arrivals.rate".
	Name string
	// Title is a one-line description, used as the caption on the HTML page.
	Title string
	// Width and Height are the printed size: Width is 3.5 in or 7 in.
	Width, Height vg.Length

	layout *layout
}

// Formats lists the figure formats Render writes.
var Formats = []string{"png", "svg", "pdf"}

// Render writes the figure as "png", "svg" or "pdf". dpi is the PNG
// resolution (300 when dpi <= 0). The output is a function of the figure
// alone: the same results give the same bytes. One Figure must not be
// rendered by two goroutines at once.
func (f *Figure) Render(w io.Writer, format string, dpi int) error {
	if dpi <= 0 {
		dpi = defaultDPI
	}
	var (
		c    vg.CanvasWriterTo
		img  *vgimg.Canvas
		rgba *image.RGBA
		err  error
	)
	switch format {
	case "png":
		// The canvas draws straight into rgba: vgimg.NewWith would copy a
		// new image into another, a fifth of a PNG's time.
		px := func(l vg.Length) int { return int(l/vg.Inch*vg.Length(dpi) + 0.5) }
		rgba = image.NewRGBA(image.Rect(0, 0, px(f.Width), px(f.Height)))
		ctx := gg.NewContextForRGBA(rgba)
		ctx.SetLineCapButt()
		ctx.InvertY()
		img = vgimg.NewWith(vgimg.UseImageWithContext(rgba, ctx), vgimg.UseDPI(dpi))
	case "svg":
		c = vgsvg.New(f.Width, f.Height)
	case "pdf":
		c = vgpdf.New(f.Width, f.Height)
	default:
		return fmt.Errorf("report: figure %s: unknown format %q (want one of %s)", f.Name, format, strings.Join(Formats, ", "))
	}
	var buf bytes.Buffer
	if img != nil {
		f.layout.draw(draw.New(img), true)
		if err = encodePNG(&buf, rgba); err != nil {
			return fmt.Errorf("report: figure %s: png: %w", f.Name, err)
		}
	} else {
		f.layout.draw(draw.New(c), false)
		if _, err = c.WriteTo(&buf); err != nil {
			return fmt.Errorf("report: figure %s: %s: %w", f.Name, format, err)
		}
	}
	b := buf.Bytes()
	switch format {
	case "svg":
		b = svgFontFallback(b)
	case "pdf":
		b = pdfFixedDates(b)
	}
	_, err = w.Write(b)
	return err
}

const defaultDPI = 300

// svgFontFallback names a metric-compatible fallback after each font, so a
// browser without Liberation Sans keeps the text the size it was laid out for.
func svgFontFallback(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte("font-family:Liberation Sans;"),
		[]byte("font-family:'Liberation Sans',Arimo,Arial,Helvetica,sans-serif;"))
}

var pdfDate = regexp.MustCompile(`/(CreationDate|ModDate) \(D:\d{14}\)`)

// pdfFixedDates replaces the wall-clock dates the PDF writer stamps into a
// file by a fixed one of the same length, so the byte offsets of the file's
// cross-reference table stay right and a report is reproducible.
func pdfFixedDates(b []byte) []byte {
	return pdfDate.ReplaceAllFunc(b, func(m []byte) []byte {
		i := bytes.Index(m, []byte("(D:"))
		out := append([]byte(nil), m[:i]...)
		return append(out, "(D:20000101000000)"...)
	})
}

// layout is a figure: a grid of plots, a legend under them and notes under
// the legend.
type layout struct {
	lk     look
	title  string // above the plots: the sweep point a per-point figure shows
	plots  [][]*plot.Plot
	legend []legendEntry
	notes  []string
	// colorBar, when set, is drawn right of the plots.
	colorBar *colorBar
	// series are the lines of a sweep figure, kept for the tests to count
	// what is drawn.
	series []*sweepSeries
}

type legendEntry struct {
	name   string
	thumbs []plot.Thumbnailer
}

const margin = vg.Length(3)

// rowHeightOfPlots is the height of one row of the plot grid.
func (l *layout) rowHeightOfPlots() vg.Length {
	if len(l.plots) > 1 {
		return l.lk.plotHeight * 0.85
	}
	return l.lk.plotHeight
}

// size returns the figure size for a plot grid whose rows are plotHeight high.
func (l *layout) size() (w, h vg.Length) {
	h = vg.Length(len(l.plots))*l.rowHeightOfPlots() + l.notesHeight() + l.titleHeight() + 2*margin
	if _, _, ok := l.legendSlot(); !ok {
		h += l.legendHeight(l.lk.width)
	}
	return l.lk.width, h
}

// legendSlot returns the last empty tile of the plot grid (the grid of a
// small-multiples figure whose panels do not fill its last row) when the
// legend fits there in one column.
func (l *layout) legendSlot() (row, col int, ok bool) {
	rows := len(l.plots)
	if rows == 0 || len(l.legend) == 0 {
		return 0, 0, false
	}
	cols := len(l.plots[0])
	last := l.plots[rows-1]
	if last[cols-1] != nil {
		return 0, 0, false
	}
	_, _, colW := l.legendColumns(l.lk.width)
	tileW := (l.lk.width - 2*margin) / vg.Length(cols)
	if colW-legendCol > tileW*0.95 || vg.Length(len(l.legend))*l.rowHeight() > l.rowHeightOfPlots()*0.8 {
		return 0, 0, false
	}
	return rows - 1, cols - 1, true
}

const (
	thumbWidth = vg.Length(22)
	legendGap  = vg.Length(4)  // between thumbnail and text
	legendCol  = vg.Length(10) // between columns
)

func (l *layout) legendColumns(width vg.Length) (cols, rows int, colW vg.Length) {
	if len(l.legend) == 0 {
		return 0, 0, 0
	}
	sty := textStyle(l.lk.legend)
	var tw vg.Length
	for _, e := range l.legend {
		tw = max(tw, sty.Width(e.name))
	}
	colW = thumbWidth + legendGap + tw + legendCol
	cols = int((width - 2*margin + legendCol) / colW)
	cols = max(1, min(cols, len(l.legend)))
	rows = (len(l.legend) + cols - 1) / cols
	cols = (len(l.legend) + rows - 1) / rows // balance the rows: 3+2, not 4+1
	return cols, rows, colW
}

func (l *layout) rowHeight() vg.Length { return l.lk.legend * 1.45 }

func (l *layout) legendHeight(width vg.Length) vg.Length {
	_, rows, _ := l.legendColumns(width)
	if rows == 0 {
		return 0
	}
	return vg.Length(rows)*l.rowHeight() + 4
}

func (l *layout) titleHeight() vg.Length {
	return vg.Length(len(l.titleLines())) * l.lk.label * 1.3
}

func (l *layout) titleLines() []string {
	if l.title == "" {
		return nil
	}
	return wrap(textStyle(l.lk.label), l.title, l.lk.width-2*margin)
}

func (l *layout) notesHeight() vg.Length {
	return vg.Length(len(l.noteLines())) * l.lk.legend * 1.3
}

// noteLines are the notes wrapped to the figure's width.
func (l *layout) noteLines() []string {
	sty := textStyle(l.lk.legend)
	width := l.lk.width - 2*margin
	var lines []string
	for _, n := range l.notes {
		lines = append(lines, wrap(sty, n, width)...)
	}
	return lines
}

// wrap breaks text at spaces into lines no wider than width (a word wider
// than width gets a line of its own).
func wrap(sty text.Style, s string, width vg.Length) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		try := w
		if line != "" {
			try = line + " " + w
		}
		if line != "" && sty.Width(try) > width {
			lines = append(lines, line)
			try = w
		}
		line = try
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// drawLegend draws the legend in cols columns and rows rows of width colW,
// centred in c.
func (l *layout) drawLegend(c draw.Canvas, cols, rows int, colW vg.Length) {
	lsty := textStyle(l.lk.legend)
	lsty.YAlign = draw.YCenter
	rh := l.rowHeight()
	total := vg.Length(cols)*colW - legendCol
	x0 := c.Min.X + (c.Size().X-total)/2
	top := c.Min.Y + (c.Size().Y+vg.Length(rows)*rh)/2
	for i, e := range l.legend {
		col, row := i%cols, i/cols
		x := x0 + vg.Length(col)*colW
		yc := top - (vg.Length(row)+0.5)*rh
		thumb := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x, Y: yc - rh*0.4},
			Max: vg.Point{X: x + thumbWidth, Y: yc + rh*0.4},
		}}
		for _, t := range e.thumbs {
			t.Thumbnail(&thumb)
		}
		c.FillText(lsty, vg.Point{X: x + thumbWidth + legendGap, Y: yc}, e.name)
	}
}

// draw draws the figure; white fills its background first unless the
// canvas is white already (an image canvas: filling it again through the
// rasteriser costs a tenth of a PNG).
func (l *layout) draw(c draw.Canvas, white bool) {
	if !white {
		c.SetColor(color.White)
		c.Fill(c.Rectangle.Path())
	}
	c = draw.Crop(c, margin, -margin, margin, -margin)

	// Title at the top, centred.
	tsty := textStyle(l.lk.label)
	tsty.XAlign, tsty.YAlign = draw.XCenter, draw.YTop
	for _, line := range l.titleLines() {
		c.FillText(tsty, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: c.Max.Y}, line)
		c.Max.Y -= l.lk.label * 1.3
	}

	// Notes at the bottom, left aligned.
	nsty := textStyle(l.lk.legend)
	nsty.Color = color.Gray{Y: 0x30}
	y := c.Min.Y
	notes := l.noteLines()
	for i := len(notes) - 1; i >= 0; i-- {
		c.FillText(nsty, vg.Point{X: c.Min.X, Y: y + l.lk.legend*0.25}, notes[i])
		y += l.lk.legend * 1.3
	}
	// Legend above the notes, centred, or in an empty tile of the grid.
	slotRow, slotCol, inSlot := l.legendSlot()
	cols, rows, colW := l.legendColumns(c.Size().X)
	if inSlot {
		cols, rows = 1, len(l.legend)
	}
	if rows > 0 && !inSlot {
		area := c
		area.Min.Y = y
		area.Max.Y = y + vg.Length(rows)*l.rowHeight() + 4
		l.drawLegend(area, cols, rows, colW)
		y = area.Max.Y
	}
	pc := c
	pc.Min.Y = y
	if l.colorBar != nil && len(l.plots) == 1 && len(l.plots[0]) == 1 {
		bar := pc
		pc.Max.X -= l.colorBar.width(l.lk)
		bar.Min.X = pc.Max.X
		dc := l.plots[0][0].DataCanvas(pc)
		bar.Min.Y, bar.Max.Y = dc.Min.Y, dc.Max.Y
		l.colorBar.draw(bar, l.lk)
	}
	if len(l.plots) == 1 && len(l.plots[0]) == 1 {
		l.plots[0][0].Draw(pc)
		return
	}
	tiles := draw.Tiles{Rows: len(l.plots), Cols: len(l.plots[0]), PadX: 6, PadY: 6}
	canvases := plot.Align(l.plots, tiles, pc)
	if inSlot {
		l.drawLegend(tiles.At(pc, slotCol, slotRow), 1, len(l.legend), colW)
	}
	for j, row := range l.plots {
		for i, p := range row {
			if p != nil {
				p.Draw(canvases[j][i])
			}
		}
	}
}

// newPlot returns an empty plot in the report's look.
func newPlot(lk look, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = textStyle(lk.label).Font
		ax.Tick.Label.Font = textStyle(lk.tick).Font
		ax.Tick.Length = 3
		ax.Padding = 2
	}
	p.X.Tick.Marker = niceTicks{}
	p.Y.Tick.Marker = niceTicks{}
	p.Title.TextStyle.Font = textStyle(lk.label).Font
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.X.Label.Padding = 2
	p.Y.Label.Padding = 2
	return p
}

// niceTicks labels an axis at round numbers (1, 2, 2.5, 4 or 5 times a power of
// ten) spaced so that about six labels fall in the range, where gonum/plot's
// default gives three; an unlabelled minor tick sits halfway between.
type niceTicks struct{}

func (niceTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) || math.IsInf(min, 0) || math.IsInf(max, 0) {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	step, decimals := niceStep(min, max)
	var ticks []plot.Tick
	first := math.Ceil(min/step - 1e-9)
	for i := first; i*step <= max+step*1e-9; i++ {
		v := i * step
		if v == 0 {
			v = 0 // no "-0"
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
		if mid := v + step/2; mid <= max {
			ticks = append(ticks, plot.Tick{Value: mid})
		}
	}
	if mid := (first - 0.5) * step; mid >= min {
		ticks = append([]plot.Tick{{Value: mid}}, ticks...)
	}
	return ticks
}

// niceStep picks the round step (1, 2, 2.5, 4 or 5 times a power of ten) that
// puts closest to six labels in [min, max], and the number of decimals its
// multiples need.
func niceStep(min, max float64) (step float64, decimals int) {
	e := math.Floor(math.Log10((max - min) / 6))
	best, bestMiss := 0.0, math.Inf(1)
	for de := -1.0; de <= 1; de++ {
		pow := math.Pow(10, e+de)
		for _, m := range []float64{1, 2, 2.5, 4, 5} {
			st := m * pow
			n := math.Floor(max/st+1e-9) - math.Ceil(min/st-1e-9) + 1
			if miss := math.Abs(n - 6); miss < bestMiss-1e-9 || (math.Abs(miss-bestMiss) < 1e-9 && st > best) {
				best, bestMiss = st, miss
				decimals = -int(e + de)
				if m == 2.5 {
					decimals++
				}
			}
		}
	}
	if decimals < 0 {
		decimals = 0
	}
	return best, decimals
}

var gridColor = color.Gray{Y: 0xdd}

// addGrid adds light grid lines along the x axis, the y axis or both.
func addGrid(p *plot.Plot, vertical, horizontal bool) {
	g := plotter.NewGrid()
	g.Vertical.Color = gridColor
	g.Horizontal.Color = gridColor
	g.Vertical.Width = 0.4
	g.Horizontal.Width = 0.4
	if !vertical {
		g.Vertical.Color = nil
	}
	if !horizontal {
		g.Horizontal.Color = nil
	}
	p.Add(g)
}

// categoryAxisY puts names on the y axis, the first one on top.
func categoryAxisY(p *plot.Plot, names []string) {
	n := len(names)
	ticks := make([]plot.Tick, n)
	for i, name := range names {
		ticks[i] = plot.Tick{Value: float64(n - 1 - i), Label: name}
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Length = 0
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
}

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
