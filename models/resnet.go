package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Arch describes a ResNet-style network: a stem convolution, then stages of
// basic residual blocks (two 3x3 convolutions and a skip connection), the
// first block of every stage after the first halving the resolution.
type Arch struct {
	Name       string
	Side       int   // S-CNN input side in pixels (square RGB input)
	StemKernel int   // odd; 7 as in ResNet (the stem is a Gabor bank)
	StemStride int   // 1, or 2 for ResNet
	StemPool   bool  // 3x3 max pool with stride 2 after the stem (ResNet)
	StemWidth  int   // channels out of the stem
	Widths     []int // channels per stage
	Blocks     []int // basic blocks per stage
	// CollageSide is the side the Collage-CNN input aims at: each grid g uses
	// g cells of CollageSide/g pixels (rounded down to the network stride), so
	// a larger grid sees every image at a lower resolution, as in the paper.
	CollageSide int
}

// Presets name the architectures the bundle can be built with.
var Presets = map[string]Arch{
	// small: quick to build and calibrate on two cores (about 15 MMAC per image).
	"small": {Name: "small", Side: 32, StemKernel: 7, StemStride: 1, StemWidth: 16,
		Widths: []int{16, 32, 64}, Blocks: []int{1, 1, 1}, CollageSide: 64},
	// resnet18 and resnet34: the torchvision shapes at 224x224 (1.8 and 3.6 GMAC).
	"resnet18": {Name: "resnet18", Side: 224, StemKernel: 7, StemStride: 2, StemPool: true, StemWidth: 64,
		Widths: []int{64, 128, 256, 512}, Blocks: []int{2, 2, 2, 2}, CollageSide: 448},
	"resnet34": {Name: "resnet34", Side: 224, StemKernel: 7, StemStride: 2, StemPool: true, StemWidth: 64,
		Widths: []int{64, 128, 256, 512}, Blocks: []int{3, 4, 6, 3}, CollageSide: 448},
}

// PresetNames lists the presets in a stable order.
func PresetNames() []string { return []string{"small", "resnet18", "resnet34"} }

// Validate checks the architecture's numbers.
func (a Arch) Validate() error {
	switch {
	case a.Side < 8:
		return fmt.Errorf("models: arch %s: side %d is below 8", a.Name, a.Side)
	case a.StemKernel < 1 || a.StemKernel%2 == 0:
		return fmt.Errorf("models: arch %s: stem kernel %d must be odd and >= 1", a.Name, a.StemKernel)
	case a.StemStride < 1 || a.StemWidth < 1:
		return fmt.Errorf("models: arch %s: stem stride and width must be >= 1", a.Name)
	case len(a.Widths) == 0 || len(a.Widths) != len(a.Blocks):
		return fmt.Errorf("models: arch %s: need as many stage widths as block counts (got %d and %d)", a.Name, len(a.Widths), len(a.Blocks))
	}
	for i := range a.Widths {
		if a.Widths[i] < 1 || a.Blocks[i] < 1 {
			return fmt.Errorf("models: arch %s: stage %d needs width and blocks >= 1", a.Name, i)
		}
	}
	if a.Side%a.Stride() != 0 {
		return fmt.Errorf("models: arch %s: side %d is not a multiple of the network stride %d", a.Name, a.Side, a.Stride())
	}
	return nil
}

// Stride is the ratio of input side to final feature-map side.
func (a Arch) Stride() int {
	s := a.StemStride
	if a.StemPool {
		s *= 2
	}
	for range len(a.Widths) - 1 {
		s *= 2
	}
	return s
}

// Features is the length of the pooled feature vector the head sees: the
// channels of the stem and of every stage.
func (a Arch) Features() int {
	n := a.StemWidth
	for _, w := range a.Widths {
		n += w
	}
	return n
}

// CellSide is the side of one collage cell for grid g.
func (a Arch) CellSide(g int) int {
	st := a.Stride()
	c := a.CollageSide / g / st * st
	return max(c, st)
}

// CollageInputSide is the side of the Collage-CNN input for grid g.
func (a Arch) CollageInputSide(g int) int { return g * a.CellSide(g) }

