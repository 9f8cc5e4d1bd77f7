package models

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// FitLinear recovers a known linear map from noisy samples, whatever the
// features' scales.
func TestFitLinear(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	scale := []float64{1, 100, 0.01, 5}
	w := [][]float64{{1, 0.02, 50, -1}, {-2, 0, 0, 0.5}}
	b := []float64{3, -1}
	var x, y [][]float32
	for range 500 {
		v := make([]float32, 4)
		for j := range v {
			v[j] = float32(r.NormFloat64() * scale[j])
		}
		out := make([]float32, 2)
		for c := range out {
			s := b[c] + 0.01*r.NormFloat64()
			for j := range v {
				s += w[c][j] * float64(v[j])
			}
			out[c] = float32(s)
		}
		x, y = append(x, v), append(y, out)
	}
	h, err := FitLinear(x, y, 1e-9)
	if err != nil {
		t.Fatal(err)
	}
	for c := range 2 {
		for j := range 4 {
			if got := float64(h.W[c*4+j]); math.Abs(got-w[c][j]) > 0.01/scale[j]+1e-3*math.Abs(w[c][j]) {
				t.Errorf("w[%d][%d] = %g, want %g", c, j, got, w[c][j])
			}
		}
		if got := float64(h.B[c]); math.Abs(got-b[c]) > 0.01 {
			t.Errorf("b[%d] = %g, want %g", c, got, b[c])
		}
	}
	if _, err := FitLinear(nil, nil, 0); err == nil {
		t.Error("no samples: no error")
	}
}

// The encoder averages the images pixel by pixel, resizing those of another
// size; missing images count as black.
func TestParityEncoder(t *testing.T) {
	a, b := NewImage(4, 4), NewImage(4, 4)
	for i := range a.Pix {
		a.Pix[i], b.Pix[i] = 0.2, float32(i%5)/5
	}
	e := &ParityEncoder{K: 2, Side: 4}
	dst := make([]float32, 3*16)
	e.Encode(dst, []Image{a, b})
	for i, v := range dst {
		if want := (0.2 + float32(i%5)/5) / 2; math.Abs(float64(v-want)) > 1e-6 {
			t.Fatalf("pixel %d = %g, want %g", i, v, want)
		}
	}
	e.Encode(dst, []Image{a}) // one missing: a / 2
	if dst[0] != 0.1 {
		t.Errorf("one of two images: %g, want 0.1", dst[0])
	}
	big := NewImage(8, 8) // resized: a constant image stays constant
	for i := range big.Pix {
		big.Pix[i] = 0.6
	}
	e.Encode(dst, []Image{big, a})
	if math.Abs(float64(dst[5]-0.4)) > 1e-6 {
		t.Errorf("resized image: %g, want 0.4", dst[5])
	}
}

func TestDegradedAccuracy(t *testing.T) {
	single := [][]float32{{1, 0}, {0, 1}, {0, 1}}
	labels := []int{0, 1, 0} // image 2 is misclassified by the S-CNN
	// Exact parity of group {0, 1}: both reconstruct right. Group {1, 2}
	// with parity (0.5, 2): image 1 = (0.5, 1) -> 1 right; image 2 =
	// (0.5, 1) -> 1, wrong.
	parity := [][]float32{{1, 1}, {0.5, 2}}
	ok, n := DegradedAccuracy(parity, single, labels, [][]int{{0, 1}, {1, 2}})
	if ok != 3 || n != 4 {
		t.Errorf("%d of %d right, want 3 of 4", ok, n)
	}
	if ParityName(DefaultParityK) != "parity" || ParityName(2) != "parity-k2" {
		t.Errorf("names %q %q", ParityName(DefaultParityK), ParityName(2))
	}
}

// TestBuildParity builds a tiny bundle with a parity model twice: the same
// seed gives the same bytes, and the model reconstructs held-out images'
// outputs above chance.
func TestBuildParity(t *testing.T) {
	requireORT(t)
	a := tinyArch(t)
	o := BuildOptions{Arch: a, ParityK: []int{2}, Seed: 1, TrainImages: 300, Session: SessionOptions{IntraOpThreads: 1}}
	d1, d2 := t.TempDir(), t.TempDir()
	b, err := Build(d1, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Build(d2, o); err != nil {
		t.Fatal(err)
	}
	if len(b.Models) != 2 || b.Models[1].Name != "parity-k2" || b.Models[1].Role != "parity" || b.Models[1].Grid != 2 {
		t.Fatalf("models %+v", b.Models)
	}
	if rb, err := ReadBundle(d1); err != nil || !rb.Matches(o) {
		t.Fatalf("bundle.json: %v, %+v", err, rb)
	}
	if rb, _ := ReadBundle(d1); rb.Matches(BuildOptions{Arch: a, Seed: 1, TrainImages: 300}) {
		t.Error("a bundle with a parity model matches options without one")
	}
	p1, err1 := os.ReadFile(filepath.Join(d1, "parity-k2.onnx"))
	p2, err2 := os.ReadFile(filepath.Join(d2, "parity-k2.onnx"))
	if err1 != nil || err2 != nil || !bytes.Equal(p1, p2) {
		t.Fatalf("parity model not reproducible: %v %v, %d and %d bytes", err1, err2, len(p1), len(p2))
	}

	scnn, err := OpenFile(filepath.Join(d1, "scnn.onnx"), SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer scnn.Close()
	par, err := OpenFile(filepath.Join(d1, "parity-k2.onnx"), SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer par.Close()
	if par.Meta[MetaRole] != "parity" || par.Meta[MetaParityK] != "2" || par.Meta[MetaParityTarget] != ParityTarget {
		t.Errorf("metadata %v", par.Meta)
	}
	test := Synthetic(2, 200, a.Side)
	single, err := ImageOutputs(scnn, test.Images, a.Side, 64)
	if err != nil {
		t.Fatal(err)
	}
	groups := RandomGroups(rand.New(rand.NewPCG(2, 2)), test.Len(), 2, 200)
	out, err := ParityOutputs(par, &ParityEncoder{K: 2, Side: a.Side}, test.Images, groups, 64)
	if err != nil {
		t.Fatal(err)
	}
	ok, n := DegradedAccuracy(out, single, test.Labels, groups)
	acc := float64(ok) / float64(n)
	t.Logf("held-out degraded-mode top-1 %.3f over %d reconstructions (training %.3f)", acc, n, b.Models[1].TrainAccuracy)
	if acc < 0.2 {
		t.Errorf("degraded-mode top-1 %.3f, want well above chance (0.1)", acc)
	}
}
