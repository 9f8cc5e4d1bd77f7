package report

import (
	"bytes"
	"fmt"
	"image"
	"io"
	"regexp"
	"strings"

	"git.sr.ht/~sbinet/gg"
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
