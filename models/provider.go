package models

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// providerLibrary is the shared library ONNX Runtime loads, from its own
// folder, for an execution provider.
func providerLibrary(provider string) string {
	return "libonnxruntime_providers_" + provider + ".so"
}

// gpuLibraries says what each GPU library a provider needs comes with, for
// messages that name what to install.
var gpuLibraries = map[string]string{
	"libcuda.so.1":          "the NVIDIA driver: none is installed",
	"libcudart.so.13":       "the CUDA 13 runtime",
	"libcublas.so.13":       "cuBLAS of CUDA 13",
	"libcublasLt.so.13":     "cuBLASLt of CUDA 13",
	"libcurand.so.10":       "cuRAND of CUDA 13",
	"libcufft.so.12":        "cuFFT of CUDA 13",
	"libcudnn.so.9":         "cuDNN 9",
	"libnvinfer.so.10":      "TensorRT 10",
	"libnvonnxparser.so.10": "TensorRT 10's ONNX parser",
}

// providerExtra are libraries a provider opens at run time rather than
// linking (not in its DT_NEEDED): the CUDA provider's cuDNN.
var providerExtra = map[string][]string{ProviderCUDA: {"libcudnn.so.9"}, ProviderTensorRT: {"libcudnn.so.9"}}

// ProviderError explains why ONNX Runtime could not add an execution
// provider: the provider library missing beside the runtime library, or
// the GPU libraries it needs (from its ELF dynamic section) that the
// dynamic linker cannot find, each with what it comes with.
func ProviderError(provider, runtimeLib string, cause error) error {
	lib := filepath.Join(filepath.Dir(runtimeLib), providerLibrary(provider))
	if !fileExists(lib) {
		return fmt.Errorf("models: execution provider %s: %s is not beside ONNX Runtime (%s): this build has no %s provider; "+
			"`make ort-cuda` fetches ONNX Runtime 1.29.0 with the CUDA and TensorRT providers (use --ort-lib .cache/onnxruntime/1.29.0-cuda/linux-x64/libonnxruntime.so.1): %w",
			provider, filepath.Base(lib), runtimeLib, provider, cause)
	}
	missing, err := MissingLibraries(lib)
	if err != nil {
		return fmt.Errorf("models: execution provider %s: ONNX Runtime could not load %s (%v): %w", provider, lib, err, cause)
	}
	for _, extra := range providerExtra[provider] {
		if findLibrary(extra, nil) == "" && !contains(missing, extra) {
			missing = append(missing, extra)
		}
	}
	if len(missing) == 0 {
		return fmt.Errorf("models: execution provider %s: ONNX Runtime could not load %s although the libraries it names are found: %w", provider, lib, cause)
	}
	var parts []string
	for _, m := range missing {
		if what, ok := gpuLibraries[m]; ok {
			parts = append(parts, m+" ("+what+")")
		} else {
			parts = append(parts, m)
		}
	}
	return fmt.Errorf("models: execution provider %s: %s needs %s, which the dynamic linker cannot find: install them (CUDA 13 and cuDNN 9 for cuda; also TensorRT 10 for tensorrt) or add their folders to LD_LIBRARY_PATH (pip's nvidia-* wheels, which PyTorch installs, hold them under site-packages/nvidia/*/lib; scripts/cuda-libs.sh prints the folders it finds, and make calibrate-cuda uses it): %w",
		provider, filepath.Base(lib), strings.Join(parts, ", "), cause)
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// MissingLibraries lists the shared libraries an ELF file needs (DT_NEEDED)
// that cannot be found where the dynamic linker looks: its RUNPATH/RPATH,
// LD_LIBRARY_PATH, the ld.so cache and the default folders.
func MissingLibraries(path string) ([]string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	needed, err := f.ImportedLibraries()
	if err != nil {
		return nil, err
	}
	var extra []string
	for _, tag := range []elf.DynTag{elf.DT_RUNPATH, elf.DT_RPATH} {
		vals, _ := f.DynString(tag)
		for _, v := range vals {
			for _, d := range strings.Split(v, ":") {
				extra = append(extra, strings.ReplaceAll(d, "$ORIGIN", filepath.Dir(path)))
			}
		}
	}
	extra = append(extra, filepath.Dir(path))
	var missing []string
	for _, n := range needed {
		if findLibrary(n, extra) == "" {
			missing = append(missing, n)
		}
	}
	return missing, nil
}

var ldCache struct {
	read bool
	libs map[string]string
}

// findLibrary looks for a shared library by soname as the dynamic linker
// would, and returns its path ("" if not found).
func findLibrary(name string, extra []string) string {
	dirs := append([]string(nil), extra...)
	dirs = append(dirs, filepath.SplitList(os.Getenv("LD_LIBRARY_PATH"))...)
	for _, d := range dirs {
		if p := filepath.Join(d, name); d != "" && fileExists(p) {
			return p
		}
	}
	if !ldCache.read {
		ldCache.read, ldCache.libs = true, map[string]string{}
		for _, ldconfig := range []string{"/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"} {
			out, err := exec.Command(ldconfig, "-p").Output()
			if err != nil {
				continue
			}
			for _, line := range strings.Split(string(out), "\n") {
				lib, rest, ok := strings.Cut(strings.TrimSpace(line), " ")
				if _, p, ok2 := strings.Cut(rest, "=> "); ok && ok2 {
					ldCache.libs[lib] = strings.TrimSpace(p)
				}
			}
			break
		}
	}
	if p, ok := ldCache.libs[name]; ok {
		return p
	}
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	for _, d := range []string{"/lib/" + arch + "-linux-gnu", "/usr/lib/" + arch + "-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/cuda/lib64"} {
		if p := filepath.Join(d, name); fileExists(p) {
			return p
		}
	}
	return ""
}
