package models

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

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
