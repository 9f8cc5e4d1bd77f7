package models

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// IDX is an image set in the IDX format of MNIST and Fashion-MNIST: an
// images file (magic 0x00000803, uint8 [N, rows, cols]) and a labels file
// (0x00000801, uint8 [N]), optionally gzipped. Images are grey, at their own
// size (28x28 for MNIST), held as the file's bytes (one byte a pixel).
type IDX struct {
	name       string
	rows, cols int
	pix        []byte
	labels     []byte
	classes    []string
}

// FashionMNISTClasses are Fashion-MNIST's class names in label order.
var FashionMNISTClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// OpenIDX reads an IDX image set. path is the images file, or a folder
// holding t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz] (the
// test split; train-* when there is no test split). The labels file of an
// images file X-images-idx3-ubyte is X-labels-idx1-ubyte beside it. limit > 0
// keeps the first limit images.
func OpenIDX(path string, limit int) (*IDX, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("models: idx: %w", err)
	}
	images := path
	if st.IsDir() {
		images = ""
		for _, split := range []string{"t10k", "train"} {
			for _, ext := range []string{"", ".gz"} {
				if p := filepath.Join(path, split+"-images-idx3-ubyte"+ext); fileExists(p) {
					images = p
					break
				}
			}
			if images != "" {
				break
			}
		}
		if images == "" {
			return nil, fmt.Errorf("models: idx: %s holds no t10k-images-idx3-ubyte[.gz] or train-images-idx3-ubyte[.gz]", path)
		}
	}
	base := filepath.Base(images)
	if !strings.Contains(base, "images-idx3-ubyte") {
		return nil, fmt.Errorf("models: idx: %s: want an images file named *-images-idx3-ubyte[.gz] (its labels beside it as *-labels-idx1-ubyte[.gz])", images)
	}
	labelsPath := filepath.Join(filepath.Dir(images), strings.Replace(base, "images-idx3-ubyte", "labels-idx1-ubyte", 1))
	if !fileExists(labelsPath) {
		alt := strings.TrimSuffix(labelsPath, ".gz")
		if alt == labelsPath {
			alt += ".gz"
		}
		if !fileExists(alt) {
			return nil, fmt.Errorf("models: idx: labels file %s not found beside %s", labelsPath, images)
		}
		labelsPath = alt
	}
	pix, dims, err := readIDX(images, 0x08, 3)
	if err != nil {
		return nil, err
	}
	labels, ldims, err := readIDX(labelsPath, 0x08, 1)
	if err != nil {
		return nil, err
	}
	if ldims[0] != dims[0] {
		return nil, fmt.Errorf("models: idx: %s has %d images but %s has %d labels", images, dims[0], labelsPath, ldims[0])
	}
	n := dims[0]
	if limit > 0 && limit < n {
		n = limit
	}
	d := &IDX{name: filepath.Dir(images), rows: dims[1], cols: dims[2],
		pix: pix[:n*dims[1]*dims[2]], labels: labels[:n]}
	hi := 0
	for _, l := range d.labels {
		hi = max(hi, int(l))
	}
	if hi < len(FashionMNISTClasses) && strings.Contains(strings.ToLower(images), "fashion") {
		d.classes = FashionMNISTClasses
	} else {
		for i := range max(hi+1, 10) {
			d.classes = append(d.classes, strconv.Itoa(i))
		}
	}
	return d, nil
}

// readIDX reads an IDX file of unsigned bytes (type 0x08) with rank dims.
func readIDX(path string, typ byte, rank int) ([]byte, []int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("models: idx: %w", err)
	}
	defer f.Close()
	var r io.Reader = bufio.NewReader(f)
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, fmt.Errorf("models: idx: %s: %w", path, err)
		}
		r = gz
	}
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, nil, fmt.Errorf("models: idx: %s: reading the header: %w", path, err)
	}
	if magic[0] != 0 || magic[1] != 0 || magic[2] != typ || int(magic[3]) != rank {
		return nil, nil, fmt.Errorf("models: idx: %s: magic %x, want 0000%02x%02x (unsigned bytes, rank %d): not an IDX file of that kind", path, magic, typ, rank, rank)
	}
	dims := make([]int, rank)
	total := 1
	for i := range dims {
		var d uint32
		if err := binary.Read(r, binary.BigEndian, &d); err != nil {
			return nil, nil, fmt.Errorf("models: idx: %s: reading dimension %d: %w", path, i, err)
		}
		if d == 0 || d > 1<<26 {
			return nil, nil, fmt.Errorf("models: idx: %s: dimension %d is %d", path, i, d)
		}
		dims[i] = int(d)
		total *= int(d)
	}
	if total > 1<<31 {
		return nil, nil, fmt.Errorf("models: idx: %s: %v is too large", path, dims)
	}
	data := make([]byte, total)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, nil, fmt.Errorf("models: idx: %s: want %d data bytes for %v: %w", path, total, dims, err)
	}
	return data, dims, nil
}

// Len is the number of images.
func (d *IDX) Len() int { return len(d.labels) }

// Label is image i's label.
func (d *IDX) Label(i int) int { return int(d.labels[i]) }

// Load returns image i, grey in three equal planes.
func (d *IDX) Load(i int) (Image, error) {
	plane := d.rows * d.cols
	img := NewImage(d.cols, d.rows)
	for j, b := range d.pix[i*plane : (i+1)*plane] {
		v := float32(b) / 255
		img.Pix[j], img.Pix[plane+j], img.Pix[2*plane+j] = v, v, v
	}
	return img, nil
}

// Describe names the set, its classes and its image size.
func (d *IDX) Describe() SourceInfo {
	return SourceInfo{Name: d.name, Classes: d.classes, W: d.cols, H: d.rows}
}

// WriteIDX writes grey images (their first plane, quantised to bytes) and
// labels as an IDX pair, for tests and fixtures.
func WriteIDX(images, labels io.Writer, d *Dataset) error {
	if d.Len() == 0 {
		return fmt.Errorf("models: idx: no images")
	}
	w, h := d.Images[0].W, d.Images[0].H
	var ib, lb bytes.Buffer
	ib.Write([]byte{0, 0, 8, 3})
	binary.Write(&ib, binary.BigEndian, [3]uint32{uint32(d.Len()), uint32(h), uint32(w)})
	lb.Write([]byte{0, 0, 8, 1})
	binary.Write(&lb, binary.BigEndian, uint32(d.Len()))
	for i, img := range d.Images {
		if img.W != w || img.H != h {
			return fmt.Errorf("models: idx: image %d is %dx%d, want %dx%d", i, img.W, img.H, w, h)
		}
		if d.Labels[i] < 0 || d.Labels[i] > 255 {
			return fmt.Errorf("models: idx: image %d has label %d", i, d.Labels[i])
		}
		for _, v := range img.Pix[:w*h] {
			ib.WriteByte(byte(min(max(v*255+0.5, 0), 255)))
		}
		lb.WriteByte(byte(d.Labels[i]))
	}
	if _, err := images.Write(ib.Bytes()); err != nil {
		return err
	}
	_, err := labels.Write(lb.Bytes())
	return err
}
