package models

import (
	"encoding/binary"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// The ONNX protobuf messages are encoded by hand with protowire: the few
// messages a model file needs are small, and this keeps the output byte-exact
// and free of generated code. Field numbers are those of onnx/onnx.proto.

// ONNX versions the bundled models are written for.
const (
	onnxIRVersion = 8  // ONNX 1.10+, read by every ONNX Runtime >= 1.10
	onnxOpset     = 17 // default domain opset
)

// ONNX tensor element types (TensorProto.DataType).
const (
	onnxFloat = 1
	onnxInt64 = 7
)

// Graph collects the nodes, weights, inputs and outputs of one ONNX graph.
type Graph struct {
	Name         string
	nodes        []node
	initializers []tensor
	inputs       []valueInfo
	outputs      []valueInfo
	names        map[string]int // for unique value names
}

type node struct {
	op      string
	name    string
	inputs  []string
	outputs []string
	attrs   []Attr
}

// Attr is a node attribute.
type Attr struct {
	name string
	kind int // AttributeProto.AttributeType
	i    int64
	f    float32
	ints []int64
	s    string
}

const (
	attrFloat  = 1
	attrInt    = 2
	attrString = 3
	attrInts   = 7
)

type tensor struct {
	name   string
	dtype  int
	dims   []int64
	floats []float32
	ints   []int64
}

// A Dim is one dimension of a graph input or output: a fixed size, or a
// symbolic name (such as "N" for the batch) when Param is set.
type Dim struct {
	Value int64
	Param string
}

type valueInfo struct {
	name  string
	dtype int
	dims  []Dim
}

// NewGraph returns an empty graph.
func NewGraph(name string) *Graph {
	return &Graph{Name: name, names: map[string]int{}}
}

// fresh returns a value name unique in the graph, built from prefix.
func (g *Graph) fresh(prefix string) string {
	g.names[prefix]++
	return fmt.Sprintf("%s_%d", prefix, g.names[prefix])
}

// Input declares a float input of the graph.
func (g *Graph) Input(name string, dims ...Dim) string {
	g.inputs = append(g.inputs, valueInfo{name: name, dtype: onnxFloat, dims: dims})
	return name
}

// Output declares value as a float output of the graph.
func (g *Graph) Output(value string, dims ...Dim) {
	g.outputs = append(g.outputs, valueInfo{name: value, dtype: onnxFloat, dims: dims})
}

// Weight adds a float initializer and returns its name.
func (g *Graph) Weight(prefix string, data []float32, dims ...int64) string {
	n := int64(1)
	for _, d := range dims {
		n *= d
	}
	if n != int64(len(data)) {
		panic(fmt.Sprintf("models: weight %s has %d values for shape %v", prefix, len(data), dims))
	}
	name := g.fresh(prefix)
	g.initializers = append(g.initializers, tensor{name: name, dtype: onnxFloat, dims: dims, floats: data})
	return name
}

// Int64s adds an int64 initializer (shapes, axes) and returns its name.
func (g *Graph) Int64s(prefix string, data ...int64) string {
	name := g.fresh(prefix)
	g.initializers = append(g.initializers, tensor{name: name, dtype: onnxInt64, dims: []int64{int64(len(data))}, ints: data})
	return name
}

// Node adds an operator with one output and returns the output's name.
func (g *Graph) Node(op string, inputs []string, attrs ...Attr) string {
	out := g.fresh(op)
	g.nodes = append(g.nodes, node{op: op, name: out, inputs: inputs, outputs: []string{out}, attrs: attrs})
	return out
}

// NodeTo adds an operator whose single output has the given name.
func (g *Graph) NodeTo(out, op string, inputs []string, attrs ...Attr) string {
	g.nodes = append(g.nodes, node{op: op, name: g.fresh(op), inputs: inputs, outputs: []string{out}, attrs: attrs})
	return out
}

// AttrInt, AttrInts, AttrFloat and AttrString build node attributes.
func AttrInt(name string, v int64) Attr     { return Attr{name: name, kind: attrInt, i: v} }
func AttrInts(name string, v ...int64) Attr { return Attr{name: name, kind: attrInts, ints: v} }
func AttrFloat(name string, v float32) Attr { return Attr{name: name, kind: attrFloat, f: v} }
func AttrString(name string, v string) Attr { return Attr{name: name, kind: attrString, s: v} }

// ModelInfo is the model-level metadata written next to the graph.
type ModelInfo struct {
	Producer string
	Version  string
	Doc      string
	Meta     map[string]string // metadata_props, written in key order
	MetaKeys []string          // order of Meta's keys; keys not listed are not written
}

// Marshal encodes the graph as an ONNX ModelProto. The output depends only on
// the graph and info, so building twice gives the same bytes.
func (g *Graph) Marshal(info ModelInfo) []byte {
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.VarintType) // ir_version
	b = protowire.AppendVarint(b, onnxIRVersion)
	if info.Producer != "" {
		b = appendString(b, 2, info.Producer)
	}
	if info.Version != "" {
		b = appendString(b, 3, info.Version)
	}
	if info.Doc != "" {
		b = appendString(b, 6, info.Doc)
	}
	b = appendMessage(b, 7, g.marshalGraph())
	var op []byte
	op = appendString(op, 1, "")
	op = protowire.AppendTag(op, 2, protowire.VarintType)
	op = protowire.AppendVarint(op, onnxOpset)
	b = appendMessage(b, 8, op)
	for _, k := range info.MetaKeys {
		v, ok := info.Meta[k]
		if !ok {
			continue
		}
		var e []byte
		e = appendString(e, 1, k)
		e = appendString(e, 2, v)
		b = appendMessage(b, 14, e)
	}
	return b
}

