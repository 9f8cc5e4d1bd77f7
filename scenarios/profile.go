package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

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
	return parseProfile(name, data, diskReader(dir))
}

func parseProfile(name string, data []byte, read fileReader) (*sim.Profile, error) {
	m, err := parseDocument(name, data)
	if err != nil {
		return nil, err
	}
	d := &decoder{file: name, lines: indexLines(string(data)), dists: &distParser{read: read}}
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
func diskReader(dir string) fileReader {
	return func(name string) ([]byte, error) {
		p := name
		if !filepath.IsAbs(p) && dir != "" {
			p = filepath.Join(dir, p)
		}
		b, err := readLimited(p, MaxDataFileBytes)
		if errors.Is(err, fs.ErrNotExist) && p != name {
			return nil, fmt.Errorf("%s not found (looked for %s, relative to the referring file)", name, p)
		}
		return b, err
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
	p, err := parseProfile("builtin:"+name, data, embedReader(profileFiles, "profiles"))
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

// WriteProfile writes p as profile TOML that LoadProfile reads back to an
// identical sim.Profile. Latency tables are written in milliseconds; NaN
// accuracy or coverage is left out (it reads back as NaN).
func WriteProfile(w io.Writer, p *sim.Profile) error {
	pw := &profileWriter{}
	pw.kv("name", quote(p.Name))
	if p.Source != "" {
		pw.kv("source", quote(p.Source))
	}
	meta := [][2]string{
		{"hardware", p.Meta.Hardware}, {"cpu", p.Meta.CPU}, {"gpu", p.Meta.GPU},
		{"runtime", p.Meta.Runtime}, {"runtime_version", p.Meta.RuntimeVersion},
		{"provider", p.Meta.Provider}, {"threads", p.Meta.Threads},
		{"date", p.Meta.Date}, {"command", p.Meta.Command},
	}
	header := false
	for _, kv := range meta {
		if kv[1] == "" {
			continue
		}
		if !header {
			pw.line("\n[meta]")
			header = true
		}
		pw.kv(kv[0], quote(kv[1]))
	}
	for i := range p.Models {
		m := &p.Models[i]
		pw.line("\n[[models]]")
		pw.kv("name", quote(m.Name))
		pw.kv("role", quote(m.Role))
		if m.Grid != 0 {
			pw.kv("grid", strconv.Itoa(m.Grid))
		}
		if m.InputShape != nil {
			s := make([]string, len(m.InputShape))
			for j, v := range m.InputShape {
				s[j] = strconv.Itoa(v)
			}
			pw.kv("input_shape", "["+strings.Join(s, ", ")+"]")
		}
		for _, f := range []struct {
			k string
			v float64
		}{{"accuracy", m.Accuracy}, {"coverage", m.Coverage}} {
			if !math.IsNaN(f.v) {
				pw.kv(f.k, formatFloat(f.v))
			}
		}
		if m.Source != "" {
			pw.kv("source", quote(m.Source))
		}
		pw.dist("models", "latency", m.Latency)
		pw.dist("models", "encode", m.Encode)
		pw.dist("models", "decode", m.Decode)
		for _, bl := range m.BatchLatency {
			pw.line("\n[[models.batch_latency]]")
			pw.kv("batch", strconv.Itoa(bl.Batch))
			pw.dist("models.batch_latency", "latency", bl.Latency)
		}
	}
	if pw.err != nil {
		return fmt.Errorf("scenarios: writing profile %q: %w", p.Name, pw.err)
	}
	_, err := io.WriteString(w, pw.b.String())
	return err
}

type profileWriter struct {
	b   strings.Builder
	err error
}

func (pw *profileWriter) line(s string) { pw.b.WriteString(s + "\n") }

func (pw *profileWriter) kv(k, v string) { pw.line(k + " = " + v) }

// dist writes a distribution: as its text when the text parses back to the
// same distribution, else as a table [parent.key] in ms (or ns where a value
// has no exact ms form).
func (pw *profileWriter) dist(parent, key string, d sim.Dist) {
	if d.Kind == sim.DistNone {
		return
	}
	if d.Text != "" && textRoundTrips(d) {
		pw.kv(key, quote(d.Text))
		return
	}
	if math.IsInf(d.A, 0) || math.IsNaN(d.A) || math.IsInf(d.B, 0) || math.IsNaN(d.B) {
		pw.err = fmt.Errorf("%s: parameters must be finite", key)
		return
	}
	unit, scale := "ms", 1e6
	var all []float64
	all = append(all, d.Values...)
	switch d.Kind {
	case sim.DistConst, sim.DistExponential, sim.DistUniform, sim.DistNormal:
		all = append(all, d.A, d.B)
	case sim.DistLogNormal, sim.DistPareto:
		all = append(all, d.A)
	case sim.DistGamma, sim.DistWeibull:
		all = append(all, d.B)
	}
	for _, v := range all {
		if _, ok := exactMs(v); !ok {
			unit, scale = "ns", 1
			break
		}
	}
	num := func(v float64) string {
		if scale == 1 {
			return formatFloat(v)
		}
		s, _ := exactMs(v)
		return s
	}
	pw.line(fmt.Sprintf("\n[%s.%s]", parent, key))
	pw.kv("kind", quote(string(d.Kind)))
	pw.kv("unit", quote(unit))
	switch d.Kind {
	case sim.DistQuantiles, sim.DistSamples:
		pw.line("values = [")
		for i := 0; i < len(d.Values); i += 10 {
			row := d.Values[i:min(i+10, len(d.Values))]
			s := make([]string, len(row))
			for j, v := range row {
				s[j] = num(v)
			}
			pw.line("  " + strings.Join(s, ", ") + ",")
		}
		pw.line("]")
	case sim.DistConst, sim.DistExponential, sim.DistUniform, sim.DistNormal:
		pw.kv("a", num(d.A))
		pw.kv("b", num(d.B))
	case sim.DistLogNormal, sim.DistPareto:
		pw.kv("a", num(d.A))
		pw.kv("b", formatFloat(d.B))
	case sim.DistGamma, sim.DistWeibull:
		pw.kv("a", formatFloat(d.A))
		pw.kv("b", num(d.B))
	default:
		pw.err = fmt.Errorf("%s: unknown distribution kind %q", key, d.Kind)
	}
	if d.Text != "" {
		pw.kv("text", quote(d.Text))
	}
}

// textRoundTrips reports whether d.Text, a string without file references,
// parses back to exactly d.
func textRoundTrips(d sim.Dist) bool {
	fam, _, _ := strings.Cut(d.Text, ":")
	if fam == "quantiles" || fam == "samples" {
		return false
	}
	p := &distParser{read: func(string) ([]byte, error) { return nil, fs.ErrNotExist }}
	e, err := p.parse(d.Text)
	if err != nil || e.Kind != d.Kind || e.A != d.A || e.B != d.B || len(e.Values) != len(d.Values) {
		return false
	}
	for i := range e.Values {
		if e.Values[i] != d.Values[i] {
			return false
		}
	}
	return true
}

// exactMs formats ns in milliseconds if that reads back (ms*1e6, rounded) to
// exactly ns.
func exactMs(ns float64) (string, bool) {
	s := formatFloat(ns / 1e6)
	v, err := strconv.ParseFloat(s, 64)
	return s, err == nil && scaleValue(v, 1e6) == ns
}

// formatFloat writes the shortest TOML float that reads back exactly.
func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	case math.IsNaN(v):
		return "nan"
	}
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// quote writes a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
