package models

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// CIFAR is a CIFAR-10 or CIFAR-100 binary batch set read image by image from
// the files' bytes (32x32 RGB, at their own size).
type CIFAR struct {
	name    string
	record  int // 3073 (CIFAR-10) or 3074 (CIFAR-100: coarse, fine label)
	data    []byte
	classes []string
}

// OpenCIFAR reads CIFAR binary batches: a file (data_batch_1.bin,
// test_batch.bin, CIFAR-100's test.bin) or a folder (test_batch.bin or
// test.bin if present, else every data_batch_*.bin / train.bin). CIFAR-100
// (3074-byte records) is labelled by its fine label. limit > 0 keeps the
// first limit images.
func OpenCIFAR(path string, limit int) (*CIFAR, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("models: cifar: %w", err)
	}
	files, dir := []string{path}, filepath.Dir(path)
	if st.IsDir() {
		dir, files = path, nil
		for _, name := range []string{"test_batch.bin", "test.bin"} {
			if p := filepath.Join(path, name); fileExists(p) {
				files = []string{p}
				break
			}
		}
		if files == nil {
			files, _ = filepath.Glob(filepath.Join(path, "data_batch_*.bin"))
			if p := filepath.Join(path, "train.bin"); len(files) == 0 && fileExists(p) {
				files = []string{p}
			}
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("models: cifar: no test_batch.bin, test.bin, data_batch_*.bin or train.bin in %s", path)
		}
	}
	c := &CIFAR{name: "cifar-10", record: cifarRecord, classes: CIFAR10Classes}
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("models: cifar: %w", err)
		}
		if i == 0 && len(data)%cifarRecord != 0 && len(data)%(cifarRecord+1) == 0 && len(data) > 0 {
			c.name, c.record, c.classes = "cifar-100", cifarRecord+1, nil
		}
		if len(data) == 0 || len(data)%c.record != 0 {
			return nil, fmt.Errorf("models: cifar: %s has %d bytes, not a whole number of %d-byte records (CIFAR-10: 1 label byte + 3072 pixel bytes; CIFAR-100: 2 + 3072)",
				f, len(data), c.record)
		}
		c.data = append(c.data, data...)
		if limit > 0 && len(c.data) >= limit*c.record {
			c.data = c.data[:limit*c.record]
			break
		}
	}
	for _, meta := range []string{"batches.meta.txt", "fine_label_names.txt"} {
		if names, err := ReadClassNames(filepath.Join(dir, meta)); err == nil && (meta == "batches.meta.txt") == (c.record == cifarRecord) {
			c.classes = names
		}
	}
	hi := 0
	for i := range c.Len() {
		hi = max(hi, c.Label(i))
	}
	if c.classes == nil {
		for i := range max(hi+1, 100) {
			c.classes = append(c.classes, strconv.Itoa(i))
		}
	}
	if hi >= len(c.classes) {
		return nil, fmt.Errorf("models: cifar: %s has label %d, but its class list has %d names", path, hi, len(c.classes))
	}
	return c, nil
}

// Len is the number of images.
func (c *CIFAR) Len() int { return len(c.data) / c.record }

// Label is image i's label (the fine label for CIFAR-100).
func (c *CIFAR) Label(i int) int { return int(c.data[i*c.record+c.record-cifarRecord]) }

// Load returns image i.
func (c *CIFAR) Load(i int) (Image, error) {
	img := NewImage(cifarSide, cifarSide)
	off := i*c.record + c.record - cifarRecord + 1
	for j, b := range c.data[off : off+3*cifarSide*cifarSide] {
		img.Pix[j] = float32(b) / 255
	}
	return img, nil
}

// Describe names the set and its classes.
func (c *CIFAR) Describe() SourceInfo {
	return SourceInfo{Name: c.name, Classes: c.classes, W: cifarSide, H: cifarSide}
}
