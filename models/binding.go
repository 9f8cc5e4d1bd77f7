package models

import (
	"fmt"

	ort "github.com/yalue/onnxruntime_go"
)

// Binding is a session with input and output tensors allocated once, for
// timing runs without allocation.
type Binding struct {
	s       *Session
	in, out *ort.Tensor[float32]
	inputs  []ort.Value
	outputs []ort.Value
}

// Bind allocates tensors for the given input shape. The output shape is
// found by running once on zeros.
func (s *Session) Bind(shape []int64) (*Binding, error) {
	if err := s.checkShape(shape); err != nil {
		return nil, err
	}
	in, err := ort.NewEmptyTensor[float32](ort.NewShape(shape...))
	if err != nil {
		return nil, fmt.Errorf("models: %s: input tensor %v: %w", s.Name, shape, err)
	}
	outs := []ort.Value{nil}
	if err := s.s.Run([]ort.Value{in}, outs); err != nil {
		in.Destroy()
		return nil, fmt.Errorf("models: %s: running with input shape %v (the model's input is %s %s): %w",
			s.Name, shape, s.In.Name, s.In.Dimensions, err)
	}
	out, ok := outs[0].(*ort.Tensor[float32])
	if !ok {
		in.Destroy()
		outs[0].Destroy()
		return nil, fmt.Errorf("models: %s: output is not a float tensor", s.Name)
	}
	return &Binding{s: s, in: in, out: out, inputs: []ort.Value{in}, outputs: []ort.Value{out}}, nil
}

// Input is the input tensor's data, to be filled before Run.
func (b *Binding) Input() []float32 { return b.in.GetData() }

// Output is the output tensor's data after Run.
func (b *Binding) Output() []float32 { return b.out.GetData() }

// OutputShape is the output tensor's shape.
func (b *Binding) OutputShape() []int64 { return b.out.GetShape() }

// Run runs the model once on the bound input.
func (b *Binding) Run() error {
	if err := b.s.s.Run(b.inputs, b.outputs); err != nil {
		return fmt.Errorf("models: %s: %w", b.s.Name, err)
	}
	return nil
}

// Close releases the tensors.
func (b *Binding) Close() {
	b.in.Destroy()
	b.out.Destroy()
}
