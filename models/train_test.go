package models

import (
	"math/rand/v2"
	"testing"
)

// Three Gaussian blobs in 5 dimensions, 3 standard deviations apart, with
// features on very different scales: a softmax regression must separate
// them almost perfectly (the standardisation handles the scales).
func TestTrainHeadBlobs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	scale := []float64{1, 100, 0.01, 5, 1}
	var x [][]float32
	var y []int
	for i := range 600 {
		c := i % 3
		v := make([]float32, 5)
		for j := range v {
			v[j] = float32((r.NormFloat64() + 3*float64(c)*float64(j%2)) * scale[j])
		}
		x = append(x, v)
		y = append(y, c)
	}
	h, err := TrainHead(x, y, 3, 1e-4)
	if err != nil {
		t.Fatal(err)
	}
	if acc := headAccuracy(h, x, y); acc < 0.9 {
		t.Errorf("accuracy %.3f on separable blobs, want >= 0.9", acc)
	}
	if _, err := TrainHead(x, y[:10], 3, 0); err == nil {
		t.Error("mismatched lengths gave no error")
	}
	y[0] = 5
	if _, err := TrainHead(x, y, 3, 0); err == nil {
		t.Error("label out of range gave no error")
	}
}

func TestSoftmax(t *testing.T) {
	p, arg := Softmax([]float32{0, 0, 0, 0})
	if arg != 0 || p != 0.25 {
		t.Errorf("uniform logits: p %g arg %d", p, arg)
	}
	p, arg = Softmax([]float32{1, 50, 2})
	if arg != 1 || p < 0.999 {
		t.Errorf("peaked logits: p %g arg %d", p, arg)
	}
}
