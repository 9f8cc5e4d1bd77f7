package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
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
