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
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Source is a labelled image set read on demand: images are decoded when
// asked for, so a folder the size of ImageNet's validation set is not held
// in memory. Labels are indices into the model's output classes.
type Source interface {
	Len() int
	// Label is image i's class index.
	Label(i int) int
	// Load decodes image i (planar RGB in [0, 1]; grey images have three
	// equal planes).
	Load(i int) (Image, error)
	// Describe names the set and its classes (index = label).
	Describe() SourceInfo
}

// SourceInfo describes a Source.
type SourceInfo struct {
	Name    string
	Classes []string
	// W, H: the size every image has, 0 when sizes vary (image folders).
	W, H int
	// Warning, if not empty, says something about the labels the user
	// should know (e.g. labels taken from the sorted order of folder names).
	Warning string
}

// Label is image i's label.
func (d *Dataset) Label(i int) int { return d.Labels[i] }

// Load returns image i.
func (d *Dataset) Load(i int) (Image, error) { return d.Images[i], nil }

// Describe names the dataset; W and H are set when all images share a size.
func (d *Dataset) Describe() SourceInfo {
	info := SourceInfo{Name: d.Name, Classes: d.Classes}
	for i, img := range d.Images {
		if i == 0 {
			info.W, info.H = img.W, img.H
		} else if img.W != info.W || img.H != info.H {
			info.W, info.H = 0, 0
			break
		}
	}
	return info
}

// ReadClassNames reads a class map: one class name per line, line i (from
// 0) naming output class i. Blank lines and lines starting with # are
// errors in the middle of the file (they would shift every later index),
// allowed at its end.
func ReadClassNames(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("models: class map: %w", err)
	}
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n \t"), "\n")
	var names []string
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			return nil, fmt.Errorf("models: class map %s:%d is blank: want one class name per line, line i naming output class i", path, i+1)
		}
		names = append(names, l)
	}
	if len(names) == 0 || names[0] == "" {
		return nil, fmt.Errorf("models: class map %s is empty: want one class name per line", path)
	}
	return names, nil
}

// ParseClassNames reads class names from a model's metadata value: a
// comma-separated list ("cat,dog"), a JSON list (["cat", "dog"]) or the
// dictionary Ultralytics exports write ({0: 'person', 1: 'bicycle'}).
func ParseClassNames(v string) []string {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	if strings.HasPrefix(v, "{") && strings.HasSuffix(v, "}") {
		m := map[int]string{}
		body := v[1 : len(v)-1]
		for body != "" {
			k, rest, ok := strings.Cut(body, ":")
			if !ok {
				return nil
			}
			idx, err := strconv.Atoi(strings.Trim(strings.TrimSpace(k), `"'`))
			if err != nil {
				return nil
			}
			rest = strings.TrimSpace(rest)
			if rest == "" {
				return nil
			}
			q := rest[0]
			if q != '\'' && q != '"' {
				return nil
			}
			end := strings.IndexByte(rest[1:], q)
			if end < 0 {
				return nil
			}
			m[idx] = rest[1 : 1+end]
			body = strings.TrimLeft(strings.TrimSpace(rest[2+end:]), ",")
			body = strings.TrimSpace(body)
		}
		out := make([]string, len(m))
		for i := range out {
			n, ok := m[i]
			if !ok {
				return nil
			}
			out[i] = n
		}
		return out
	}
	if strings.HasPrefix(v, "[") && strings.HasSuffix(v, "]") {
		v = v[1 : len(v)-1]
	}
	var out []string
	for _, f := range strings.Split(v, ",") {
		out = append(out, strings.Trim(strings.TrimSpace(f), `"'`))
	}
	return out
}

// classKey folds a class name for matching folder names: lower case,
// letters and digits only ("T-shirt/top" and "t_shirt_top" match).
func classKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// FolderOptions say how a class-per-folder image set is labelled.
type FolderOptions struct {
	// Classes is the class map (index = output class), from a labels file
	// or the model's metadata. Each folder name must match one (ignoring
	// case and anything but letters and digits), or its first word (a
	// synset map's "n01440764 tench, Tinca tinca" matches folder n01440764).
	Classes []string
	// Limit > 0 keeps at most Limit images per class.
	Limit int
}

