package models

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeIDXPair(t *testing.T, dir, prefix string, d *Dataset, gz bool) {
	t.Helper()
	var ib, lb bytes.Buffer
	if err := WriteIDX(&ib, &lb, d); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{prefix + "-images-idx3-ubyte", ib.Bytes()}, {prefix + "-labels-idx1-ubyte", lb.Bytes()}} {
		data, name := f.data, f.name
		if gz {
			var z bytes.Buffer
			w := gzip.NewWriter(&z)
			w.Write(data)
			w.Close()
			data, name = z.Bytes(), name+".gz"
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestIDXRoundTrip(t *testing.T) {
	d := greyDataset(12, 5, 4) // not square: rows and columns kept apart
	for _, gz := range []bool{false, true} {
		dir := t.TempDir()
		writeIDXPair(t, dir, "t10k", d, gz)
		src, err := OpenIDX(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		info := src.Describe()
		if src.Len() != 12 || info.W != 5 || info.H != 4 || len(info.Classes) != 10 {
			t.Fatalf("gz %v: %d images %dx%d, classes %v", gz, src.Len(), info.W, info.H, info.Classes)
		}
		for i := range d.Images {
			img, _ := src.Load(i)
			if src.Label(i) != d.Labels[i] || !reflect.DeepEqual(img.Pix, d.Images[i].Pix) {
				t.Fatalf("gz %v: image %d differs", gz, i)
			}
		}
		if lim, err := OpenIDX(filepath.Join(dir, "t10k-images-idx3-ubyte"+map[bool]string{true: ".gz"}[gz]), 3); err != nil || lim.Len() != 3 {
			t.Fatalf("limit: %v", err)
		}
	}
}

func TestIDXErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenIDX(dir, 0); err == nil || !strings.Contains(err.Error(), "holds no t10k-images-idx3-ubyte") {
		t.Errorf("empty folder: %v", err)
	}
	writeIDXPair(t, dir, "t10k", greyDataset(3, 2, 2), false)
	os.WriteFile(filepath.Join(dir, "t10k-labels-idx1-ubyte"), []byte{0, 0, 8, 3, 0, 0, 0, 3}, 0o644)
	if _, err := OpenIDX(dir, 0); err == nil || !strings.Contains(err.Error(), "not an IDX file of that kind") {
		t.Errorf("labels with the images' magic: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "t10k-labels-idx1-ubyte"), []byte{0, 0, 8, 1, 0, 0, 0, 3, 1}, 0o644)
	if _, err := OpenIDX(dir, 0); err == nil || !strings.Contains(err.Error(), "want 3 data bytes") {
		t.Errorf("short labels: %v", err)
	}
	other := t.TempDir()
	writeIDXPair(t, other, "t10k", greyDataset(3, 2, 2), false)
	os.Remove(filepath.Join(other, "t10k-labels-idx1-ubyte"))
	if _, err := OpenIDX(other, 0); err == nil || !strings.Contains(err.Error(), "labels file") {
		t.Errorf("no labels: %v", err)
	}
}
