package report

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/collagesim/collagesim/results"
)

var rewrite = flag.Bool("rewrite", false, "regenerate the golden files in testdata from the current code")

// checkGolden compares got with testdata/name, or writes it there under -rewrite.
// SVG compares byte for byte; PNG pixel by pixel within tolerance, as gonum's
// cmpimg does, so a rasteriser's rounding on another CPU does not fail it.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *rewrite {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -rewrite to make it)", err)
	}
	switch filepath.Ext(name) {
	case ".png":
		if d := pngDiff(t, got, want); d > 0 {
			writeGot(t, name, got)
			t.Errorf("%s: %d pixels differ from the golden file", name, d)
		}
	default:
		if !bytes.Equal(got, want) {
			writeGot(t, name, got)
			t.Errorf("%s differs from the golden file", name)
		}
	}
}

// writeGot leaves the differing output beside the golden file to compare.
func writeGot(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, got, 0o644); err == nil {
		t.Logf("got: %s", p)
	}
}

// pngDiff counts pixels whose colours differ by more than a small tolerance.
func pngDiff(t *testing.T, a, b []byte) int {
	t.Helper()
	ia, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	ib, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if ia.Bounds() != ib.Bounds() {
		return ia.Bounds().Dx() * ia.Bounds().Dy()
	}
	// 8 of 255 per channel: antialiasing that rounds another way, not a
	// moved line or a changed colour.
	const tol = 8 << 8
	n := 0
	r := ia.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := ia.At(x, y).RGBA()
			r2, g2, b2, _ := ib.At(x, y).RGBA()
			if absDiff(r1, r2) > tol || absDiff(g1, g2) > tol || absDiff(b1, b2) > tol {
				n++
			}
		}
	}
	return n
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

// inkOnBorder reports whether anything but white touches the outermost
// pixels of an image: a label cut off at the figure's edge.
func inkOnBorder(img image.Image) (image.Point, bool) {
	r := img.Bounds()
	white := func(c color.Color) bool {
		cr, cg, cb, _ := c.RGBA()
		return cr > 0xf000 && cg > 0xf000 && cb > 0xf000
	}
	for x := r.Min.X; x < r.Max.X; x++ {
		for _, y := range []int{r.Min.Y, r.Max.Y - 1} {
			if !white(img.At(x, y)) {
				return image.Pt(x, y), true
			}
		}
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for _, x := range []int{r.Min.X, r.Max.X - 1} {
			if !white(img.At(x, y)) {
				return image.Pt(x, y), true
			}
		}
	}
	return image.Point{}, false
}

var figuresDir = flag.String("figures", "", "write every figure of every fixture as PNG into this folder, to look at")

// TestWriteFigures writes every figure of the fixtures under -figures DIR.
func TestWriteFigures(t *testing.T) {
	if *figuresDir == "" {
		t.Skip("no -figures DIR")
	}
	for _, fx := range []struct {
		name string
		res  func() *results.Results
		opt  Options
	}{
		{"run", runFixture, Options{}}, {"sweep", sweepFixture, Options{}}, {"sweep2", sweepFixture, Options{Width: TwoColumn}},
		{"long", longNamesFixture, Options{}},
		{"run-slo", runSLOFixture, Options{}}, {"sweep-slo", sweepSLOFixture, Options{}}, {"sweep-within", sweepWithinFixture, Options{Width: TwoColumn}},
	} {
		figs, err := Figures(fx.res(), fx.opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range figs {
			var buf bytes.Buffer
			if err := f.Render(&buf, "png", 110); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(*figuresDir, fx.name+"-"+f.Name+".png"), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
