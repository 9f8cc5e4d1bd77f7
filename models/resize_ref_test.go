package models

import (
	"math"
	"math/rand/v2"
	"testing"
)

// resizeRef is the straightforward resampler ResizeInto must match bit for
// bit: per output pixel, its source pixels' weights summed in order, the
// horizontal pass before the vertical one.
func resizeRef(dst []float32, dstW, dstH, x0, y0, w, h int, src Image) {
	weights := func(from, to int) ([]int, [][]float32) {
		scale := float64(from) / float64(to)
		support := max(1.0, scale)
		start, ws := make([]int, to), make([][]float32, to)
		for o := range to {
			center := (float64(o)+0.5)*scale - 0.5
			lo := max(int(math.Floor(center-support)), 0)
			hi := min(int(math.Ceil(center+support)), from-1)
			sum := 0.0
			var row []float32
			for i := lo; i <= hi; i++ {
				wt := max(0, 1-math.Abs(float64(i)-center)/support)
				row = append(row, float32(wt))
				sum += wt
			}
			for i := range row {
				row[i] /= float32(sum)
			}
			start[o], ws[o] = lo, row
		}
		return start, ws
	}
	sx, wx := weights(src.W, w)
	sy, wy := weights(src.H, h)
	tmp := make([]float32, 3*src.H*w)
	for c := range 3 {
		for y := range src.H {
			for x := range w {
				s := float32(0)
				for k, wt := range wx[x] {
					s += wt * src.Pix[(c*src.H+y)*src.W+sx[x]+k]
				}
				tmp[(c*src.H+y)*w+x] = s
			}
		}
	}
	for c := range 3 {
		for y := range h {
			for x := range w {
				s := float32(0)
				for k, wt := range wy[y] {
					s += wt * tmp[(c*src.H+sy[y]+k)*w+x]
				}
				dst[(c*dstH+y0+y)*dstW+x0+x] = s
			}
		}
	}
}

// ResizeInto gives exactly the reference's floats, up and down, for odd
// and tiny sizes, into a region of a larger buffer.
func TestResizeMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range [][4]int{{224, 224, 128, 128}, {32, 32, 20, 20}, {28, 28, 139, 138}, {5, 3, 17, 2}, {1, 1, 4, 4}, {300, 7, 1, 1}, {64, 64, 64, 64}, {2, 9, 3, 30}} {
		src := NewImage(tc[0], tc[1])
		for i := range src.Pix {
			src.Pix[i] = rng.Float32()
		}
		w, h := tc[2], tc[3]
		dstW, dstH := w+3, h+2
		got := make([]float32, 3*dstW*dstH)
		want := make([]float32, 3*dstW*dstH)
		ResizeInto(got, dstW, dstH, 2, 1, w, h, src, nil)
		resizeRef(want, dstW, dstH, 2, 1, w, h, src)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%v: value %d is %g, the reference %g", tc, i, got[i], want[i])
			}
		}
	}
}
