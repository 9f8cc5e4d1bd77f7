package calibrate

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/sim"
)

// Spec describes a model to calibrate. Zero fields are inferred from the
// model (its input and output shapes, its ONNX metadata_props) where they
// can be, and take the documented defaults otherwise.
type Spec struct {
	Name string
	// Role: sim.RoleSingle, sim.RoleCollage or sim.RoleParity; "" infers it
	// from the output shape ([N, C]: single, [N, g*g, C]: collage) and the
	// metadata. A parity model looks like a single one: declare it.
	Role string
	Grid int // collage: g; parity: k, the images per parity group
	// InputShape overrides the model's input shape (batch dimension
	// included, e.g. 1,3,224,224); zeros keep the model's own dimensions.
	InputShape []int64
	// Data, if not nil, is the labelled held-out set accuracy is measured
	// on; labels index the model's output classes.
	Data models.Source
	// Mean and Std, if set, normalise input pixels per channel,
	// (x*Range - mean)/std, as many ImageNet models expect. Each has one
	// value per input channel (or a single value for all).
	Mean, Std []float32
	// Range is what a white pixel is before normalisation: 1 (default,
	// pixels in [0, 1], as torchvision's ToTensor gives) or 255.
	Range float32
	// Layout is the input's layout: LayoutNCHW or LayoutNHWC ("" infers it
	// from where the 1- or 3-sized channel dimension is).
	Layout string
	// Cells is the order of a collage output's cells: CellsRowMajor
	// (default: cell i is at row i/g, column i%g) or CellsColMajor.
	Cells string
	// Output says what the model outputs: OutputLogits, OutputProbs, or ""
	// to detect probabilities (every row in [0, 1] summing to 1).
	Output string
	// Head, for a detector-style Collage-CNN, is its output layout:
	// HeadYOLO, HeadYOLOv5 or HeadYOLOv8 (boxes, decoded into cells by
	// their centre); "" for a per-cell classifier.
	Head string
	// Resize resamples images whose size differs from the model's input
	// (or a collage's cell); without it such images are refused.
	Resize bool
	// Crop, if in (0, 1), first cuts from each image the centred region of
	// the model's aspect ratio that spans Crop of the image's shorter side,
	// then resizes it: torchvision's Resize(256) + CenterCrop(224) is
	// Crop 0.875. It implies Resize.
	Crop float64
	// Classes is the class map (index = output class), for reports and
	// for checking the output width; nil takes the model's metadata.
	Classes []string
	// SourceSide is the side of the images a collage is built from (for the
	// encoding time); default the cell side.
	SourceSide int
	Train      string // how the model was trained, for the profile's source
	// Single, for a parity model, holds the S-CNN's outputs on Data in the
	// space the parity model was trained in (logits for the bundled models);
	// without it degraded-mode accuracy is not measured.
	Single [][]float32

	keepOutputs bool // keep the S-CNN's output rows (Report.outputs) for parity models
}

// Layouts, cell orders and output kinds a Spec names.
const (
	LayoutNCHW    = "nchw"
	LayoutNHWC    = "nhwc"
	CellsRowMajor = "row-major"
	CellsColMajor = "col-major"
	OutputLogits  = "logits"
	OutputProbs   = "probs"
)

// SpecKeys are the per-model settings Spec.Set accepts, in the order the
// usage lists them.
var SpecKeys = []string{"name", "role", "grid", "cells", "output", "head", "layout", "mean", "std", "range", "input-shape", "source-side"}

// ErrUsage marks errors in how calibrate was asked (flags, settings):
// the command exits 2 for them.
var ErrUsage = errors.New("usage")

type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() []error {
	return []error{e.err, ErrUsage}
}

// usagef is a usage error: the command line asks for something invalid.
func usagef(format string, a ...any) error {
	return usageError{fmt.Errorf("calibrate: "+format, a...)}
}

