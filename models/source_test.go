package models

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

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
