package models

import (
	"slices"
	"testing"
)

func TestSyntheticDeterministic(t *testing.T) {
	a := Synthetic(7, 25, 24)
	b := Synthetic(7, 25, 24)
	for i := range a.Images {
		if !slices.Equal(a.Images[i].Pix, b.Images[i].Pix) || a.Labels[i] != b.Labels[i] {
			t.Fatalf("image %d differs between two draws with seed 7", i)
		}
	}
	c := Synthetic(8, 25, 24)
	if slices.Equal(a.Images[0].Pix, c.Images[0].Pix) {
		t.Fatal("seeds 7 and 8 drew the same first image")
	}
	// Image i depends on (seed, i) only, not on how many are drawn.
	d := Synthetic(7, 3, 24)
	if !slices.Equal(d.Images[2].Pix, a.Images[2].Pix) {
		t.Fatal("image 2 depends on the set size")
	}
}

func TestSyntheticLabelsAndRange(t *testing.T) {
	d := Synthetic(1, 30, 16)
	count := make([]int, len(SynthClasses))
	for i, img := range d.Images {
		count[d.Labels[i]]++
		if img.W != 16 || img.H != 16 || len(img.Pix) != 3*16*16 {
			t.Fatalf("image %d is %dx%d with %d values", i, img.W, img.H, len(img.Pix))
		}
		for _, v := range img.Pix {
			if v < 0 || v > 1 {
				t.Fatalf("image %d has value %g outside [0,1]", i, v)
			}
		}
	}
	for c, n := range count {
		if n != 3 {
			t.Errorf("class %s has %d of 30 images, want 3", SynthClasses[c], n)
		}
	}
}
