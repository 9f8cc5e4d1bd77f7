package calibrate

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/collagesim/collagesim/models"
	"github.com/collagesim/collagesim/sim"
)

// inputFormat is how one image becomes one item of the model's input:
// layout, channels, size, value range and normalisation.
type inputFormat struct {
	layout    string
	channels  int
	w, h      int
	scale     float32   // Range: a white pixel's value before normalisation
	mean, std []float32 // one per channel, or nil
}

func (f inputFormat) size() int { return f.channels * f.w * f.h }

// put writes planar RGB pixels in [0, 1] (3*h*w values) into dst, one item
// of the model's input. A 1-channel model gets a grey pixel's value (any of
// its equal planes, so grey images pass unchanged) or the luminance of a
// colour pixel (ITU-R 601 weights).
func (f inputFormat) put(dst, planar []float32) {
	plane := f.w * f.h
	for c := range f.channels {
		var m, s float32 = 0, 1
		if f.mean != nil {
			m = f.mean[c]
		}
		if f.std != nil {
			s = f.std[c]
		}
		for i := range plane {
			var v float32
			if f.channels == 1 {
				r, g, b := planar[i], planar[plane+i], planar[2*plane+i]
				v = r
				if r != g || g != b {
					v = 0.299*r + 0.587*g + 0.114*b
				}
			} else {
				v = planar[c*plane+i]
			}
			v = (v*f.scale - m) / s
			if f.layout == LayoutNHWC {
				dst[i*f.channels+c] = v
			} else {
				dst[c*plane+i] = v
			}
		}
	}
}

// describe says in words what the model is fed, for logs and the profile.
func (f inputFormat) describe() string {
	ch := "RGB"
	if f.channels == 1 {
		ch = "grey"
	}
	s := fmt.Sprintf("%s %dx%d %s, pixels in [0, %g]", strings.ToUpper(f.layout), f.w, f.h, ch, f.scale)
	if f.mean != nil || f.std != nil {
		s += fmt.Sprintf(", normalised (x - %v) / %v", fmtFloats(f.mean, 0), fmtFloats(f.std, 1))
	}
	return s
}

