package models

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

func TestMarshalDeterministic(t *testing.T) {
	a := Presets["small"]
	head := &Head{Classes: 10, Features: a.Features(), W: make([]float32, 10*a.Features()), B: make([]float32, 10)}
	for i := range head.W {
		head.W[i] = float32(i%7) / 7
	}
	meta := map[string]string{MetaRole: "single", MetaSeed: "1"}
	one := MarshalModel(SingleGraph(a, 1, head), meta)
	two := MarshalModel(SingleGraph(a, 1, head), meta)
	if !bytes.Equal(one, two) {
		t.Fatal("same architecture, seed and head gave different model bytes")
	}
	other := MarshalModel(SingleGraph(a, 2, head), meta)
	if bytes.Equal(one, other) {
		t.Fatal("seeds 1 and 2 gave the same model bytes")
	}
	c1 := MarshalModel(CollageGraph(a, 3, 1, head), meta)
	c2 := MarshalModel(CollageGraph(a, 3, 1, head), meta)
	if !bytes.Equal(c1, c2) {
		t.Fatal("same collage model built twice gave different bytes")
	}
}

// TestMarshalFields reads the top-level ModelProto fields back: ir_version,
// the graph, the default-domain opset and the metadata, in onnx.proto's
// field numbers.
func TestMarshalFields(t *testing.T) {
	g := NewGraph("id")
	x := g.Input("x", Dim{Param: "N"}, Dim{Value: 4})
	g.NodeTo("y", "Identity", []string{x})
	g.Output("y", Dim{Param: "N"}, Dim{Value: 4})
	b := g.Marshal(ModelInfo{Producer: "p", Meta: map[string]string{"k": "v"}, MetaKeys: []string{"k"}})
	seen := map[protowire.Number]int{}
	var ir, opset uint64
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			t.Fatal("bad tag")
		}
		b = b[n:]
		seen[num]++
		switch typ {
		case protowire.VarintType:
			v, m := protowire.ConsumeVarint(b)
			if num == 1 {
				ir = v
			}
			b = b[m:]
		case protowire.BytesType:
			v, m := protowire.ConsumeBytes(b)
			if num == 8 { // opset_import: domain "", version
				for len(v) > 0 {
					f, ft, k := protowire.ConsumeTag(v)
					v = v[k:]
					if ft == protowire.VarintType {
						x, k := protowire.ConsumeVarint(v)
						if f == 2 {
							opset = x
						}
						v = v[k:]
					} else {
						_, k := protowire.ConsumeBytes(v)
						v = v[k:]
					}
				}
			}
			b = b[m:]
		default:
			t.Fatalf("unexpected wire type %v", typ)
		}
	}
	if ir != onnxIRVersion || opset != onnxOpset {
		t.Errorf("ir_version %d opset %d, want %d and %d", ir, opset, onnxIRVersion, onnxOpset)
	}
	for _, f := range []protowire.Number{1, 2, 7, 8, 14} {
		if seen[f] != 1 {
			t.Errorf("field %d seen %d times, want once", f, seen[f])
		}
	}
}

func TestArch(t *testing.T) {
	for _, name := range PresetNames() {
		a := Presets[name]
		if err := a.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		for g := 2; g <= 4; g++ {
			if a.CollageInputSide(g)%g != 0 || a.CellSide(g)%a.Stride() != 0 {
				t.Errorf("%s grid %d: cell %d, input %d, stride %d", name, g, a.CellSide(g), a.CollageInputSide(g), a.Stride())
			}
		}
	}
	// A larger grid must not see its images at a higher resolution.
	a := Presets["small"]
	if !(a.CellSide(2) >= a.CellSide(3) && a.CellSide(3) >= a.CellSide(4)) {
		t.Errorf("cell sides %d %d %d do not fall with the grid", a.CellSide(2), a.CellSide(3), a.CellSide(4))
	}
	if Presets["resnet34"].Stride() != 32 {
		t.Errorf("resnet34 stride %d, want 32", Presets["resnet34"].Stride())
	}
	for _, bad := range []string{"nope", "small,side=30", "small,widths=8/8", "small,foo=1", "small,side=x"} {
		if _, err := ParseArch(bad); err == nil {
			t.Errorf("ParseArch(%q) gave no error", bad)
		}
	}
}
