package models

import (
	"bytes"
	"compress/gzip"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
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

func greyDataset(n, w, h int) *Dataset {
	d := &Dataset{Name: "grey"}
	for i := range n {
		img := NewImage(w, h)
		plane := w * h
		for j := range plane {
			v := float32((i*7+j*13)%256) / 255
			img.Pix[j], img.Pix[plane+j], img.Pix[2*plane+j] = v, v, v
		}
		d.Images = append(d.Images, img)
		d.Labels = append(d.Labels, i%10)
	}
	return d
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

func writeFolder(t *testing.T, root string, d *Dataset, name func(label int) string) {
	t.Helper()
	for i, img := range d.Images {
		dir := filepath.Join(root, name(d.Labels[i]))
		os.MkdirAll(dir, 0o755)
		var buf bytes.Buffer
		png.Encode(&buf, img.ToImage())
		os.WriteFile(filepath.Join(dir, strconv.Itoa(i)+".png"), buf.Bytes(), 0o644)
	}
}

// Folder labels: numeric names are the class number (10 after 9, not after
// 1); names are matched to a class map; other names take their sorted
// order with a warning.
func TestFolderLabels(t *testing.T) {
	d := greyDataset(24, 4, 4)
	for i := range d.Labels {
		d.Labels[i] = i % 12
	}
	root := t.TempDir()
	writeFolder(t, root, d, strconv.Itoa)
	f, err := OpenFolder(root, FolderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Len() {
		want, _ := strconv.Atoi(filepath.Base(filepath.Dir(f.Path(i))))
		if f.Label(i) != want {
			t.Fatalf("%s: label %d", f.Path(i), f.Label(i))
		}
	}
	if info := f.Describe(); info.Warning != "" || len(info.Classes) != 12 {
		t.Errorf("numeric folders: %+v", info)
	}

	names := []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot", "x", "y"}
	byName := t.TempDir()
	writeFolder(t, byName, d, func(l int) string { return strings.NewReplacer("/", "_", " ", "-").Replace(names[l]) })
	f, err = OpenFolder(byName, FolderOptions{Classes: names})
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Len() {
		img, _ := f.Load(i)
		n, _ := strconv.Atoi(strings.TrimSuffix(filepath.Base(f.Path(i)), ".png"))
		if f.Label(i) != d.Labels[n] || img.W != 4 {
			t.Fatalf("%s: label %d, want %d", f.Path(i), f.Label(i), d.Labels[n])
		}
	}
	f, err = OpenFolder(byName, FolderOptions{})
	if err != nil || !strings.Contains(f.Describe().Warning, "sorted order of its folder names") {
		t.Errorf("names without a class map: %v, %+v", err, f.Describe())
	}
	if _, err := OpenFolder(byName, FolderOptions{Classes: names[:5]}); err == nil || !strings.Contains(err.Error(), "matches no class of the class map") {
		t.Errorf("folder outside the class map: %v", err)
	}
	// A synset map: folders named by the first word of each line.
	synsets := t.TempDir()
	writeFolder(t, synsets, d, func(l int) string { return "n0" + strconv.Itoa(1000+l) })
	var lines []string
	for l := range 12 {
		lines = append(lines, "n0"+strconv.Itoa(1000+l)+" "+names[l]+", more words")
	}
	if f, err = OpenFolder(synsets, FolderOptions{Classes: lines}); err != nil || f.Label(0) != 0 || f.Label(f.Len()-1) != 11 {
		t.Errorf("synset map: %v", err)
	}
}

func TestReadClassNames(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "labels.txt")
	os.WriteFile(p, []byte("cat\r\ndog\nbird\n\n"), 0o644)
	if names, err := ReadClassNames(p); err != nil || !reflect.DeepEqual(names, []string{"cat", "dog", "bird"}) {
		t.Errorf("%q %v", names, err)
	}
	os.WriteFile(p, []byte("cat\n\ndog\n"), 0o644)
	if _, err := ReadClassNames(p); err == nil || !strings.Contains(err.Error(), "labels.txt:2 is blank") {
		t.Errorf("blank line: %v", err)
	}
	for in, want := range map[string][]string{
		"cat,dog":                     {"cat", "dog"},
		`["cat", "dog"]`:              {"cat", "dog"},
		"{0: 'person', 1: 'bicycle'}": {"person", "bicycle"},
		`{1: "b", 0: "a"}`:            {"a", "b"},
		"{0: 'a', 2: 'c'}":            nil,
	} {
		if got := ParseClassNames(in); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}

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
