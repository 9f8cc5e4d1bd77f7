package models

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // decoders for LoadFolder
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// CIFAR-10 binary format: records of one label byte then 32x32 pixels as
// three 1024-byte planes (red, green, blue), rows top to bottom.
const (
	cifarSide   = 32
	cifarRecord = 1 + 3*cifarSide*cifarSide
)

// CIFAR10Classes are CIFAR-10's class names, used when batches.meta.txt is absent.
var CIFAR10Classes = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}

// LoadCIFAR10 reads CIFAR-10 binary batches. path is a batch file
// (data_batch_1.bin, test_batch.bin) or a folder: from a folder test_batch.bin
// is read if present (it is the held-out set), else every data_batch_*.bin.
// limit > 0 keeps the first limit images.
func LoadCIFAR10(path string, limit int) (*Dataset, error) {
	files := []string{path}
	classes := CIFAR10Classes
	dir := filepath.Dir(path)
	if st, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("models: cifar-10: %w", err)
	} else if st.IsDir() {
		dir = path
		files = nil
		if fileExists(filepath.Join(path, "test_batch.bin")) {
			files = []string{filepath.Join(path, "test_batch.bin")}
		} else {
			files, _ = filepath.Glob(filepath.Join(path, "data_batch_*.bin"))
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("models: cifar-10: no test_batch.bin or data_batch_*.bin in %s", path)
		}
	}
	if meta, err := os.ReadFile(filepath.Join(dir, "batches.meta.txt")); err == nil {
		var names []string
		for _, l := range strings.Split(string(meta), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				names = append(names, l)
			}
		}
		if len(names) > 0 {
			classes = names
		}
	}
	d := &Dataset{Name: "cifar-10", Classes: classes}
	for _, f := range files {
		if err := readCIFARFile(d, f, limit); err != nil {
			return nil, err
		}
		if limit > 0 && d.Len() >= limit {
			break
		}
	}
	return d, nil
}

func readCIFARFile(d *Dataset, path string, limit int) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("models: cifar-10: %w", err)
	}
	if len(data) == 0 || len(data)%cifarRecord != 0 {
		return fmt.Errorf("models: cifar-10: %s has %d bytes, not a whole number of %d-byte records (1 label byte + 3072 pixel bytes)",
			path, len(data), cifarRecord)
	}
	for off := 0; off < len(data); off += cifarRecord {
		if limit > 0 && d.Len() >= limit {
			return nil
		}
		label := int(data[off])
		if label >= len(d.Classes) {
			return fmt.Errorf("models: cifar-10: %s record %d has label %d, want < %d", path, off/cifarRecord, label, len(d.Classes))
		}
		img := NewImage(cifarSide, cifarSide)
		for i, b := range data[off+1 : off+cifarRecord] {
			img.Pix[i] = float32(b) / 255
		}
		d.Images = append(d.Images, img)
		d.Labels = append(d.Labels, label)
	}
	return nil
}

// WriteCIFAR10 writes a dataset of 32x32 images in CIFAR-10 binary format.
func WriteCIFAR10(w io.Writer, d *Dataset) error {
	bw := bufio.NewWriter(w)
	for i, img := range d.Images {
		if img.W != cifarSide || img.H != cifarSide {
			return fmt.Errorf("models: cifar-10: image %d is %dx%d, want 32x32", i, img.W, img.H)
		}
		if d.Labels[i] < 0 || d.Labels[i] > 255 {
			return fmt.Errorf("models: cifar-10: image %d has label %d", i, d.Labels[i])
		}
		bw.WriteByte(byte(d.Labels[i]))
		for _, v := range img.Pix {
			bw.WriteByte(byte(min(max(v*255+0.5, 0), 255)))
		}
	}
	return bw.Flush()
}

// LoadFolder reads a class-per-folder image set: root/<class>/<image>.png or
// .jpg/.jpeg. Classes are the sub-folder names in sorted order. Images are
// resized to side x side when side > 0. limit > 0 keeps at most limit images
// per class.
func LoadFolder(root string, side, limit int) (*Dataset, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("models: image folder: %w", err)
	}
	d := &Dataset{Name: filepath.Base(root)}
	for _, e := range entries {
		if e.IsDir() {
			d.Classes = append(d.Classes, e.Name())
		}
	}
	sort.Strings(d.Classes)
	if len(d.Classes) == 0 {
		return nil, fmt.Errorf("models: image folder %s has no class sub-folders (want %s/<class>/<image>.png)", root, root)
	}
	for label, class := range d.Classes {
		files, err := os.ReadDir(filepath.Join(root, class))
		if err != nil {
			return nil, fmt.Errorf("models: image folder: %w", err)
		}
		n := 0
		for _, f := range files {
			ext := strings.ToLower(filepath.Ext(f.Name()))
			if f.IsDir() || (ext != ".png" && ext != ".jpg" && ext != ".jpeg") {
				continue
			}
			if limit > 0 && n >= limit {
				break
			}
			p := filepath.Join(root, class, f.Name())
			img, err := loadImageFile(p)
			if err != nil {
				return nil, err
			}
			if side > 0 {
				img = Resize(img, side, side)
			}
			d.Images = append(d.Images, img)
			d.Labels = append(d.Labels, label)
			n++
		}
	}
	if d.Len() == 0 {
		return nil, fmt.Errorf("models: image folder %s holds no .png or .jpg images", root)
	}
	return d, nil
}

func loadImageFile(path string) (Image, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Image{}, fmt.Errorf("models: %w", err)
	}
	m, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return Image{}, fmt.Errorf("models: decoding %s: %w", path, err)
	}
	return FromImage(m), nil
}

// FromImage converts a decoded image to planar float RGB (alpha ignored).
func FromImage(m image.Image) Image {
	b := m.Bounds()
	img := NewImage(b.Dx(), b.Dy())
	plane := img.W * img.H
	for y := range img.H {
		for x := range img.W {
			r, g, bl, _ := m.At(b.Min.X+x, b.Min.Y+y).RGBA()
			i := y*img.W + x
			img.Pix[i] = float32(r) / 0xffff
			img.Pix[plane+i] = float32(g) / 0xffff
			img.Pix[2*plane+i] = float32(bl) / 0xffff
		}
	}
	return img
}

// ToImage converts back to an image.Image (for writing examples and tests).
func (img Image) ToImage() *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, img.W, img.H))
	plane := img.W * img.H
	for y := range img.H {
		for x := range img.W {
			i := y*img.W + x
			o := m.PixOffset(x, y)
			for c := range 3 {
				m.Pix[o+c] = byte(min(max(img.Pix[c*plane+i]*255+0.5, 0), 255))
			}
			m.Pix[o+3] = 255
		}
	}
	return m
}