func (g *Graph) marshalGraph() []byte {
	var b []byte
	for _, n := range g.nodes {
		b = appendMessage(b, 1, marshalNode(n))
	}
	b = appendString(b, 2, g.Name)
	for _, t := range g.initializers {
		b = appendMessage(b, 5, marshalTensor(t))
	}
	for _, v := range g.inputs {
		b = appendMessage(b, 11, marshalValueInfo(v))
	}
	for _, v := range g.outputs {
		b = appendMessage(b, 12, marshalValueInfo(v))
	}
	return b
}

func marshalNode(n node) []byte {
	var b []byte
	for _, in := range n.inputs {
		b = appendString(b, 1, in)
	}
	for _, out := range n.outputs {
		b = appendString(b, 2, out)
	}
	b = appendString(b, 3, n.name)
	b = appendString(b, 4, n.op)
	for _, a := range n.attrs {
		b = appendMessage(b, 5, marshalAttr(a))
	}
	return b
}

func marshalAttr(a Attr) []byte {
	var b []byte
	b = appendString(b, 1, a.name)
	switch a.kind {
	case attrFloat:
		b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(a.f))
	case attrInt:
		b = protowire.AppendTag(b, 3, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(a.i))
	case attrString:
		b = appendString(b, 4, a.s)
	case attrInts:
		var p []byte
		for _, v := range a.ints {
			p = protowire.AppendVarint(p, uint64(v))
		}
		b = protowire.AppendTag(b, 8, protowire.BytesType)
		b = protowire.AppendBytes(b, p)
	default:
		panic(fmt.Sprintf("models: attribute %s has unknown kind %d", a.name, a.kind))
	}
	b = protowire.AppendTag(b, 20, protowire.VarintType) // type
	b = protowire.AppendVarint(b, uint64(a.kind))
	return b
}

func marshalTensor(t tensor) []byte {
	var b []byte
	if len(t.dims) > 0 {
		var p []byte
		for _, d := range t.dims {
			p = protowire.AppendVarint(p, uint64(d))
		}
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, p)
	}
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(t.dtype))
	if t.name != "" {
		b = appendString(b, 8, t.name)
	}
	// raw_data: little-endian values, the layout ONNX prescribes.
	var raw []byte
	switch t.dtype {
	case onnxFloat:
		raw = make([]byte, 4*len(t.floats))
		for i, v := range t.floats {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
		}
	case onnxInt64:
		raw = make([]byte, 8*len(t.ints))
		for i, v := range t.ints {
			binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
		}
	}
	b = protowire.AppendTag(b, 9, protowire.BytesType)
	b = protowire.AppendBytes(b, raw)
	return b
}

func marshalValueInfo(v valueInfo) []byte {
	var shape []byte
	for _, d := range v.dims {
		var dim []byte
		if d.Param != "" {
			dim = appendString(dim, 2, d.Param)
		} else {
			dim = protowire.AppendTag(dim, 1, protowire.VarintType)
			dim = protowire.AppendVarint(dim, uint64(d.Value))
		}
		shape = appendMessage(shape, 1, dim)
	}
	var tt []byte // TypeProto.Tensor
	tt = protowire.AppendTag(tt, 1, protowire.VarintType)
	tt = protowire.AppendVarint(tt, uint64(v.dtype))
	tt = appendMessage(tt, 2, shape)
	var typ []byte // TypeProto
	typ = appendMessage(typ, 1, tt)
	var b []byte
	b = appendString(b, 1, v.name)
	b = appendMessage(b, 2, typ)
	return b
}

func appendString(b []byte, field protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendMessage(b []byte, field protowire.Number, m []byte) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendBytes(b, m)
}