// Set sets one setting by name (a key of SpecKeys), as --onnx
// PATH:key=value,... and the command's flags give them. Each value is
// checked here, so a mistake is reported with the key that holds it.
func (s *Spec) Set(key, value string) error {
	bad := func(want string) error {
		return usagef("%s=%q: want %s", key, value, want)
	}
	switch key {
	case "name":
		if value == "" || strings.ContainsAny(value, " \t\"") {
			return bad("a profile model name without spaces or quotes")
		}
		s.Name = value
	case "role":
		switch value {
		case sim.RoleSingle, sim.RoleCollage, sim.RoleParity:
			s.Role = value
		case "scnn", "s-cnn":
			s.Role = sim.RoleSingle
		default:
			return bad("single, collage or parity")
		}
	case "grid":
		n, err := strconv.Atoi(value)
		if err != nil || n < 2 || n > 16 {
			return bad("a whole number from 2 to 16 (collage: g of a g x g grid; parity: k)")
		}
		s.Grid = n
	case "cells":
		switch value {
		case CellsRowMajor, "row", "rows":
			s.Cells = CellsRowMajor
		case CellsColMajor, "col", "column-major", "cols":
			s.Cells = CellsColMajor
		default:
			return bad("row-major (cell i at row i/g, column i%g) or col-major (row i%g, column i/g)")
		}
	case "output":
		switch value {
		case OutputLogits, "scores":
			s.Output = OutputLogits
		case OutputProbs, "probabilities", "softmax":
			s.Output = OutputProbs
		case "auto", "":
			s.Output = ""
		default:
			return bad("logits, probs or auto")
		}
	case "head":
		switch value {
		case HeadYOLO, HeadYOLOv5, HeadYOLOv8:
			s.Head = value
		case "", "none", "cells":
			s.Head = ""
		default:
			return bad("yolo, yolov5 ([N, boxes, 5+C]) or yolov8 ([N, 4+C, boxes])")
		}
	case "layout":
		switch strings.ToLower(value) {
		case LayoutNCHW:
			s.Layout = LayoutNCHW
		case LayoutNHWC:
			s.Layout = LayoutNHWC
		case "auto", "":
			s.Layout = ""
		default:
			return bad("nchw, nhwc or auto")
		}
	case "mean", "std":
		v, err := parseFloats(value)
		if err != nil || len(v) == 0 {
			return bad("comma-separated numbers, one per input channel, e.g. 0.485,0.456,0.406")
		}
		if key == "std" {
			for _, x := range v {
				if !(x > 0) {
					return bad("positive numbers (a std of 0 divides by zero)")
				}
			}
			s.Std = v
		} else {
			s.Mean = v
		}
	case "range":
		switch value {
		case "1", "0-1", "[0,1]":
			s.Range = 1
		case "255", "0-255", "[0,255]":
			s.Range = 255
		default:
			return bad("1 (pixels in [0, 1]) or 255 (pixels in [0, 255])")
		}
	case "input-shape":
		v, err := parseInt64s(value)
		if err != nil || len(v) != 4 {
			return bad("4 comma-separated sizes, batch first, e.g. 1,3,224,224 (0 keeps the model's)")
		}
		for _, d := range v {
			if d < 0 {
				return bad("sizes >= 0")
			}
		}
		s.InputShape = v
	case "source-side":
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 {
			return bad("a positive number of pixels")
		}
		s.SourceSide = n
	default:
		return usagef("unknown model setting %q (settings: %s)", key, strings.Join(SpecKeys, ", "))
	}
	return nil
}

// ParseModelArg splits a --onnx argument, PATH or PATH:key=value,key=value,
// into the path and its settings in order. A value may hold commas
// (mean=0.485,0.456,0.406): a part without "=" continues the previous value.
func ParseModelArg(arg string) (path string, settings [][2]string, err error) {
	path = arg
	for i := len(arg) - 1; i >= 0; i-- {
		if arg[i] != ':' {
			continue
		}
		key, _, ok := strings.Cut(arg[i+1:], "=")
		if ok && isSettingName(key) {
			path = arg[:i]
			for _, part := range strings.Split(arg[i+1:], ",") {
				k, v, ok := strings.Cut(part, "=")
				switch {
				case ok && isSpecKey(k):
					settings = append(settings, [2]string{k, v})
				case ok:
					return "", nil, usagef("--onnx %s: unknown model setting %q (settings: %s)", arg, k, strings.Join(SpecKeys, ", "))
				default:
					settings[len(settings)-1][1] += "," + part
				}
			}
			break
		}
	}
	if path == "" {
		return "", nil, usagef("--onnx %q: no model file before the settings", arg)
	}
	return path, settings, nil
}

// isSettingName says whether s looks like a setting's name (lower-case
// letters and dashes), so a typo in one is reported, not read as a path.
func isSettingName(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '-' && r != '_' {
			return false
		}
	}
	return s != ""
}

func isSpecKey(k string) bool {
	for _, s := range SpecKeys {
		if s == k {
			return true
		}
	}
	return false
}

func parseFloats(s string) ([]float32, error) {
	var out []float32
	for _, f := range splitList(s) {
		v, err := strconv.ParseFloat(f, 32)
		if err != nil {
			return nil, err
		}
		out = append(out, float32(v))
	}
	return out, nil
}

func parseInt64s(s string) ([]int64, error) {
	var out []int64
	for _, f := range splitList(s) {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// ParseInts reads a comma-separated list of distinct whole numbers (each
// list it reads is a set: batch sizes, grids, group sizes).
func ParseInts(s string) ([]int, error) {
	var out []int
	for _, f := range splitList(s) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, err
		}
		if slices.Contains(out, n) {
			return nil, fmt.Errorf("%d is given twice", n)
		}
		out = append(out, n)
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
