package models

import (
	"math"
	"testing"
)

func fill(img Image, rgb [3]float32) Image {
	plane := img.W * img.H
	for c := range 3 {
		for i := range plane {
			img.Pix[c*plane+i] = rgb[c]
		}
	}
	return img
}

func TestResizeKeepsConstant(t *testing.T) {
	src := fill(NewImage(32, 32), [3]float32{0.2, 0.5, 0.9})
	for _, side := range []int{7, 16, 20, 32, 64} {
		dst := Resize(src, side, side)
		for i, v := range dst.Pix {
			want := []float32{0.2, 0.5, 0.9}[i/(side*side)]
			if math.Abs(float64(v-want)) > 1e-5 {
				t.Fatalf("side %d: pixel %d is %g, want %g", side, i, v, want)
			}
		}
	}
}

func TestCollageCells(t *testing.T) {
	c := &Collager{Grid: 3, Cell: 10}
	side := c.Side()
	dst := make([]float32, 3*side*side)
	for i := range dst {
		dst[i] = -1 // encoding must overwrite everything, empty cells included
	}
	imgs := make([]Image, 9)
	for i := range imgs {
		if i == 4 {
			continue // the centre cell stays empty
		}
		v := float32(i+1) / 10
		imgs[i] = fill(NewImage(32, 32), [3]float32{v, v, v})
	}
	c.Encode(dst, imgs)
	for cell := range 9 {
		want := float32(cell+1) / 10
		if cell == 4 {
			want = 0
		}
		x, y := (cell%3)*10+5, (cell/3)*10+5
		for ch := range 3 {
			got := dst[(ch*side+y)*side+x]
			if math.Abs(float64(got-want)) > 1e-5 {
				t.Errorf("cell %d channel %d: %g, want %g", cell, ch, got, want)
			}
		}
	}
	// Fewer images than cells: the rest are empty.
	c.Encode(dst, imgs[:2])
	if v := dst[(0*side+25)*side+25]; v != 0 {
		t.Errorf("cell 8 of a two-image collage is %g, want 0", v)
	}
}

func BenchmarkCollage3x3(b *testing.B) { benchCollage(b, 20, 32) }

// ResNet-sized: nine 224-pixel images into a 384-pixel collage, as the
// ResNet-34 bundle's collage-3x3 encodes them.
func BenchmarkCollage3x3Large(b *testing.B) { benchCollage(b, 128, 224) }

// benchCollage encodes nine side-pixel images into 3x3 cells of cell pixels.
func benchCollage(b *testing.B, cell, side int) {
	c := &Collager{Grid: 3, Cell: cell}
	dst := make([]float32, 3*9*cell*cell)
	imgs := make([]Image, 9)
	for i := range imgs {
		imgs[i] = SynthImage(1, uint64(i), i%10, side)
	}
	for b.Loop() {
		c.Encode(dst, imgs)
	}
}