func fmtFloats(v []float32, def float32) string {
	if v == nil {
		return strconv.FormatFloat(float64(def), 'g', -1, 32)
	}
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.FormatFloat(float64(x), 'g', -1, 32)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// resolved is a Spec completed from the model: what calibration runs.
type resolved struct {
	spec    Spec
	in      inputFormat
	shape   []int64 // input shape at batch 1 (or the fixed batch)
	batch   int     // the model's fixed batch size, 0 when dynamic
	classes int     // output classes
	outDims []int64 // output shape at batch `shape[0]`
	notes   []string
}

// metaKey is the ONNX metadata_props key of a Spec setting.
func metaKey(setting string) string { return "collagesim." + strings.ReplaceAll(setting, "-", "_") }

// resolve completes spec from the model's metadata, input and output
// shapes, and checks that what is declared fits what the model is.
func resolve(s *models.Session, spec Spec) (*resolved, error) {
	// Metadata fills what the command line left unset.
	set := map[string]bool{"role": spec.Role != "", "grid": spec.Grid != 0, "cells": spec.Cells != "", "output": spec.Output != "", "head": spec.Head != "",
		"layout": spec.Layout != "", "mean": spec.Mean != nil, "std": spec.Std != nil, "range": spec.Range != 0}
	for _, k := range []string{"role", "grid", "cells", "output", "head", "layout", "mean", "std", "range"} {
		v, ok := s.Meta[metaKey(k)]
		if !ok || set[k] {
			continue
		}
		if k == "grid" && spec.Role == sim.RoleParity {
			continue
		}
		if err := spec.Set(k, v); err != nil {
			return nil, fmt.Errorf("calibrate: %s: metadata %s: %w", s.Name, metaKey(k), err)
		}
	}
	if spec.Role == sim.RoleParity && spec.Grid == 0 {
		spec.Grid, _ = strconv.Atoi(s.Meta[models.MetaParityK])
	}
	if spec.Classes == nil {
		for _, k := range []string{models.MetaClasses, "classes", "names"} {
			if names := models.ParseClassNames(s.Meta[k]); len(names) > 0 {
				spec.Classes = names
				break
			}
		}
	}
	if spec.Range == 0 {
		spec.Range = 1
	}

	r := &resolved{spec: spec}
	dims := append([]int64(nil), s.In.Dimensions...)
	if len(dims) != 4 {
		return nil, fmt.Errorf("calibrate: %s: input %s %v has rank %d: calibrate feeds images, [N, C, H, W] or [N, H, W, C]", s.Name, s.In.Name, s.In.Dimensions, len(dims))
	}
	if spec.InputShape != nil {
		for i, d := range spec.InputShape {
			if d <= 0 {
				continue
			}
			if dims[i] > 0 && dims[i] != d {
				return nil, usagef("%s: input-shape %v does not match the model's input %s %v (dimension %d is fixed at %d)",
					s.Name, spec.InputShape, s.In.Name, s.In.Dimensions, i, dims[i])
			}
			dims[i] = d
		}
	}
	isCh := func(d int64) bool { return d == 1 || d == 3 }
	layout := spec.Layout
	if layout == "" {
		switch {
		case isCh(dims[1]):
			layout = LayoutNCHW
		case isCh(dims[3]):
			layout = LayoutNHWC
		default:
			return nil, usagef("%s: cannot tell the layout of input %s %v: neither dimension 1 (NCHW) nor 3 (NHWC) is 1 or 3 channels; give layout=nchw|nhwc and, for symbolic sizes, input-shape",
				s.Name, s.In.Name, dims)
		}
		if isCh(dims[1]) && isCh(dims[3]) {
			r.notes = append(r.notes, fmt.Sprintf("input %v could be NCHW or NHWC; taken as NCHW (say layout=nhwc otherwise)", dims))
		}
	}
	r.in = inputFormat{layout: layout, scale: spec.Range}
	var ch, h, w int64
	if layout == LayoutNCHW {
		ch, h, w = dims[1], dims[2], dims[3]
	} else {
		h, w, ch = dims[1], dims[2], dims[3]
	}
	if ch <= 0 {
		ch = 3
	}
	if !isCh(ch) {
		return nil, fmt.Errorf("calibrate: %s: input %s %v as %s has %d channels: calibrate feeds 1 (grey) or 3 (RGB); if the layout is the other one, say layout=%s",
			s.Name, s.In.Name, s.In.Dimensions, strings.ToUpper(layout), ch, map[string]string{LayoutNCHW: LayoutNHWC, LayoutNHWC: LayoutNCHW}[layout])
	}
	if h <= 0 || w <= 0 {
		return nil, usagef("%s: input %s %v has a symbolic height or width: give input-shape, e.g. input-shape=1,3,224,224", s.Name, s.In.Name, s.In.Dimensions)
	}
	r.in.channels, r.in.h, r.in.w = int(ch), int(h), int(w)
	for _, p := range []struct {
		key string
		v   *[]float32
	}{{"mean", &spec.Mean}, {"std", &spec.Std}} {
		v := *p.v
		switch {
		case v == nil:
		case len(v) == 1:
			for len(v) < int(ch) {
				v = append(v, v[0])
			}
		case len(v) != int(ch):
			return nil, usagef("%s: %s has %d values but the model's input has %d channels: give one value per channel (or one for all)", s.Name, p.key, len(v), ch)
		}
		if p.key == "mean" {
			r.in.mean = v
		} else {
			r.in.std = v
		}
	}
	if dims[0] > 0 {
		r.batch = int(dims[0])
	} else {
		dims[0] = 1
	}
	r.shape = dims
	return r, nil
}

// inferRole completes role and grid from the output shape, and refuses a
// declaration the output contradicts.
func (r *resolved) inferRole(name string, out []int64) error {
	spec := &r.spec
	r.outDims = out
	if spec.Head != "" {
		return r.inferHead(name, out)
	}
	switch len(out) {
	case 2:
		switch spec.Role {
		case "":
			if spec.Grid != 0 {
				return usagef("%s: grid %d was given, but the output %v is one class vector per input ([N, C]): a collage model outputs [N, g*g, C]; for a parity model say role=parity",
					name, spec.Grid, out)
			}
			spec.Role = sim.RoleSingle
		case sim.RoleSingle:
			if spec.Grid != 0 {
				return usagef("%s: grid %d was given, but the output %v is one class vector per input ([N, C]) and the role is single: a collage model outputs [N, g*g, C]; for a parity model say role=parity",
					name, spec.Grid, out)
			}
		case sim.RoleCollage:
			return usagef("%s: role collage, but the output %v is one class vector per input: a Collage-CNN outputs [N, g*g, C], one row per cell (a detector needs a decoder: see the README's Calibration section)", name, out)
		}
		r.classes = int(out[1])
	case 3:
		cells := int(out[1])
		g := int(math.Round(math.Sqrt(float64(cells))))
		if g*g != cells || g < 2 {
			return fmt.Errorf("calibrate: %s: output %v: dimension 1 (%d) is not the cell count g*g of a g x g collage (a detector's boxes? give head=yolo and grid=g)", name, out, cells)
		}
		switch spec.Role {
		case "", sim.RoleCollage:
			if spec.Grid != 0 && spec.Grid != g {
				return usagef("%s: grid %d was given, but the output %v has %d cells, a %dx%d grid", name, spec.Grid, out, cells, g, g)
			}
			spec.Role, spec.Grid = sim.RoleCollage, g
		default:
			return usagef("%s: role %s, but the output %v has one row per cell of a %dx%d collage: say role=collage (or leave role out)", name, spec.Role, out, g, g)
		}
		r.classes = int(out[2])
	default:
		return fmt.Errorf("calibrate: %s: output %v: calibrate reads [N, C] class scores (S-CNN, parity), [N, g*g, C] per-cell scores (Collage-CNN) or, with head=yolo, YOLO boxes", name, out)
	}
	if spec.Role == sim.RoleParity && spec.Grid < 2 {
		return usagef("%s: a parity model needs its group size: grid=k (k >= 2)", name)
	}
	if r.classes < 1 {
		return fmt.Errorf("calibrate: %s: output %v has no classes", name, out)
	}
	if spec.Classes != nil && len(spec.Classes) != r.classes {
		return usagef("%s: the class map has %d classes, the model's output %d", name, len(spec.Classes), r.classes)
	}
	if spec.Role == sim.RoleCollage {
		if r.in.w != r.in.h {
			return fmt.Errorf("calibrate: %s: a collage input must be square, got %dx%d", name, r.in.w, r.in.h)
		}
		if r.in.w%spec.Grid != 0 {
			return fmt.Errorf("calibrate: %s: input side %d is not a multiple of grid %d: cells would differ in size (for a detector-style Collage-CNN give head=yolo)", name, r.in.w, spec.Grid)
		}
	}
	if spec.Cells == "" {
		spec.Cells = CellsRowMajor
	}
	return nil
}

// inferHead checks a detector-style Collage-CNN: role collage, a declared
// grid (boxes do not tell it), a square input of any side.
func (r *resolved) inferHead(name string, out []int64) error {
	spec := &r.spec
	if spec.Role != "" && spec.Role != sim.RoleCollage {
		return usagef("%s: head=%s is a Collage-CNN's detector head, but role is %s", name, spec.Head, spec.Role)
	}
	spec.Role = sim.RoleCollage
	if spec.Grid < 2 {
		return usagef("%s: a detector's grid cannot be read from its output %v: give grid=g (3 for the paper's 3x3 collages)", name, out)
	}
	head, classes, err := yoloLayout(spec.Head, out, len(spec.Classes))
	if err != nil {
		return usagef("%s: head=%s: %v", name, spec.Head, err)
	}
	spec.Head, r.classes = head, classes
	if spec.Classes != nil && len(spec.Classes) != r.classes {
		return usagef("%s: the class map has %d classes, the %s output %v has %d", name, len(spec.Classes), head, out, r.classes)
	}
	if r.in.w != r.in.h {
		return fmt.Errorf("calibrate: %s: a collage input must be square, got %dx%d", name, r.in.w, r.in.h)
	}
	spec.Cells = CellsRowMajor
	return nil
}
