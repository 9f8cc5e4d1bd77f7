package models

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	ort "github.com/yalue/onnxruntime_go"
)

// Execution providers.
const (
	ProviderCPU      = "cpu"
	ProviderCUDA     = "cuda"
	ProviderTensorRT = "tensorrt"
)

// SessionOptions say how a model is run.
type SessionOptions struct {
	Provider       string // ProviderCPU (default), ProviderCUDA or ProviderTensorRT
	IntraOpThreads int    // 0: ONNX Runtime's default (one per physical core)
	InterOpThreads int    // 0: ONNX Runtime's default
	// ProfilePrefix, if set, has ONNX Runtime write a profile (a JSON trace
	// of every node's run, with its execution provider) named after it when
	// the session closes.
	ProfilePrefix string
}

// Threads describes the thread settings for a profile.
func (o SessionOptions) Threads() string {
	f := func(n int) string {
		if n == 0 {
			return "default"
		}
		return strconv.Itoa(n)
	}
	return fmt.Sprintf("intra_op=%s inter_op=%s", f(o.IntraOpThreads), f(o.InterOpThreads))
}

func (o SessionOptions) ortOptions() (*ort.SessionOptions, error) {
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("models: session options: %w", err)
	}
	fail := func(err error) (*ort.SessionOptions, error) {
		so.Destroy()
		return nil, err
	}
	if o.IntraOpThreads > 0 {
		if err := so.SetIntraOpNumThreads(o.IntraOpThreads); err != nil {
			return fail(fmt.Errorf("models: intra-op threads: %w", err))
		}
	}
	if o.InterOpThreads > 0 {
		if err := so.SetInterOpNumThreads(o.InterOpThreads); err != nil {
			return fail(fmt.Errorf("models: inter-op threads: %w", err))
		}
	}
	if o.ProfilePrefix != "" {
		if err := so.EnableProfiling(o.ProfilePrefix); err != nil {
			return fail(fmt.Errorf("models: profiling: %w", err))
		}
	}
	switch o.Provider {
	case "", ProviderCPU:
	case ProviderCUDA:
		co, err := ort.NewCUDAProviderOptions()
		if err == nil {
			err = so.AppendExecutionProviderCUDA(co)
			co.Destroy()
		}
		if err != nil {
			return fail(ProviderError(ProviderCUDA, RuntimeLibrary(), err))
		}
	case ProviderTensorRT:
		to, err := ort.NewTensorRTProviderOptions()
		if err == nil {
			err = so.AppendExecutionProviderTensorRT(to)
			to.Destroy()
		}
		if err != nil {
			return fail(ProviderError(ProviderTensorRT, RuntimeLibrary(), err))
		}
	default:
		return fail(fmt.Errorf("models: unknown execution provider %q (cpu, cuda, tensorrt)", o.Provider))
	}
	return so, nil
}

// Session is one loaded model with a single float input and a single float
// output.
type Session struct {
	Name    string // for messages: the file or model name
	In, Out ort.InputOutputInfo
	Meta    map[string]string // the model's metadata_props
	Path    string            // the file it was opened from (OpenFile), else ""
	s       *ort.DynamicAdvancedSession
}

// OpenFile loads an ONNX model file.
func OpenFile(path string, o SessionOptions) (*Session, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("models: %w", err)
	}
	s, err := Open(filepath.Base(path), data, o)
	if err == nil {
		s.Path = path
	}
	return s, err
}

