package report

import (
	"hash/fnv"
	"image/color"
	"slices"
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

// styleOf returns the style in slot k. Past eight slots colours repeat with
// another dash and marker, so no two slots look the same until 8*8 of them.
func styleOf(k int) strategyStyle {
	n := len(okabeIto)
	return strategyStyle{
		color: okabeIto[k%n],
		dash:  dashes[(k+k/n)%len(dashes)],
		glyph: glyphs[(k+2*(k/n))%len(glyphs)],
	}
}

// styleSlots is how many distinct styles styleOf gives.
var styleSlots = len(okabeIto) * len(glyphs)

// hashSlots are the colours a name hashes to: every colour but yellow, which
// is hard to see on white and only taken when the others are.
var hashSlots = len(okabeIto) - 1

// pinnedSlots are the style slots of the names the bundled scenarios use,
// chosen so that no two strategies of one bundled scenario share a colour and
// a name keeps its colour in every scenario: none is black, collage-3x3 blue,
// the hedged replicas vermillion, full replication bluish green.
var pinnedSlots = map[string]int{
	"none":                              6,
	"collage-3x3":                       0,
	"collage":                           0,
	"replicate-equal-cost":              1,
	"replicate-full":                    2,
	"parity-9":                          3,
	"hedge-p95":                         4,
	"collage-3x3-first":                 5,
	"collage-3x3-deadline":              1,
	"collage-3x3-deadline-190ms":        1,
	"collage-3x3-deadline-215ms":        2,
	"collage-3x3-deadline-215ms-resend": 3,
	"collage-2x2":                       5,
	"collage-4x4":                       2,
	"replicate-2":                       2,
	"replicate":                         2,
	"hedge-p95-backup":                  1,
}

// styleSlotsByName gives each strategy name its style slot, a function of the
// set of names and not of their order, so a strategy keeps its colour and
// marker across the figures of a run and the points of a sweep. The names of
// the bundled scenarios have fixed slots (pinnedSlots); any other name hashes
// (FNV-1a) to a preferred colour. Pinned names are placed first, then the
// others, each group in sorted order, and a name whose slot is taken moves
// to the next free one.
func styleSlotsByName(names []string) map[string]int {
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	slices.SortStableFunc(sorted, func(a, b string) int {
		_, pa := pinnedSlots[a]
		_, pb := pinnedSlots[b]
		switch {
		case pa && !pb:
			return -1
		case pb && !pa:
			return 1
		}
		return 0
	})
	taken := make([]bool, styleSlots)
	slots := make(map[string]int, len(sorted))
	for _, name := range sorted {
		k, ok := pinnedSlots[name]
		if !ok {
			h := fnv.New32a()
			h.Write([]byte(name))
			k = int(h.Sum32() % uint32(hashSlots))
		}
		slots[name] = freeSlot(taken, k)
		taken[slots[name]] = true
	}
	return slots
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

// freeSlot returns the first free slot from k on: the other colours but
// yellow first, then yellow, then the colours again with other dashes and
// markers. When every slot is taken (more than styleSlots names) it returns
// k, and styles repeat.
func freeSlot(taken []bool, k int) int {
	for i := range hashSlots {
		if c := (k + i) % hashSlots; !taken[c] {
			return c
		}
	}
	for c := hashSlots; c < styleSlots; c++ {
		if !taken[c] {
			return c
		}
	}
	return k
}
