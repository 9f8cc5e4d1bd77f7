package models

import (
	"bytes"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCIFARRoundTrip(t *testing.T) {
	d := Synthetic(3, 12, 32)
	var buf bytes.Buffer
	if err := WriteCIFAR10(&buf, d); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 12*3073 {
		t.Fatalf("wrote %d bytes, want 12 records of 3073", buf.Len())
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "data_batch_1.bin"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := LoadCIFAR10(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.Len() != 12 || got.Classes[0] != "airplane" {
		t.Fatalf("read %d images, classes %v", got.Len(), got.Classes)
	}
	for i := range got.Images {
		if got.Labels[i] != d.Labels[i] {
			t.Errorf("image %d label %d, want %d", i, got.Labels[i], d.Labels[i])
		}
		for j, v := range got.Images[i].Pix {
			if math.Abs(float64(v-d.Images[i].Pix[j])) > 0.5/255+1e-6 {
				t.Fatalf("image %d value %d: %g, want %g within 8-bit rounding", i, j, v, d.Images[i].Pix[j])
			}
		}
	}
	// A test batch and a class list next to it win over training batches.
	os.WriteFile(filepath.Join(dir, "test_batch.bin"), buf.Bytes()[:2*3073], 0o644)
	os.WriteFile(filepath.Join(dir, "batches.meta.txt"), []byte(strings.Join(SynthClasses, "\n")+"\n"), 0o644)
	got, err = LoadCIFAR10(dir, 0)
	if err != nil || got.Len() != 2 || got.Classes[0] != "disc" {
		t.Fatalf("test batch: %v, %d images, classes %v", err, got.Len(), got.Classes)
	}
	if got, err := LoadCIFAR10(filepath.Join(dir, "data_batch_1.bin"), 5); err != nil || got.Len() != 5 {
		t.Fatalf("limit 5: %v, %d images", err, got.Len())
	}
}

func TestCIFARErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "data_batch_1.bin")
	os.WriteFile(bad, make([]byte, 3073+10), 0o644)
	_, err := LoadCIFAR10(bad, 0)
	if err == nil || !strings.Contains(err.Error(), "not a whole number of 3073-byte records") {
		t.Errorf("truncated file: %v", err)
	}
	rec := make([]byte, 3073)
	rec[0] = 12
	os.WriteFile(bad, rec, 0o644)
	if _, err := LoadCIFAR10(bad, 0); err == nil || !strings.Contains(err.Error(), "label 12") {
		t.Errorf("bad label: %v", err)
	}
	if _, err := LoadCIFAR10(t.TempDir(), 0); err == nil {
		t.Error("empty folder gave no error")
	}
}

func TestLoadFolder(t *testing.T) {
	root := t.TempDir()
	d := Synthetic(5, 4, 20)
	write := func(class, name string, img Image, asJPEG bool) {
		os.MkdirAll(filepath.Join(root, class), 0o755)
		f, err := os.Create(filepath.Join(root, class, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if asJPEG {
			err = jpeg.Encode(f, img.ToImage(), &jpeg.Options{Quality: 95})
		} else {
			err = png.Encode(f, img.ToImage())
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	write("b-square", "1.png", d.Images[1], false)
	write("a-disc", "1.png", d.Images[0], false)
	write("a-disc", "2.jpg", d.Images[2], true)
	os.WriteFile(filepath.Join(root, "a-disc", "notes.txt"), []byte("skip me"), 0o644)
	got, err := LoadFolder(root, 32, 0)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Classes, ",") != "a-disc,b-square" || got.Len() != 3 {
		t.Fatalf("classes %v, %d images", got.Classes, got.Len())
	}
	if got.Labels[0] != 0 || got.Labels[2] != 1 || got.Images[0].W != 32 {
		t.Errorf("labels %v, first image %dx%d", got.Labels, got.Images[0].W, got.Images[0].H)
	}
	// The PNG reads back exactly (8-bit) at its own size.
	raw, err := LoadFolder(root, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	for j, v := range raw.Images[0].Pix {
		if math.Abs(float64(v-d.Images[0].Pix[j])) > 0.5/255+1e-6 {
			t.Fatalf("value %d: %g, want %g", j, v, d.Images[0].Pix[j])
		}
	}
	os.WriteFile(filepath.Join(root, "b-square", "broken.png"), []byte("not a png"), 0o644)
	if _, err := LoadFolder(root, 0, 0); err == nil || !strings.Contains(err.Error(), "broken.png") {
		t.Errorf("broken image: %v", err)
	}
	if _, err := LoadFolder(t.TempDir(), 0, 0); err == nil || !strings.Contains(err.Error(), "no class sub-folders") {
		t.Errorf("empty root: %v", err)
	}
}