// Open loads an ONNX model from memory. The runtime must be initialised.
func Open(name string, data []byte, o SessionOptions) (*Session, error) {
	if RuntimeLibrary() == "" {
		return nil, fmt.Errorf("models: %s: ONNX Runtime is not loaded (InitRuntime)", name)
	}
	ins, outs, err := ort.GetInputOutputInfoWithONNXData(data)
	if err != nil {
		return nil, fmt.Errorf("models: %s is not a model ONNX Runtime can load: %w", name, err)
	}
	if len(ins) != 1 || len(outs) < 1 {
		return nil, fmt.Errorf("models: %s has %d inputs and %d outputs; calibration needs one image input and a class-score output", name, len(ins), len(outs))
	}
	for _, v := range []ort.InputOutputInfo{ins[0], outs[0]} {
		if v.OrtValueType != ort.ONNXTypeTensor || v.DataType != ort.TensorElementDataTypeFloat {
			return nil, fmt.Errorf("models: %s: %s is not a float tensor", name, v.String())
		}
	}
	so, err := o.ortOptions()
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	s, err := ort.NewDynamicAdvancedSessionWithONNXData(data, []string{ins[0].Name}, []string{outs[0].Name}, so)
	if err != nil {
		return nil, fmt.Errorf("models: %s: creating session: %w", name, err)
	}
	sess := &Session{Name: name, In: ins[0], Out: outs[0], s: s, Meta: map[string]string{}}
	if md, err := s.GetModelMetadata(); err == nil {
		if keys, err := md.GetCustomMetadataMapKeys(); err == nil {
			for _, k := range keys {
				if v, ok, err := md.LookupCustomMetadataMap(k); err == nil && ok {
					sess.Meta[k] = v
				}
			}
		}
		md.Destroy()
	}
	return sess, nil
}

// Close releases the session.
func (s *Session) Close() error { return s.s.Destroy() }

// InputShape is the model's input shape with the batch dimension set to n and
// any other symbolic dimension taken from override (same length, 0 = keep).
func (s *Session) InputShape(n int, override []int64) ([]int64, error) {
	dims := []int64(s.In.Dimensions)
	if len(override) > 0 {
		if len(override) != len(dims) {
			return nil, fmt.Errorf("models: %s: input shape %v has %d dimensions, the model's input %s has %d",
				s.Name, override, len(override), s.In.Dimensions, len(dims))
		}
	}
	out := make([]int64, len(dims))
	for i, d := range dims {
		switch {
		case i == 0:
			out[i] = int64(n)
			if d > 0 && d != int64(n) {
				return nil, fmt.Errorf("models: %s: the model's batch size is fixed at %d, cannot run batch %d", s.Name, d, n)
			}
		case len(override) > 0 && override[i] > 0:
			if d > 0 && d != override[i] {
				return nil, fmt.Errorf("models: %s: input shape %v does not match the model's input %s", s.Name, override, s.In.Dimensions)
			}
			out[i] = override[i]
		case d > 0:
			out[i] = d
		default:
			return nil, fmt.Errorf("models: %s: input dimension %d of %s is symbolic; give the input shape", s.Name, i, s.In.Dimensions)
		}
	}
	return out, nil
}

// Run runs the model on input of the given shape and returns a copy of the
// output and its shape. The input length must match the shape.
func (s *Session) Run(input []float32, shape []int64) ([]float32, []int64, error) {
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	if int64(len(input)) != n {
		return nil, nil, fmt.Errorf("models: %s: %d input values do not fill shape %v", s.Name, len(input), shape)
	}
	if err := s.checkShape(shape); err != nil {
		return nil, nil, err
	}
	in, err := ort.NewTensor(ort.NewShape(shape...), input)
	if err != nil {
		return nil, nil, fmt.Errorf("models: %s: input tensor %v: %w", s.Name, shape, err)
	}
	defer in.Destroy()
	outs := []ort.Value{nil}
	if err := s.s.Run([]ort.Value{in}, outs); err != nil {
		return nil, nil, fmt.Errorf("models: %s: %w", s.Name, err)
	}
	defer outs[0].Destroy()
	out, ok := outs[0].(*ort.Tensor[float32])
	if !ok {
		return nil, nil, fmt.Errorf("models: %s: output is not a float tensor", s.Name)
	}
	return append([]float32(nil), out.GetData()...), out.GetShape(), nil
}

// checkShape compares an input shape with the model's declared input, so a
// mismatch reads as such rather than as an error deep inside a kernel.
func (s *Session) checkShape(shape []int64) error {
	dims := s.In.Dimensions
	if len(shape) != len(dims) {
		return fmt.Errorf("models: %s: input shape %v does not match the model's input %s %s (rank %d, want %d)",
			s.Name, shape, s.In.Name, dims, len(shape), len(dims))
	}
	for i, d := range dims {
		if d > 0 && shape[i] != d {
			return fmt.Errorf("models: %s: input shape %v does not match the model's input %s %s (dimension %d is %d, want %d)",
				s.Name, shape, s.In.Name, dims, i, shape[i], d)
		}
	}
	return nil
}
