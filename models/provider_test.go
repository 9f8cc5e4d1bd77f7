package models

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func identityModel() []byte {
	g := NewGraph("id")
	x := g.Input("x", Dim{Param: "N"}, Dim{Value: 4})
	g.NodeTo("y", "Identity", []string{x})
	g.Output("y", Dim{Param: "N"}, Dim{Value: 4})
	return g.Marshal(ModelInfo{Producer: "test"})
}

// The CPU-only build asked for CUDA says which build has the provider.
func TestProviderMissingFromBuild(t *testing.T) {
	requireORT(t)
	if fileExists(filepath.Join(filepath.Dir(RuntimeLibrary()), providerLibrary(ProviderCUDA))) {
		t.Skip("the loaded runtime has a CUDA provider")
	}
	_, err := Open("id", identityModel(), SessionOptions{Provider: ProviderCUDA})
	if err == nil || !strings.Contains(err.Error(), "libonnxruntime_providers_cuda.so is not beside ONNX Runtime") || !strings.Contains(err.Error(), "make ort-cuda") {
		t.Errorf("cuda on the CPU build: %v", err)
	}
}

func TestMissingLibraries(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if missing, err := MissingLibraries(exe); err != nil || len(missing) > 0 {
		t.Errorf("the test binary itself: missing %v, %v", missing, err)
	}
	if _, err := MissingLibraries(filepath.Join(t.TempDir(), "none.so")); err == nil {
		t.Error("no file, no error")
	}
	err = ProviderError(ProviderCUDA, filepath.Join(t.TempDir(), "libonnxruntime.so.1"), errors.New("cause"))
	if !strings.Contains(err.Error(), "is not beside ONNX Runtime") || !errors.Is(err, err) {
		t.Error(err)
	}
}

// cudaRuntime finds the runtime `make ort-cuda` fetches (not part of `make
// test`: 300 MB), looking upward from the package folder.
func cudaRuntime() string {
	dir, _ := os.Getwd()
	for dir != "" {
		p := filepath.Join(dir, ".cache", "onnxruntime", "1.29.0-cuda", "linux-x64", "libonnxruntime.so.1")
		if fileExists(p) {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return ""
}

const providerChildEnv = "COLLAGESIM_TEST_PROVIDER"

// TestProviderChild runs in a child process (one runtime per process) with
// ONNX Runtime 1.29 and asks for a GPU provider.
func TestProviderChild(t *testing.T) {
	provider := os.Getenv(providerChildEnv)
	if provider == "" {
		t.Skip("runs as the child of TestGPUProviderErrors")
	}
	if err := InitRuntime(""); err != nil {
		t.Fatal(err)
	}
	s, err := Open("id", identityModel(), SessionOptions{Provider: provider})
	if err != nil {
		os.Stdout.WriteString("ERROR: " + err.Error() + "\n")
		return
	}
	s.Close()
	os.Stdout.WriteString("LOADED\n")
}

// With `make ort-cuda`'s runtime, --provider cuda and tensorrt load their
// provider libraries, or name each missing GPU library and its version.
func TestGPUProviderErrors(t *testing.T) {
	lib := cudaRuntime()
	if lib == "" {
		t.Skip("no .cache/onnxruntime/1.29.0-cuda (make ort-cuda)")
	}
	for provider, want := range map[string][]string{
		ProviderCUDA:     {"libcudart.so.13 (the CUDA 13 runtime)", "libcublas.so.13", "libcublasLt.so.13", "libcurand.so.10", "libcudnn.so.9 (cuDNN 9)"},
		ProviderTensorRT: {"libnvinfer.so.10 (TensorRT 10)", "libcudart.so.13", "libcudnn.so.9"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestProviderChild$", "-test.v")
		cmd.Env = append(os.Environ(), providerChildEnv+"="+provider, LibraryEnv+"="+lib)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s child: %v\n%s", provider, err, out)
		}
		text := string(out)
		if strings.Contains(text, "LOADED") {
			t.Logf("%s: the provider loaded (GPU libraries present)", provider)
			continue
		}
		for _, w := range want {
			if findLibrary(strings.Fields(w)[0], nil) == "" && !strings.Contains(text, w) {
				t.Errorf("%s: the error does not name %q:\n%s", provider, w, text)
			}
		}
	}
}
