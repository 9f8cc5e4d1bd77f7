package models

import (
	"fmt"
	"os"
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
