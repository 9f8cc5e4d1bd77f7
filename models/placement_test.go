package models

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A profile in ONNX Runtime's format: a GPU provider ran the arithmetic
// but for one Conv, the CPU the shape bookkeeping; fences and session
// events are not nodes, and a node run twice counts once.
const gpuProfile = `[
{"cat":"Session","name":"model_loading_array","dur":10,"args":{}},
{"cat":"Node","name":"conv1_fence_before","dur":0,"args":{"op_name":"Conv"}},
{"cat":"Node","name":"conv1_kernel_time","dur":50,"args":{"op_name":"Conv","provider":"CUDAExecutionProvider"}},
{"cat":"Node","name":"conv2_kernel_time","dur":900,"args":{"op_name":"Conv","provider":"CPUExecutionProvider"}},
{"cat":"Node","name":"shape_kernel_time","dur":1,"args":{"op_name":"Shape","provider":"CPUExecutionProvider"}},
{"cat":"Node","name":"gather_kernel_time","dur":1,"args":{"op_name":"Gather","provider":"CPUExecutionProvider"}},
{"cat":"Node","name":"gemm_kernel_time","dur":20,"args":{"op_name":"Gemm","provider":"CUDAExecutionProvider"}},
{"cat":"Node","name":"conv1_kernel_time","dur":48,"args":{"op_name":"Conv","provider":"CUDAExecutionProvider"}}
]`

func TestParsePlacement(t *testing.T) {
	p, err := ParsePlacement([]byte(gpuProfile))
	if err != nil {
		t.Fatal(err)
	}
	if p.Nodes("") != 5 || p.Nodes(CPUProvider) != 3 || p.Nodes("CUDAExecutionProvider") != 2 {
		t.Errorf("nodes %d, CPU %d, CUDA %d: %v", p.Nodes(""), p.Nodes(CPUProvider), p.Nodes("CUDAExecutionProvider"), p)
	}
	if got := p.OffProvider(); got != "Conv" {
		t.Errorf("compute off the provider %q, want Conv", got)
	}
	if got, want := p.String(), "2 on CUDAExecutionProvider, 3 on CPUExecutionProvider (Conv, Gather, Shape)"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	for _, bad := range []string{"", "{}", `[{"cat":"Session","name":"x"}]`} {
		if _, err := ParsePlacement([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// A real profile: the CPU provider runs every node, and the profile's
// temporary folder is gone afterwards.
func TestNodePlacementCPU(t *testing.T) {
	requireORT(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	path := filepath.Join(t.TempDir(), "scnn.onnx")
	if err := os.WriteFile(path, MarshalModel(SingleGraph(tinyArch(t), 1, nil), nil), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := OpenFile(path, SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	shape, err := s.InputShape(1, nil)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	p, err := NodePlacement(path, shape, SessionOptions{}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != 1 || p.Nodes(CPUProvider) < 3 || p.OffProvider() == "" || !strings.HasSuffix(p.String(), "nodes on CPUExecutionProvider") {
		t.Errorf("placement %v: %s; compute %q", p, p, p.OffProvider())
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left behind in the temporary folder: %v", left)
	}
}