// Folder is a class-per-folder image set, root/<class>/<image>.png|jpg,
// decoded image by image. Labels: with a class map, the index of the
// class the folder names; else, when every folder name is a whole number,
// that number (so "10" is class 10, not the second in sorted order); else
// the folder's index in sorted order of the names, with a warning.
type Folder struct {
	root    string
	classes []string
	files   []string
	labels  []int
	warning string
}

// OpenFolder lists a class-per-folder image set (no image is decoded yet).
func OpenFolder(root string, o FolderOptions) (*Folder, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("models: image folder: %w", err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("models: image folder %s has no class sub-folders (want %s/<class>/<image>.png)", root, root)
	}
	sort.Strings(dirs)
	f := &Folder{root: root}
	label := map[string]int{}
	numeric := true
	for _, d := range dirs {
		if n, err := strconv.Atoi(d); err != nil || n < 0 {
			numeric = false
		}
	}
	switch {
	case len(o.Classes) > 0:
		f.classes = o.Classes
		keys := map[string]int{}
		for i, c := range o.Classes {
			if f := strings.Fields(c); len(f) > 1 {
				if _, dup := keys[classKey(f[0])]; !dup {
					keys[classKey(f[0])] = i
				}
			}
		}
		for i, c := range o.Classes {
			keys[classKey(c)] = i
		}
		for _, d := range dirs {
			i, ok := keys[classKey(d)]
			if !ok {
				if n, err := strconv.Atoi(d); err == nil && n >= 0 && n < len(o.Classes) {
					i, ok = n, true
				}
			}
			if !ok {
				return nil, fmt.Errorf("models: image folder %s: sub-folder %q matches no class of the class map (%s); rename it to one of them or fix the map",
					root, d, strings.Join(o.Classes, ", "))
			}
			label[d] = i
		}
	case numeric:
		hi := 0
		for _, d := range dirs {
			n, _ := strconv.Atoi(d)
			label[d] = n
			hi = max(hi, n)
		}
		f.classes = make([]string, hi+1)
		for i := range f.classes {
			f.classes[i] = strconv.Itoa(i)
		}
	default:
		f.classes = dirs
		for i, d := range dirs {
			label[d] = i
		}
		f.warning = fmt.Sprintf("labels of %s are the sorted order of its folder names (%s = 0, %s = 1, ...), as torchvision's ImageFolder does; "+
			"if the model's classes are in another order, give a class map (--labels FILE, one class name per line in output order)",
			root, dirs[0], dirs[min(1, len(dirs)-1)])
	}
	for _, d := range dirs {
		files, err := os.ReadDir(filepath.Join(root, d))
		if err != nil {
			return nil, fmt.Errorf("models: image folder: %w", err)
		}
		n := 0
		for _, e := range files {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if e.IsDir() || (ext != ".png" && ext != ".jpg" && ext != ".jpeg") {
				continue
			}
			if o.Limit > 0 && n >= o.Limit {
				break
			}
			f.files = append(f.files, filepath.Join(root, d, e.Name()))
			f.labels = append(f.labels, label[d])
			n++
		}
	}
	if len(f.files) == 0 {
		return nil, fmt.Errorf("models: image folder %s holds no .png or .jpg images", root)
	}
	return f, nil
}

// Len is the number of images.
func (f *Folder) Len() int { return len(f.files) }

// Label is image i's class index.
func (f *Folder) Label(i int) int { return f.labels[i] }

// Load decodes image i.
func (f *Folder) Load(i int) (Image, error) { return loadImageFile(f.files[i]) }

// Path is image i's file.
func (f *Folder) Path(i int) string { return f.files[i] }

// Describe names the folder and its classes.
func (f *Folder) Describe() SourceInfo {
	return SourceInfo{Name: filepath.Base(f.root), Classes: f.classes, Warning: f.warning}
}

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

// Materialise loads the first n images of src (all when n <= 0) into a
// Dataset, resized to side x side when side > 0.
func Materialise(src Source, n, side int) (*Dataset, error) {
	info := src.Describe()
	if n <= 0 || n > src.Len() {
		n = src.Len()
	}
	d := &Dataset{Name: info.Name, Classes: info.Classes}
	for i := range n {
		img, err := src.Load(i)
		if err != nil {
			return nil, err
		}
		if side > 0 {
			img = Resize(img, side, side)
		}
		d.Images = append(d.Images, img)
		d.Labels = append(d.Labels, src.Label(i))
	}
	return d, nil
}
