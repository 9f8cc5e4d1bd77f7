package scenarios

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/collagesim/collagesim/sim"
)

const paperCloudTable = "profiles/cloud-latency-quantiles-ms.csv"

var paperCloud = sync.OnceValues(func() ([]float64, error) {
	b, err := profileFiles.ReadFile(paperCloudTable)
	if err != nil {
		return nil, err
	}
	return parseValues(b, true)
})

// builtinQuantiles returns an embedded latency table in nanoseconds.
func builtinQuantiles(name string) ([]float64, error) {
	if name != "paper-cloud" {
		return nil, fmt.Errorf("unknown built-in latency table %q: the only one is \"paper-cloud\"", name)
	}
	v, err := paperCloud()
	// A copy: profiles are plain data their users may change.
	return append([]float64(nil), v...), err
}

// BuiltinProfiles lists the built-in profile names, sorted.
func BuiltinProfiles() []string {
	ents, _ := fs.ReadDir(profileFiles, "profiles")
	var out []string
	for _, e := range ents {
		if n, ok := strings.CutSuffix(e.Name(), ".toml"); ok {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Builtin returns a fresh copy of a built-in profile. paper-cloud takes the
// accuracy and coverage of its models from local-cpu when that profile is
// built in; otherwise they are NaN (not measured).
func Builtin(name string) (*sim.Profile, error) {
	name = strings.TrimPrefix(name, "builtin:")
	file := "profiles/" + name + ".toml"
	data, err := profileFiles.ReadFile(file)
	if err != nil {
		msg := fmt.Sprintf("scenarios: no built-in profile %q (built in: %s)", name, strings.Join(BuiltinProfiles(), ", "))
		if name == "local-cpu" {
			msg += "; local-cpu is built in only after calibration writes scenarios/profiles/local-cpu.toml"
		}
		return nil, fmt.Errorf("%s", msg)
	}
	p, err := parseProfile("builtin:"+name, data, embedReader(profileFiles, "profiles"), nil)
	if err != nil {
		return nil, err
	}
	if name == "paper-cloud" {
		if err := mergeLocalAccuracy(p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// mergeLocalAccuracy takes accuracy and coverage from the local-cpu profile,
// if it is built in.
func mergeLocalAccuracy(p *sim.Profile) error {
	if _, err := profileFiles.ReadFile("profiles/local-cpu.toml"); err != nil {
		return nil
	}
	local, err := Builtin("local-cpu")
	if err != nil {
		return err
	}
	mergeAccuracy(p, local, "builtin:local-cpu")
	return nil
}

// mergeAccuracy copies accuracy and coverage from local into the models of p
// with the same name (or else the same role and grid), saying so in Source.
func mergeAccuracy(p, local *sim.Profile, ref string) {
	for i := range p.Models {
		m := &p.Models[i]
		src := local.Model(m.Name)
		// Collage and parity accuracy depend on the grid (k): only the same
		// grid matches.
		if src != nil && (src.Role != m.Role || m.Role != sim.RoleSingle && src.Grid != m.Grid) {
			src = nil
		}
		if src == nil {
			for j := range local.Models {
				l := &local.Models[j]
				if l.Role == m.Role && l.Grid == m.Grid {
					src = l
					break
				}
			}
		}
		if src == nil {
			continue
		}
		m.Accuracy, m.Coverage = src.Accuracy, src.Coverage
		m.Source += fmt.Sprintf("; accuracy and coverage: model %q of %s", src.Name, ref)
		if local.Meta.Hardware != "" || local.Meta.Date != "" {
			m.Source += fmt.Sprintf(" (%s)", strings.Trim(local.Meta.Hardware+", "+local.Meta.Date, ", "))
		}
	}
	p.Source += "; accuracy and coverage from " + ref + " where it has a matching model"
}
