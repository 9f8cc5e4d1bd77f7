package models

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindLibraryErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	if _, err := FindLibrary(missing); err == nil || !strings.Contains(err.Error(), "from the command line") {
		t.Errorf("explicit missing path: %v", err)
	}
	t.Setenv(LibraryEnv, missing)
	if _, err := FindLibrary(""); err == nil || !strings.Contains(err.Error(), "$"+LibraryEnv) {
		t.Errorf("missing path in %s: %v", LibraryEnv, err)
	}
	// Nothing anywhere: the message says how to get the library.
	t.Setenv(LibraryEnv, "")
	t.Chdir(t.TempDir())
	p, err := FindLibrary("")
	if err == nil {
		if strings.Contains(p, ".cache") {
			t.Skipf("the executable's folder has a cache (%s); nothing to test", p)
		}
		t.Fatalf("found %s in an empty folder", p)
	}
	if !errors.Is(err, ErrNoLibrary) || !strings.Contains(err.Error(), "make ort") {
		t.Errorf("no library: %v", err)
	}
}

func TestFindLibraryCache(t *testing.T) {
	root := t.TempDir()
	t.Setenv(LibraryEnv, "")
	rel := filepath.Join(".cache", "onnxruntime", "1.25.0", "linux-x64", "libonnxruntime.so.1")
	if strings.Contains(cachedLibraryRel(), "arm64") {
		rel = filepath.Join(".cache", "onnxruntime", "1.25.0", "linux-arm64", "libonnxruntime.so.1")
	}
	os.MkdirAll(filepath.Dir(filepath.Join(root, rel)), 0o755)
	os.WriteFile(filepath.Join(root, rel), []byte("x"), 0o644)
	sub := filepath.Join(root, "a", "b")
	os.MkdirAll(sub, 0o755)
	t.Chdir(sub)
	got, err := FindLibrary("")
	if err != nil {
		t.Fatal(err)
	}
	if got != filepath.Join(root, rel) {
		t.Errorf("found %s, want %s (searched upward from %s)", got, filepath.Join(root, rel), sub)
	}
}

// TestNotALibrary loads a file that is not a shared library, in a child
// process since a process loads ONNX Runtime once.
func TestNotALibrary(t *testing.T) {
	if os.Getenv("COLLAGESIM_TEST_BAD_LIB") != "" {
		err := InitRuntime(os.Getenv("COLLAGESIM_TEST_BAD_LIB"))
		if err == nil {
			os.Exit(3)
		}
		os.Stderr.WriteString(err.Error())
		os.Exit(4)
	}
	bad := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	os.WriteFile(bad, []byte("not a library"), 0o644)
	cmd := exec.Command(os.Args[0], "-test.run=^TestNotALibrary$")
	cmd.Env = append(os.Environ(), "COLLAGESIM_TEST_BAD_LIB="+bad)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 4 {
		t.Fatalf("child: %v, output %s", err, out)
	}
	if !strings.Contains(string(out), "loading ONNX Runtime from "+bad) || !strings.Contains(string(out), "make ort") {
		t.Errorf("message does not say what failed and how to fix it: %s", out)
	}
}

func TestInferenceShapes(t *testing.T) {
	requireORT(t)
	a := tinyArch(t)
	head := &Head{Classes: 10, Features: a.Features(), W: make([]float32, 10*a.Features()), B: make([]float32, 10)}
	for i := range head.B {
		head.B[i] = float32(i) // constant logits: argmax is class 9 whatever the image
	}
	s, err := Open("scnn", MarshalModel(SingleGraph(a, 1, head), map[string]string{MetaRole: "single"}), SessionOptions{IntraOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Meta[MetaRole] != "single" {
		t.Errorf("metadata %v", s.Meta)
	}
	d := Synthetic(1, 5, 16)
	out, err := ImageOutputs(s, d.Images, a.Side, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 5 || len(out[0]) != 10 || Argmax(out[3]) != 9 {
		t.Fatalf("%d outputs of %d classes, argmax %d", len(out), len(out[0]), Argmax(out[3]))
	}

	g := 3
	cs, err := Open("collage", MarshalModel(CollageGraph(a, g, 1, nil), nil), SessionOptions{IntraOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	c := &Collager{Grid: g, Cell: a.CellSide(g)}
	groups := [][]int{{0, 1, 2, 3, 4, -1, -1, -1, -1}}
	cells, err := CollageOutputs(cs, c, d.Images, groups, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != 1 || len(cells[0]) != g*g || len(cells[0][0]) != a.Features() {
		t.Fatalf("collage output %d x %d x %d, want 1 x 9 x %d", len(cells), len(cells[0]), len(cells[0][0]), a.Features())
	}
	// Empty cells far from any image see only black: their features are
	// smaller than those of a cell holding an image.
	sum := func(v []float32) (s float32) {
		for _, x := range v {
			s += x
		}
		return s
	}
	if !(sum(cells[0][8]) < sum(cells[0][0])) {
		t.Errorf("empty cell features %g not below a full cell's %g", sum(cells[0][8]), sum(cells[0][0]))
	}
}

func TestBadModelAndShape(t *testing.T) {
	requireORT(t)
	corrupt := filepath.Join(t.TempDir(), "corrupt.onnx")
	os.WriteFile(corrupt, []byte("\x08\x08this is not an onnx model"), 0o644)
	_, err := OpenFile(corrupt, SessionOptions{})
	if err == nil || !strings.Contains(err.Error(), "corrupt.onnx is not a model ONNX Runtime can load") {
		t.Errorf("corrupt model: %v", err)
	}
	if _, err := OpenFile(filepath.Join(t.TempDir(), "missing.onnx"), SessionOptions{}); err == nil {
		t.Error("missing model file gave no error")
	}

	a := tinyArch(t)
	s, err := Open("scnn", MarshalModel(SingleGraph(a, 1, nil), nil), SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, _, err = s.Run(make([]float32, 3*20*20), []int64{1, 3, 20, 20})
	if err == nil || !strings.Contains(err.Error(), "does not match the model's input") {
		t.Errorf("wrong input side: %v", err)
	}
	_, _, err = s.Run(make([]float32, 10), []int64{1, 3, 16, 16})
	if err == nil || !strings.Contains(err.Error(), "do not fill shape") {
		t.Errorf("short input: %v", err)
	}
	if _, err := s.Bind([]int64{1, 3, 16}); err == nil || !strings.Contains(err.Error(), "rank 3, want 4") {
		t.Errorf("wrong rank: %v", err)
	}
	if _, err := s.InputShape(1, []int64{1, 3, 24, 24}); err == nil {
		t.Error("input shape override against fixed dimensions gave no error")
	}
	if _, err := Open("x", MarshalModel(SingleGraph(a, 1, nil), nil), SessionOptions{Provider: "tpu"}); err == nil || !strings.Contains(err.Error(), "unknown execution provider") {
		t.Errorf("unknown provider: %v", err)
	}
}

// TestUnavailableProvider asks the CPU-only runtime for CUDA: the error must
// say so rather than fall back to the CPU silently.
func TestUnavailableProvider(t *testing.T) {
	requireORT(t)
	a := tinyArch(t)
	s, err := Open("scnn", MarshalModel(SingleGraph(a, 1, nil), nil), SessionOptions{Provider: ProviderCUDA})
	if err == nil {
		s.Close()
		t.Skip("this ONNX Runtime build has CUDA")
	}
	if !strings.Contains(err.Error(), "execution provider cuda: libonnxruntime_providers_cuda.so") {
		t.Errorf("cuda: %v", err)
	}
}
