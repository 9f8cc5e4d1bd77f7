package report

import (
	"image/color"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

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
