package models

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestCIFAR100(t *testing.T) {
	d := Synthetic(3, 4, 32)
	var buf bytes.Buffer
	if err := WriteCIFAR10(&buf, d); err != nil {
		t.Fatal(err)
	}
	// CIFAR-100 records: coarse label, fine label, pixels.
	var c100 []byte
	for i := range 4 {
		rec := buf.Bytes()[i*3073 : (i+1)*3073]
		c100 = append(c100, 99, byte(50+i))
		c100 = append(c100, rec[1:]...)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "test.bin"), c100, 0o644)
	c, err := OpenCIFAR(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	img, _ := c.Load(2)
	want, _ := (&Dataset{Images: d.Images}).Load(2)
	if c.Len() != 4 || c.Label(2) != 52 || c.Describe().Name != "cifar-100" || len(c.Describe().Classes) != 100 || img.Pix[100] != roundByte(want.Pix[100]) {
		t.Errorf("cifar-100: %d images, label %d, %+v", c.Len(), c.Label(2), c.Describe().Name)
	}
}

func roundByte(v float32) float32 { return float32(byte(min(max(v*255+0.5, 0), 255))) / 255 }
