package models

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

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
