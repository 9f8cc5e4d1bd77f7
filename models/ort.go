package models

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// ORTVersion is the ONNX Runtime release `make ort` fetches (npm package
// onnxruntime-node); onnxruntime_go v1.27 needs 1.24 or newer.
const ORTVersion = "1.24.3"

// LibraryEnv names the environment variable holding the ONNX Runtime library path.
const LibraryEnv = "ONNXRUNTIME_LIB"

// ErrNoLibrary is returned (wrapped) when no ONNX Runtime library can be found.
var ErrNoLibrary = errors.New("ONNX Runtime library not found")

// FindLibrary returns the path of the ONNX Runtime shared library: explicit
// if not empty, else $ONNXRUNTIME_LIB, else the cache `make ort` fills
// (.cache/onnxruntime/<version>/linux-<arch>/libonnxruntime.so.1), looked for
// in the working directory and its parents, then beside the executable.
func FindLibrary(explicit string) (string, error) {
	check := func(p, from string) (string, error) {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("models: ONNX Runtime library %s (from %s): %w", p, from, err)
		}
		return p, nil
	}
	if explicit != "" {
		return check(explicit, "the command line")
	}
	if p := os.Getenv(LibraryEnv); p != "" {
		return check(p, "$"+LibraryEnv)
	}
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, dir := range starts {
		for {
			if p := cachedLibrary(filepath.Join(dir, ".cache", "onnxruntime")); p != "" {
				return p, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", fmt.Errorf("models: %w: pass --ort-lib, set %s, or run `make ort` in the collagesim repository "+
		"(it fetches onnxruntime-node@%s from the npm registry into .cache/onnxruntime)", ErrNoLibrary, LibraryEnv, ORTVersion)
}

// cachedLibrary looks in a .cache/onnxruntime folder for this platform's
// library, preferring ORTVersion, else the highest version present.
func cachedLibrary(root string) string {
	rel := cachedLibraryRel()
	if p := filepath.Join(root, ORTVersion, rel); fileExists(p) {
		return p
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return ""
	}
	var versions []string
	for _, e := range entries {
		if fileExists(filepath.Join(root, e.Name(), rel)) {
			versions = append(versions, e.Name())
		}
	}
	if len(versions) == 0 {
		return ""
	}
	sort.Slice(versions, func(i, j int) bool { return versionLess(versions[i], versions[j]) })
	return filepath.Join(root, versions[len(versions)-1], rel)
}

// cachedLibraryRel is the library's path below a version folder of the cache.
func cachedLibraryRel() string {
	arch := map[string]string{"amd64": "x64", "arm64": "arm64"}[runtime.GOARCH]
	return filepath.Join(runtime.GOOS+"-"+arch, "libonnxruntime.so.1")
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x < y
		}
	}
	return len(pa) < len(pb)
}

var runtimeState struct {
	sync.Mutex
	lib string
}

// InitRuntime loads the ONNX Runtime library (found by FindLibrary(lib)) once
// per process. Calling it again with the same or an empty path is a no-op;
// another path is an error, since a process can load only one runtime.
func InitRuntime(lib string) error {
	runtimeState.Lock()
	defer runtimeState.Unlock()
	if runtimeState.lib != "" {
		if lib != "" && lib != runtimeState.lib {
			if _, err := FindLibrary(lib); err != nil {
				return err
			}
			return fmt.Errorf("models: ONNX Runtime already loaded from %s, cannot load %s too", runtimeState.lib, lib)
		}
		return nil
	}
	path, err := FindLibrary(lib)
	if err != nil {
		return err
	}
	ort.SetSharedLibraryPath(path)
	// Every failure comes back as an error of the call that failed, so the
	// runtime's own log would only repeat it on stderr.
	if err := ort.InitializeEnvironment(ort.WithLogLevelFatal()); err != nil {
		return fmt.Errorf("models: loading ONNX Runtime from %s (need version >= 1.24; `make ort` fetches %s): %w", path, ORTVersion, err)
	}
	runtimeState.lib = path
	return nil
}

// RuntimeVersion is the loaded ONNX Runtime's version, or "" before InitRuntime.
func RuntimeVersion() string {
	runtimeState.Lock()
	defer runtimeState.Unlock()
	if runtimeState.lib == "" {
		return ""
	}
	return ort.GetVersion()
}

// RuntimeLibrary is the path the runtime was loaded from, or "".
func RuntimeLibrary() string {
	runtimeState.Lock()
	defer runtimeState.Unlock()
	return runtimeState.lib
}
