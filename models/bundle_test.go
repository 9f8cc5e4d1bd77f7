package models

import (
	"os"
	"path/filepath"
	"testing"
)

// TestBuildTiny builds a tiny bundle end to end: features through ONNX
// Runtime, trained heads, model files that load and classify.
func TestBuildTiny(t *testing.T) {
	requireORT(t)
	dir := t.TempDir()
	o := BuildOptions{Arch: tinyArch(t), Grids: []int{2}, Seed: 1, TrainImages: 300, Session: SessionOptions{IntraOpThreads: 1}}
	b, err := Build(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Models) != 2 || b.Models[1].Name != "collage-2x2" {
		t.Fatalf("models %+v", b.Models)
	}
	rb, err := ReadBundle(dir)
	if err != nil || !rb.Matches(o) {
		t.Fatalf("bundle.json: %v, %+v", err, rb)
	}
	o.Seed = 2
	if rb.Matches(o) {
		t.Error("bundle built with seed 1 matches seed 2")
	}
	s, err := OpenFile(filepath.Join(dir, "scnn.onnx"), SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Meta[MetaRole] != "single" || s.Meta[MetaSingleSide] != "16" {
		t.Errorf("metadata %v", s.Meta)
	}
	// 10 classes: chance is 0.1. Even the tiny network on 300 images is
	// far above it on held-out images (measured: about 0.45).
	test := Synthetic(2, 300, 16)
	out, err := ImageOutputs(s, test.Images, 16, 64)
	if err != nil {
		t.Fatal(err)
	}
	ok := 0
	for i, o := range out {
		if Argmax(o) == test.Labels[i] {
			ok++
		}
	}
	if acc := float64(ok) / float64(len(out)); acc < 0.25 {
		t.Errorf("held-out top-1 %.3f, want well above chance (0.1)", acc)
	} else {
		t.Logf("held-out top-1 %.3f", acc)
	}
	if st, err := os.Stat(filepath.Join(dir, "collage-2x2.onnx")); err != nil || st.Size() == 0 {
		t.Errorf("collage model: %v", err)
	}
}
