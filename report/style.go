package report

import (
	"image/color"
	"unicode/utf8"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Width is the printed width of a figure.
type Width int

const (
	// OneColumn figures are 3.5 in wide, the width of one column of a
	// two-column paper.
	OneColumn Width = iota
	// TwoColumn figures are 7 in wide and span both columns.
	TwoColumn
)

func (w Width) String() string {
	if w == TwoColumn {
		return "two-column"
	}
	return "one-column"
}

// look holds the sizes of one figure width.
type look struct {
	width      vg.Length // whole figure
	plotHeight vg.Length // plot area with its axes, without legend and notes
	tick       vg.Length // font sizes
	label      vg.Length
	legend     vg.Length
	line       vg.Length // data line width
	glyph      vg.Length // marker radius
}

func lookFor(w Width) look {
	if w == TwoColumn {
		return look{width: 7 * vg.Inch, plotHeight: 2.8 * vg.Inch, tick: 9, label: 10, legend: 9, line: 1.4, glyph: 2.8}
	}
	return look{width: 3.5 * vg.Inch, plotHeight: 2.4 * vg.Inch, tick: 8, label: 9, legend: 8, line: 1.2, glyph: 2.4}
}

// The figures use Liberation Sans, metrically compatible with Arial and
// Helvetica, so an SVG shown where the font is missing keeps its layout.
var sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

func textStyle(size vg.Length) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(sansFont, size),
		XAlign:  draw.XLeft,
		YAlign:  draw.YBottom,
		Handler: text.Plain{Fonts: font.DefaultCache},
	}
}

// okabeIto is the Okabe-Ito palette (Okabe and Ito, "Color Universal
// Design", 2008), ordered so that neighbours differ in lightness too and
// yellow, which is hard to see on white, comes last.
var okabeIto = []color.Color{
	color.RGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xff}, // blue
	color.RGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xff}, // vermillion
	color.RGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xff}, // bluish green
	color.RGBA{R: 0xCC, G: 0x79, B: 0xA7, A: 0xff}, // reddish purple
	color.RGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xff}, // orange
	color.RGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 0xff}, // sky blue
	color.RGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff}, // black
	color.RGBA{R: 0xF0, G: 0xE4, B: 0x42, A: 0xff}, // yellow
}

// dashes tell strategies apart where colour does not survive printing.
var dashes = [][]vg.Length{
	nil,
	{5, 2},
	{1.2, 1.5},
	{6, 2, 1.2, 2},
	{3, 3},
	{9, 2.5},
	{6, 1.5, 1.2, 1.5, 1.2, 1.5},
	{2, 1},
}

var glyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{},
	draw.SquareGlyph{},
	draw.PyramidGlyph{},
	draw.CrossGlyph{},
	draw.BoxGlyph{},
	draw.RingGlyph{},
	draw.PlusGlyph{},
	draw.TriangleGlyph{},
}

// strategyStyle is how one strategy looks in every figure of a report.
type strategyStyle struct {
	color color.Color
	dash  []vg.Length
	glyph draw.GlyphDrawer
}

// styleOf returns the style of the i-th strategy of a results file. Past
// eight strategies colours repeat with another dash and marker, so no two
// strategies look the same until 8*8 of them.
func styleOf(i int) strategyStyle {
	n := len(okabeIto)
	return strategyStyle{
		color: okabeIto[i%n],
		dash:  dashes[(i+i/n)%len(dashes)],
		glyph: glyphs[(i+2*(i/n))%len(glyphs)],
	}
}

func (s strategyStyle) lineStyle(lk look) draw.LineStyle {
	return draw.LineStyle{Color: s.color, Width: lk.line, Dashes: s.dash}
}

func (s strategyStyle) glyphStyle(lk look) draw.GlyphStyle {
	return draw.GlyphStyle{Color: s.color, Radius: lk.glyph, Shape: s.glyph}
}

// maxLabelRunes bounds strategy names in figures; tables keep whole names.
const maxLabelRunes = 26

// shortNames abbreviates long names in the middle, where names of one family
// ("replicate-equal-cost", "replicate-full") differ least, and keeps the whole
// names when abbreviating would make two of them equal.
func shortNames(names []string) []string {
	out := make([]string, len(names))
	seen := make(map[string]bool, len(names))
	for i, n := range names {
		out[i] = abbreviate(n, maxLabelRunes)
		if seen[out[i]] {
			return append([]string(nil), names...)
		}
		seen[out[i]] = true
	}
	return out
}

func abbreviate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	head := (max - 1) / 2
	tail := max - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}
