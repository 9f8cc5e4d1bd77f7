package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/collagesim/collagesim/sim"
)

//go:embed bundled/*.toml
var bundledFiles embed.FS

// BundledScenario names a scenario embedded in the binary.
type BundledScenario struct {
	Name    string
	Summary string // the first line of the file's header comment
}

// Bundled lists the bundled scenarios, sorted by name.
func Bundled() []BundledScenario {
	ents, _ := fs.ReadDir(bundledFiles, "bundled")
	var out []BundledScenario
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".toml")
		if !ok {
			continue
		}
		data, _ := bundledFiles.ReadFile("bundled/" + e.Name())
		out = append(out, BundledScenario{Name: name, Summary: summary(string(data))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func summary(text string) string {
	for _, line := range strings.Split(text, "\n") {
		if s, ok := strings.CutPrefix(strings.TrimSpace(line), "#"); ok {
			if s = strings.TrimSpace(s); s != "" {
				return s
			}
		}
	}
	return ""
}

// BundledText returns the TOML text of a bundled scenario.
func BundledText(name string) ([]byte, error) {
	data, err := bundledFiles.ReadFile("bundled/" + name + ".toml")
	if err != nil {
		var names []string
		for _, b := range Bundled() {
			names = append(names, b.Name)
		}
		msg := fmt.Sprintf("scenarios: no bundled scenario %q (bundled: %s)", name, strings.Join(names, ", "))
		if s := suggest(name, names); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		return nil, fmt.Errorf("%s", msg)
	}
	return data, nil
}

// LoadBundled decodes a bundled scenario. File references resolve inside the
// embedded files first, then against the working directory.
func LoadBundled(name string) (*sim.Scenario, *Meta, error) {
	data, err := BundledText(name)
	if err != nil {
		return nil, nil, err
	}
	return parse("builtin:"+name, data, source{read: embedReader(bundledFiles, "bundled"), embedded: true})
}

// bundledPath reports whether path is a bundled scenario's file in a
// collagesim checkout (scenarios/bundled/NAME.toml). Such a file names the
// files it reads as the bundled scenario does, for its working directory, so
// it loads the same given by name or by path.
func bundledPath(path string) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	name, ok := strings.CutSuffix(filepath.Base(abs), ".toml")
	dir := filepath.Dir(abs)
	if !ok || filepath.Base(dir) != "bundled" || filepath.Base(filepath.Dir(dir)) != "scenarios" {
		return false
	}
	_, err = fs.Stat(bundledFiles, "bundled/"+name+".toml")
	return err == nil
}

// bundledReader reads the files a bundled scenario's file in a checkout
// names: beside it first, then, as the embedded scenario does, from the
// working directory.
func bundledReader(dir string) fileReader {
	return func(name string) ([]byte, error) {
		if filepath.IsAbs(name) {
			return readLimited(name, MaxDataFileBytes)
		}
		beside := filepath.Join(dir, name)
		b, err := readLimited(beside, MaxDataFileBytes)
		if !errors.Is(err, fs.ErrNotExist) {
			return b, err
		}
		b, err = readLimited(name, MaxDataFileBytes)
		if errors.Is(err, fs.ErrNotExist) {
			wd, _ := os.Getwd()
			return nil, fmt.Errorf("%s not found (looked for %s, relative to the scenario, and from the working directory %s, as for the bundled scenario by name; see the scenario's header comment for where to get it)", name, beside, wd)
		}
		return b, err
	}
}
