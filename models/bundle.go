package models

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/collagesim/collagesim/internal/atomicfile"
)

// Metadata keys the bundled models carry (ONNX metadata_props).
const (
	MetaRole       = "collagesim.role"        // "single", "collage" or "parity"
	MetaGrid       = "collagesim.grid"        // collage: g (parity: MetaParityK)
	MetaClasses    = "collagesim.classes"     // class names, comma-separated
	MetaArch       = "collagesim.arch"        // architecture name
	MetaSeed       = "collagesim.seed"        // weight and data seed
	MetaSingleSide = "collagesim.single_side" // side of the images the load balancer receives
	MetaCellSide   = "collagesim.cell_side"   // collage: side of one cell
	MetaTrain      = "collagesim.train"       // how the head was trained, in words
)

// BuildOptions say how to build the bundled models.
type BuildOptions struct {
	Arch        Arch
	Grids       []int  // collage grids, e.g. 2, 3, 4
	Seed        uint64 // backbone weights and training images
	TrainImages int    // S-CNN training images (default 3000)
	TrainCells  int    // Collage-CNN training cells per grid (default 2*TrainImages), in TrainCells/g^2 collages
	// ParityK lists the group sizes k to build parity models (ParM) for,
	// e.g. 2, 4, 9; none: no parity model. Each is trained on TrainCells
	// groups of k training images.
	ParityK []int
	// Untrained skips training: the heads are zero (every class scores 0),
	// for timing large architectures whose training would take hours here.
	// Their accuracy is not measured.
	Untrained bool
	// Data, if not nil, are the training images (the first TrainImages,
	// resized to the architecture's side) instead of the synthetic set:
	// e.g. Fashion-MNIST's training split (Materialise).
	Data    *Dataset
	Session SessionOptions
	Log     io.Writer // progress, may be nil
}

// BuiltModel describes one model file of a bundle.
type BuiltModel struct {
	Name          string  `json:"name"`
	File          string  `json:"file"`
	Role          string  `json:"role"`
	Grid          int     `json:"grid,omitempty"`
	InputShape    []int   `json:"input_shape"`
	TrainAccuracy float64 `json:"train_accuracy,omitempty"` // 0: untrained
}

// Bundle is the manifest written beside the model files (bundle.json).
type Bundle struct {
	Arch  string `json:"arch"`
	Seed  uint64 `json:"seed"`
	Grids []int  `json:"grids"`
	// ParityK: the parity models' group sizes (none: no parity model).
	ParityK []int `json:"parity_k,omitempty"`
	Train   int   `json:"train_images"`
	// Untrained: the heads are zero, the models are for timing only.
	Untrained bool         `json:"untrained,omitempty"`
	Data      string       `json:"data,omitempty"` // training set's name ("" synthetic)
	Classes   []string     `json:"classes"`
	Models    []BuiltModel `json:"models"`
}

// BundleFile is the manifest's file name inside a bundle folder.
const BundleFile = "bundle.json"

// ReadBundle reads dir/bundle.json.
func ReadBundle(dir string) (*Bundle, error) {
	data, err := os.ReadFile(filepath.Join(dir, BundleFile))
	if err != nil {
		return nil, fmt.Errorf("models: %w", err)
	}
	var b Bundle
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("models: %s: %w", filepath.Join(dir, BundleFile), err)
	}
	return &b, nil
}

// Matches reports whether the bundle was built with these options.
func (b *Bundle) Matches(o BuildOptions) bool {
	o = o.withDefaults()
	return b.Arch == o.Arch.Name && b.Seed == o.Seed && fmt.Sprint(b.Grids) == fmt.Sprint(o.Grids) &&
		fmt.Sprint(b.ParityK) == fmt.Sprint(o.ParityK) &&
		b.Untrained == o.Untrained && (o.Untrained || b.Train == o.TrainImages) && b.Data == o.dataName()
}

func (o BuildOptions) dataName() string {
	if o.Data == nil || o.Untrained {
		return ""
	}
	return o.Data.Name
}

func (o BuildOptions) classes() []string {
	if o.Data != nil {
		return o.Data.Classes
	}
	return SynthClasses
}

// trainingSet is what the heads are trained on, in words.
func (o BuildOptions) trainingSet() string {
	if o.Data != nil {
		return o.Data.Name + " images"
	}
	return fmt.Sprintf("synthetic images (seed %d)", o.Seed)
}