// ParseArch reads a preset name, or a preset with overrides such as
// "small,side=64,widths=32/64/128,blocks=2/2/2,collage=128".
func ParseArch(s string) (Arch, error) {
	parts := strings.Split(s, ",")
	a, ok := Presets[parts[0]]
	if !ok {
		return Arch{}, fmt.Errorf("models: unknown architecture %q (presets: %s)", parts[0], strings.Join(PresetNames(), ", "))
	}
	a.Widths = append([]int(nil), a.Widths...)
	a.Blocks = append([]int(nil), a.Blocks...)
	for _, kv := range parts[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return Arch{}, fmt.Errorf("models: architecture option %q: want key=value", kv)
		}
		var err error
		switch k {
		case "side":
			a.Side, err = strconv.Atoi(v)
		case "collage":
			a.CollageSide, err = strconv.Atoi(v)
		case "stem":
			a.StemWidth, err = strconv.Atoi(v)
		case "widths":
			a.Widths, err = parseInts(v)
		case "blocks":
			a.Blocks, err = parseInts(v)
		default:
			return Arch{}, fmt.Errorf("models: unknown architecture option %q (side, collage, stem, widths, blocks)", k)
		}
		if err != nil {
			return Arch{}, fmt.Errorf("models: architecture option %q: %w", kv, err)
		}
		a.Name = s
	}
	return a, a.Validate()
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, "/") {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// Output names of the graphs built here.
const (
	InputName    = "image"
	OutputLogits = "logits" // S-CNN: [N, classes]
	OutputCells  = "cells"  // Collage-CNN: [N, g*g, classes], cells in row-major order
	OutputFeat   = "features"
)

// Head is a trained linear classifier on the backbone's pooled features:
// logits = W x + B, W is [classes][features] row-major.
type Head struct {
	Classes  int
	Features int
	W        []float32
	B        []float32
}

// featureMap is one feature map the heads pool from.
type featureMap struct {
	name     string
	channels int
	stride   int // input pixels per feature-map pixel
}

// backbone adds the network to g and returns the feature maps the heads pool:
// the stem's and every stage's output. Weights come from seed.
//
// The stem is a fixed bank of Gabor filters (even and odd, at evenly spaced
// orientations, on luminance and colour-opponent channels) followed by a
// modulus, i.e. oriented edge and stripe energy whatever the colours: the
// first layer of a trained CNN looks much like this. The residual stages are
// random (He-normal convolutions, zero biases, the second convolution of each
// branch scaled down so activations stay in range without batch
// normalisation). Only the linear head is trained, on the concatenated
// average-pooled maps, which works far better on random stages than pooling
// the last map alone (measured: 73% against 25-31% on the synthetic set).
func backbone(g *Graph, a Arch, x string, seed uint64) []featureMap {
	layer := uint64(0)
	conv := func(x string, w []float32, cin, cout, k, stride int) string {
		wn := g.Weight("w", w, int64(cout), int64(cin), int64(k), int64(k))
		bn := g.Weight("b", make([]float32, cout), int64(cout))
		p := int64(k / 2)
		return g.Node("Conv", []string{x, wn, bn},
			AttrInts("kernel_shape", int64(k), int64(k)),
			AttrInts("pads", p, p, p, p),
			AttrInts("strides", int64(stride), int64(stride)))
	}
	randConv := func(x string, cin, cout, k, stride int, gain float64) string {
		layer++
		r := rand.New(rand.NewPCG(seed, layer))
		std := gain * math.Sqrt(2/float64(cin*k*k))
		w := make([]float32, cout*cin*k*k)
		for i := range w {
			w[i] = float32(r.NormFloat64() * std)
		}
		return conv(x, w, cin, cout, k, stride)
	}
	relu := func(x string) string { return g.Node("Relu", []string{x}) }

	layer++
	stem := gaborBank(a.StemWidth, a.StemKernel, rand.New(rand.NewPCG(seed, layer)))
	h := g.Node("Abs", []string{conv(x, stem, 3, a.StemWidth, a.StemKernel, a.StemStride)})
	stride := a.StemStride
	if a.StemPool {
		h = g.Node("MaxPool", []string{h},
			AttrInts("kernel_shape", 3, 3), AttrInts("pads", 1, 1, 1, 1), AttrInts("strides", 2, 2))
		stride *= 2
	}
	maps := []featureMap{{h, a.StemWidth, stride}}
	cin := a.StemWidth
	total := 0
	for _, n := range a.Blocks {
		total += n
	}
	branchGain := 1 / math.Sqrt(float64(total))
	for s, width := range a.Widths {
		for blk := range a.Blocks[s] {
			st := 1
			if s > 0 && blk == 0 {
				st = 2
			}
			y := relu(randConv(h, cin, width, 3, st, 1))
			y = randConv(y, width, width, 3, 1, branchGain)
			skip := h
			if st != 1 || cin != width {
				skip = randConv(h, cin, width, 1, st, 1)
			}
			h = relu(g.Node("Add", []string{skip, y}))
			cin = width
			stride *= st
		}
		maps = append(maps, featureMap{h, width, stride})
	}
	return maps
}

// imageInput declares the [N, 3, side, side] input.
func imageInput(g *Graph, side int) string {
	return g.Input(InputName, Dim{Param: "N"}, Dim{Value: 3}, Dim{Value: int64(side)}, Dim{Value: int64(side)})
}

// SingleGraph builds the S-CNN: backbone, global average pooling and, with a
// head, a linear layer to class logits. Without a head the output is the
// pooled feature vector [N, features], which the head is trained on.
func SingleGraph(a Arch, seed uint64, head *Head) *Graph {
	return pooledGraph("scnn", OutputLogits, a, seed, head)
}

// pooledGraph is the S-CNN's network under another graph and output name.
func pooledGraph(name, output string, a Arch, seed uint64, head *Head) *Graph {
	g := NewGraph(name)
	x := imageInput(g, a.Side)
	var parts []string
	for _, m := range backbone(g, a, x, seed) {
		p := g.Node("GlobalAveragePool", []string{m.name})
		parts = append(parts, g.Node("Flatten", []string{p}, AttrInt("axis", 1)))
	}
	f := g.Node("Concat", parts, AttrInt("axis", 1))
	if head == nil {
		g.NodeTo(OutputFeat, "Identity", []string{f})
		g.Output(OutputFeat, Dim{Param: "N"}, Dim{Value: int64(a.Features())})
		return g
	}
	checkHead(head, a)
	w := g.Weight("head_w", head.W, int64(head.Classes), int64(head.Features))
	b := g.Weight("head_b", head.B, int64(head.Classes))
	g.NodeTo(output, "Gemm", []string{f, w, b}, AttrInt("transB", 1))
	g.Output(output, Dim{Param: "N"}, Dim{Value: int64(head.Classes)})
	return g
}

// CollageGraph builds the Collage-CNN for a g x g grid: the same backbone on
// the collage, average pooling over each cell's part of the feature maps, and,
// with a head, the same linear classifier applied to every cell. The output is
// [N, g*g, classes] (or [N, g*g, features] without a head).
func CollageGraph(a Arch, grid int, seed uint64, head *Head) *Graph {
	g := NewGraph(fmt.Sprintf("collage-%dx%d", grid, grid))
	side := a.CollageInputSide(grid)
	x := imageInput(g, side)
	cell := a.CellSide(grid)
	var parts []string
	for _, m := range backbone(g, a, x, seed) {
		k := int64(cell / m.stride)
		parts = append(parts, g.Node("AveragePool", []string{m.name}, AttrInts("kernel_shape", k, k), AttrInts("strides", k, k)))
	}
	f := g.Node("Concat", parts, AttrInt("axis", 1))
	c := int64(a.Features())
	out, name := c, OutputFeat
	if head != nil {
		checkHead(head, a)
		w := g.Weight("head_w", head.W, int64(head.Classes), int64(head.Features), 1, 1)
		b := g.Weight("head_b", head.B, int64(head.Classes))
		f = g.Node("Conv", []string{f, w, b}, AttrInts("kernel_shape", 1, 1))
		out, name = int64(head.Classes), OutputCells
	}
	cells := int64(grid * grid)
	f = g.Node("Reshape", []string{f, g.Int64s("shape", 0, out, cells)})
	g.NodeTo(name, "Transpose", []string{f}, AttrInts("perm", 0, 2, 1))
	g.Output(name, Dim{Param: "N"}, Dim{Value: cells}, Dim{Value: out})
	return g
}

func checkHead(h *Head, a Arch) {
	if h.Features != a.Features() || len(h.W) != h.Classes*h.Features || len(h.B) != h.Classes {
		panic(fmt.Sprintf("models: head [%d x %d] with %d weights does not fit %d features", h.Classes, h.Features, len(h.W), a.Features()))
	}
}

// gaborBank returns n fixed oriented filters of size k x k over RGB:
// even and odd Gabor filters at evenly spaced orientations on luminance,
// then colour-opponent ones, so the first layer measures edge and stripe
// energy by orientation whatever the colours.
func gaborBank(n, k int, r *rand.Rand) []float32 {
	w := make([]float32, n*3*k*k)
	sigma := float64(k) / 4
	freq := 1 / (float64(k) * 0.6)
	orients := max(4, n/4)
	for f := range n {
		theta := math.Pi * float64(f%orients) / float64(orients)
		phase := 0.0
		if (f/orients)%2 == 1 {
			phase = math.Pi / 2
		}
		var col [3]float64
		switch f / (2 * orients) {
		case 0:
			col = [3]float64{1, 1, 1}
		case 1:
			col = [3]float64{1, -1, 0}
		case 2:
			col = [3]float64{0.5, 0.5, -1}
		default:
			col = [3]float64{r.NormFloat64(), r.NormFloat64(), r.NormFloat64()}
		}
		vals := make([]float64, k*k)
		mean, norm := 0.0, 0.0
		for y := range k {
			for x := range k {
				dx, dy := float64(x-k/2), float64(y-k/2)
				xr := dx*math.Cos(theta) + dy*math.Sin(theta)
				v := math.Exp(-(dx*dx+dy*dy)/(2*sigma*sigma)) * math.Cos(2*math.Pi*freq*xr+phase)
				vals[y*k+x] = v
				mean += v
			}
		}
		mean /= float64(k * k)
		for i := range vals {
			vals[i] -= mean
			norm += vals[i] * vals[i]
		}
		norm = math.Sqrt(norm) + 1e-9
		for c := range 3 {
			for i, v := range vals {
				w[((f*3)+c)*k*k+i] = float32(col[c] * v / norm)
			}
		}
	}
	return w
}
