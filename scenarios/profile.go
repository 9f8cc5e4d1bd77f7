package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/collagesim/collagesim/sim"
)

// profileFiles holds the built-in profiles: every NAME.toml in profiles/ is
// the profile "builtin:NAME". local-cpu.toml is written by calibration and
// may be missing; README.md keeps the directory non-empty.
//
//go:embed profiles
var profileFiles embed.FS

var (
	profileKeys = []string{"name", "source", "meta", "models"}
	metaKeys    = []string{"hardware", "cpu", "gpu", "runtime", "runtime_version", "provider", "threads", "date", "command"}
	modelKeys   = []string{"name", "role", "grid", "input_shape", "latency", "accuracy", "coverage", "encode", "decode", "batch_latency", "source"}
)

// LoadProfile reads a profile file, or a built-in profile when path is
// "builtin:NAME". File references inside it are relative to the file's directory.
func LoadProfile(path string) (*sim.Profile, error) {
	if strings.HasPrefix(path, "builtin:") {
		return Builtin(path)
	}
	data, err := readLimited(path, MaxFileBytes)
	if err != nil {
		return nil, &printableError{err}
	}
	return ParseProfile(path, data, filepath.Dir(path))
}

// ParseProfile decodes profile TOML; name is used in messages and dir is the
// base for relative file references.
func ParseProfile(name string, data []byte, dir string) (*sim.Profile, error) {
	return parseProfile(name, data, diskReader(dir), diskOpener(dir))
}

// parseProfile decodes a profile whose data files read reads, and open
// opens where they are on disk (nil: read only).
func parseProfile(name string, data []byte, read fileReader, open fileOpener) (*sim.Profile, error) {
	m, err := parseDocument(name, data)
	if err != nil {
		return nil, err
	}
	d := &decoder{file: name, lines: indexLines(string(data)), dists: &distParser{read: read, open: open}}
	p := d.profile(d.table("", m))
	if err := d.err(); err != nil {
		return nil, err
	}
	return p, nil
}

func (d *decoder) profile(t *table) *sim.Profile {
	p := &sim.Profile{Name: t.str("name", ""), Source: t.str("source", "")}
	if p.Name == "" {
		t.errf("name", "a profile needs a name")
	}
	if mt := t.sub("meta"); mt != nil {
		p.Meta = sim.ProfileMeta{
			Hardware: mt.str("hardware", ""), CPU: mt.str("cpu", ""), GPU: mt.str("gpu", ""),
			Runtime: mt.str("runtime", ""), RuntimeVersion: mt.str("runtime_version", ""),
			Provider: mt.str("provider", ""), Threads: mt.str("threads", ""),
			Date: mt.str("date", ""), Command: mt.str("command", ""),
		}
		mt.done(metaKeys, "")
	}
	p.Models = d.models(t, "models")
	t.done(profileKeys, "")
	return p
}

// models decodes [[models]] and checks that names are unique.
func (d *decoder) models(t *table, key string) []sim.Model {
	var out []sim.Model
	names := map[string]bool{}
	for _, mt := range t.array(key) {
		m := d.model(mt)
		if m.Name != "" && names[m.Name] {
			mt.errf("name", "model %s is defined twice", echo(m.Name))
		}
		names[m.Name] = true
		out = append(out, m)
	}
	return out
}

func (d *decoder) model(t *table) sim.Model {
	m := sim.Model{
		Name:       t.str("name", ""),
		Role:       t.oneOf("role", "", sim.RoleSingle, sim.RoleCollage, sim.RoleParity),
		Grid:       int(t.intAtLeast("grid", 0, 0)),
		InputShape: t.ints("input_shape"),
		Latency:    t.dist("latency"),
		Accuracy:   t.float("accuracy", math.NaN()),
		Coverage:   t.float("coverage", math.NaN()),
		Encode:     t.dist("encode"),
		Decode:     t.dist("decode"),
		Source:     t.str("source", ""),
	}
	if m.Name == "" {
		t.errf("name", "a model needs a name")
	} else if err := safeName(m.Name); err != nil {
		t.errf("name", "%v", err)
	}
	if !t.has("role") {
		t.missing("role", "a model needs a role: %q, %q or %q", sim.RoleSingle, sim.RoleCollage, sim.RoleParity)
	}
	if !t.has("latency") {
		t.missing("latency", "a model needs a latency distribution")
	}
	if m.Role == sim.RoleCollage && t.has("grid") && (m.Grid < 2 || m.Grid > 4) {
		t.errf("grid", "a collage model's grid must be 2, 3 or 4, got %d", m.Grid)
	}
	if m.Role == sim.RoleCollage && !t.has("grid") {
		t.errf("grid", "a collage model needs its grid size g (2, 3 or 4)")
	}
	for _, k := range []string{"accuracy", "coverage"} {
		v := m.Accuracy
		if k == "coverage" {
			v = m.Coverage
		}
		if t.has(k) && !(v >= 0 && v <= 1) {
			t.errf(k, "must be in [0, 1], got %g", v)
		}
	}
	for i, v := range m.InputShape {
		if v < 1 {
			t.d.errAt(indexPath(t.keyPath("input_shape"), i), "must be >= 1, got %d", v)
		}
	}
	batches := map[int]bool{}
	for _, bt := range t.array("batch_latency") {
		bl := sim.BatchLatency{Batch: int(bt.intAtLeast("batch", 0, 1)), Latency: bt.dist("latency")}
		if !bt.has("batch") {
			bt.missing("batch", "needs the batch size")
		} else if batches[bl.Batch] && bl.Batch > 0 {
			bt.errf("batch", "batch %d is given twice", bl.Batch)
		}
		batches[bl.Batch] = true
		bt.done([]string{"batch", "latency"}, "")
		m.BatchLatency = append(m.BatchLatency, bl)
	}
	t.done(modelKeys, "")
	return m
}

// diskReader resolves relative names against dir.
func diskReader(dir string) fileReader { return readerOf(diskOpener(dir)) }

// diskOpener opens files as diskReader reads them.
func diskOpener(dir string) fileOpener {
	return func(name string) (*os.File, error) {
		p := name
		if !filepath.IsAbs(p) && dir != "" {
			p = filepath.Join(dir, p)
		}
		f, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) && p != name {
			return nil, fmt.Errorf("%s not found (looked for %s, relative to the referring file)", name, p)
		}
		return f, err
	}
}

// readerOf reads, whole, the data files open opens.
func readerOf(open fileOpener) fileReader {
	return func(name string) ([]byte, error) {
		f, err := open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return readOpened(f, MaxDataFileBytes)
	}
}

// embedReader resolves names inside an embedded directory first, then
// against the working directory (so a bundled scenario may name a file the
// user has, such as a latency trace that cannot be bundled).
func embedReader(fsys fs.FS, dir string) fileReader {
	return func(name string) ([]byte, error) {
		if p := path.Join(dir, name); fs.ValidPath(p) && !filepath.IsAbs(name) {
			if b, err := fs.ReadFile(fsys, p); err == nil {
				return b, nil
			}
		}
		b, err := readLimited(name, MaxDataFileBytes)
		if errors.Is(err, fs.ErrNotExist) {
			wd, _ := os.Getwd()
			return nil, fmt.Errorf("%s is not bundled and not found from the working directory %s (see the scenario's header comment for where to get it)", name, wd)
		}
		return b, err
	}
}