func (o BuildOptions) withDefaults() BuildOptions {
	if o.TrainImages == 0 {
		o.TrainImages = 3000
	}
	if o.TrainCells == 0 {
		o.TrainCells = 2 * o.TrainImages
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	return o
}

// SingleName and CollageName are the model names used in profiles.
const SingleName = "scnn"

// CollageName is "collage-gxg".
func CollageName(g int) string { return fmt.Sprintf("collage-%dx%d", g, g) }

// Build builds the bundled S-CNN and Collage-CNN models into dir: seeded
// backbones, with classifier heads trained on features that ONNX Runtime
// extracts from procedurally generated images (the runtime must be loaded).
func Build(dir string, o BuildOptions) (*Bundle, error) {
	o = o.withDefaults()
	if err := o.Arch.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("models: %w", err)
	}
	a := o.Arch
	start := time.Now()
	bundle := &Bundle{Arch: a.Name, Seed: o.Seed, Grids: o.Grids, ParityK: o.ParityK, Train: o.TrainImages, Classes: o.classes(), Untrained: o.Untrained, Data: o.dataName()}
	var train *Dataset
	switch {
	case o.Untrained:
		bundle.Train = 0
	case o.Data != nil:
		if o.Data.Len() < o.TrainImages {
			return nil, fmt.Errorf("models: %s has %d images, fewer than the %d training images asked for", o.Data.Name, o.Data.Len(), o.TrainImages)
		}
		train = &Dataset{Name: o.Data.Name, Classes: o.Data.Classes, Labels: o.Data.Labels[:o.TrainImages]}
		for _, img := range o.Data.Images[:o.TrainImages] {
			train.Images = append(train.Images, Resize(img, a.Side, a.Side))
		}
	default:
		train = Synthetic(o.Seed, o.TrainImages, a.Side)
		fmt.Fprintf(o.Log, "models: %d training images (%dx%d) in %v\n", train.Len(), a.Side, a.Side, time.Since(start).Round(time.Millisecond))
	}
	meta := map[string]string{
		MetaClasses:    strings.Join(o.classes(), ","),
		MetaArch:       a.Name,
		MetaSeed:       strconv.FormatUint(o.Seed, 10),
		MetaSingleSide: strconv.Itoa(a.Side),
	}

	// S-CNN.
	start = time.Now()
	head, acc, singleFeat, err := o.trainSingle(train)
	if err != nil {
		return nil, err
	}
	m := cloneMeta(meta)
	m[MetaRole] = "single"
	m[MetaTrain] = untrainedNote
	if !o.Untrained {
		m[MetaTrain] = fmt.Sprintf("softmax regression on %d %s, training accuracy %.4f", train.Len(), o.trainingSet(), acc)
		fmt.Fprintf(o.Log, "models: scnn: head trained on %d images, training accuracy %.3f (%v)\n", train.Len(), acc, time.Since(start).Round(time.Millisecond))
	}
	if err := writeModel(dir, SingleName+".onnx", SingleGraph(a, o.Seed, head), m); err != nil {
		return nil, err
	}
	bundle.Models = append(bundle.Models, BuiltModel{Name: SingleName, File: SingleName + ".onnx", Role: "single",
		InputShape: []int{1, 3, a.Side, a.Side}, TrainAccuracy: acc})

	// Collage-CNNs: one per grid, same backbone seed.
	for _, g := range o.Grids {
		if g < 2 {
			return nil, fmt.Errorf("models: collage grid %d must be >= 2", g)
		}
		start = time.Now()
		// Same number of training cells for every grid, so that accuracy
		// differences come from the grid, not from the amount of training.
		n := (o.TrainCells + g*g - 1) / (g * g)
		c := &Collager{Grid: g, Cell: a.CellSide(g)}
		head, acc, cells, err := o.trainCollage(train, c, n)
		if err != nil {
			return nil, err
		}
		name := CollageName(g)
		m := cloneMeta(meta)
		m[MetaRole] = "collage"
		m[MetaGrid] = strconv.Itoa(g)
		m[MetaCellSide] = strconv.Itoa(c.Cell)
		m[MetaTrain] = untrainedNote
		if !o.Untrained {
			m[MetaTrain] = fmt.Sprintf("softmax regression on %d cells of %d collages of %s, training accuracy %.4f", cells, n, o.trainingSet(), acc)
			fmt.Fprintf(o.Log, "models: %s: head trained on %d cells of %d collages (%dx%d), training accuracy %.3f (%v)\n",
				name, cells, n, c.Side(), c.Side(), acc, time.Since(start).Round(time.Millisecond))
		}
		if err := writeModel(dir, name+".onnx", CollageGraph(a, g, o.Seed, head), m); err != nil {
			return nil, err
		}
		bundle.Models = append(bundle.Models, BuiltModel{Name: name, File: name + ".onnx", Role: "collage", Grid: g,
			InputShape: []int{1, 3, c.Side(), c.Side()}, TrainAccuracy: acc})
	}

	// Parity models: one per k, the S-CNN's network on the encoded group,
	// with a head fitted to the sum of the S-CNN's logits (ParityTarget).
	var single [][]float32 // the S-CNN's logits on the training images
	if train != nil && len(o.ParityK) > 0 {
		single = make([][]float32, len(singleFeat))
		for i, f := range singleFeat {
			single[i] = make([]float32, head.Classes)
			head.Apply(f, single[i])
		}
	}
	for _, k := range o.ParityK {
		if k < 2 {
			return nil, fmt.Errorf("models: parity group size %d must be >= 2", k)
		}
		if train != nil && k > train.Len() {
			return nil, fmt.Errorf("models: parity groups of %d from %d training images", k, train.Len())
		}
		start = time.Now()
		n := o.TrainCells
		ph, acc, err := o.trainParity(train, single, k, n)
		if err != nil {
			return nil, err
		}
		name := ParityName(k)
		m := cloneMeta(meta)
		m[MetaRole] = "parity"
		m[MetaParityK] = strconv.Itoa(k)
		m[MetaParityTarget] = ParityTarget
		m[MetaTrain] = untrainedNote
		if !o.Untrained {
			m[MetaTrain] = fmt.Sprintf("ridge least squares on %d groups of %d %s, encoded as their pixel-wise mean, "+
				"to the sum of the S-CNN's logits; degraded-mode accuracy on the training groups %.4f", n, k, o.trainingSet(), acc)
			fmt.Fprintf(o.Log, "models: %s: head fitted on %d groups of %d images, degraded-mode training accuracy %.3f (%v)\n",
				name, n, k, acc, time.Since(start).Round(time.Millisecond))
		}
		if err := writeModel(dir, name+".onnx", ParityGraph(a, k, o.Seed, ph), m); err != nil {
			return nil, err
		}
		bundle.Models = append(bundle.Models, BuiltModel{Name: name, File: name + ".onnx", Role: "parity", Grid: k,
			InputShape: []int{1, 3, a.Side, a.Side}, TrainAccuracy: acc})
	}
	data, err := json.MarshalIndent(bundle, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("models: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, BundleFile), append(data, '\n')); err != nil {
		return nil, err
	}
	return bundle, nil
}

// RandomGroups draws n groups of k distinct image indices from [0, size).
func RandomGroups(r *rand.Rand, size, k, n int) [][]int {
	if k > size {
		panic(fmt.Sprintf("models: groups of %d from %d images", k, size))
	}
	groups := make([][]int, n)
	perm := r.Perm(size)
	pos := 0
	for i := range groups {
		if pos+k > size {
			perm, pos = r.Perm(size), 0
		}
		groups[i] = append([]int(nil), perm[pos:pos+k]...)
		pos += k
	}
	return groups
}

func cloneMeta(m map[string]string) map[string]string {
	c := make(map[string]string, len(m)+4)
	for k, v := range m {
		c[k] = v
	}
	return c
}

var metaOrder = []string{MetaRole, MetaGrid, MetaParityK, MetaParityTarget, MetaClasses, MetaArch, MetaSeed, MetaSingleSide, MetaCellSide, MetaTrain}

// MarshalModel encodes a graph with collagesim's metadata.
func MarshalModel(g *Graph, meta map[string]string) []byte {
	return g.Marshal(ModelInfo{Producer: "collagesim", Version: "1", Meta: meta, MetaKeys: metaOrder,
		Doc: "Built by collagesim (models package): seeded ResNet-style backbone with a trained linear head."})
}

func writeModel(dir, file string, g *Graph, meta map[string]string) error {
	return writeFileAtomic(filepath.Join(dir, file), MarshalModel(g, meta))
}

func writeFileAtomic(path string, data []byte) error {
	if err := atomicfile.WriteFile(path, data); err != nil {
		return fmt.Errorf("models: %w", err)
	}
	return nil
}
