package scenarios

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/collagesim/collagesim/sim"
)

// Meta describes where a scenario came from, for messages and for recording
// the scenario as run.
type Meta struct {
	File    string `json:"file"`              // path as given to Load, or "builtin:NAME"
	Dir     string `json:"dir,omitempty"`     // base directory of relative file references ("" for bundled scenarios)
	Text    string `json:"text"`              // the TOML text as read (for a sweep point: as run, re-encoded)
	Profile string `json:"profile,omitempty"` // the profile reference as written, e.g. "builtin:paper-cloud"
	Sweep   *Sweep `json:"sweep,omitempty"`   // the [sweep] table; nil when there is none

	doc   map[string]any // decoded document, for sweep expansion
	lines lineIndex
	src   source
}

// source says how to read the files a scenario names.
type source struct {
	read     fileReader
	open     fileOpener // nil: files are read whole by read
	dir      string     // disk directory of the scenario, for profile paths
	embedded bool
}

// Defaults, documented in the README (Scenario and profile files).
const (
	DefaultSeed           = 1
	DefaultReplications   = 1
	DefaultBatch          = 1
	DefaultSlots          = 1
	DefaultDispatch       = sim.DispatchRoundRobin
	DefaultMaxWait        = 50_000_000 // 50ms
	DefaultDecoder        = sim.DecoderFirst
	DefaultCopies         = 2
	DefaultMaxOutstanding = 100_000
	DefaultMaxLatency     = 3600_000_000_000 // 1h
)

var (
	topKeys       = []string{"name", "seed", "requests", "warmup", "duration", "replications", "profile", "network", "network_shared", "stability", "arrivals", "models", "pools", "stragglers", "strategies", "sweep"}
	stabilityKeys = []string{"max_outstanding", "max_latency"}
	arrivalKeys   = []string{"process", "rate", "batch", "rate2", "hold", "hold2", "file", "file_format", "file_unit"}
	poolKeys      = []string{"name", "model", "servers", "slots", "price_per_hour", "dispatch"}
	stragglerKeys = []string{"kind", "pools", "servers", "p", "extra", "slowdown", "count", "fraction", "slow_for", "normal_for", "fail_after", "repair_after", "on_failure", "latency", "file"}
)

// Load reads a scenario file, or a bundled scenario when path is
// "builtin:NAME". Relative file references resolve against the file's
// directory; a bundled scenario's own file in a checkout
// (scenarios/bundled/NAME.toml) also looks for them from the working
// directory, as the bundled scenario does by name.
func Load(path string) (*sim.Scenario, *Meta, error) {
	if name, ok := strings.CutPrefix(path, "builtin:"); ok {
		return LoadBundled(name)
	}
	data, err := readLimited(path, MaxFileBytes)
	if err != nil {
		return nil, nil, &printableError{err}
	}
	if dir := filepath.Dir(path); bundledPath(path) {
		return parse(path, data, source{read: bundledReader(dir), dir: dir, embedded: true})
	}
	return Parse(path, data, filepath.Dir(path))
}

// Parse decodes scenario TOML. name is used in messages (and, without a
// name key, as the scenario name); dir is the base for relative file references.
func Parse(name string, data []byte, dir string) (*sim.Scenario, *Meta, error) {
	return parse(name, data, source{read: diskReader(dir), open: diskOpener(dir), dir: dir})
}

func parse(name string, data []byte, src source) (*sim.Scenario, *Meta, error) {
	doc, err := parseDocument(name, data)
	if err != nil {
		return nil, nil, err
	}
	meta := &Meta{File: name, Dir: src.dir, Text: string(data), doc: doc, lines: indexLines(string(data)), src: src}
	if src.embedded {
		meta.Dir = ""
	}
	sc, err := meta.decode(doc, nil)
	if err != nil {
		return nil, nil, err
	}
	if err := meta.checkSweep(); err != nil {
		return nil, nil, err
	}
	return sc, meta, nil
}

// decode builds the scenario from a document (the file's, or a sweep point's).
func (meta *Meta) decode(doc map[string]any, cache *distParser) (*sim.Scenario, error) {
	if cache == nil {
		cache = &distParser{read: meta.src.read, open: meta.src.open}
	}
	d := &decoder{file: meta.File, lines: meta.lines, dists: cache}
	t := d.table("", doc)
	sc := d.scenario(t, meta)
	if err := d.err(); err != nil {
		return nil, err
	}
	return sc, nil
}

// defaultName is the scenario name taken from its file name, with the
// characters a name may not hold (see safeName) replaced by '_'.
func defaultName(file string) string {
	base := path.Base(filepath.ToSlash(strings.TrimPrefix(file, "builtin:")))
	base = strings.TrimSuffix(base, path.Ext(base))
	b := []byte(base)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') || (i == 0 && (c == '.' || c == '-')) {
			b[i] = '_'
		}
	}
	if len(b) > MaxNameLength {
		b = b[:MaxNameLength]
	}
	if len(b) == 0 {
		return "scenario"
	}
	return string(b)
}

func (d *decoder) scenario(t *table, meta *Meta) *sim.Scenario {
	sc := &sim.Scenario{
		Name:          t.str("name", defaultName(meta.File)),
		Seed:          uint64(t.intAtLeast("seed", DefaultSeed, 0)),
		Requests:      t.intAtLeast("requests", 0, 0),
		Warmup:        t.intAtLeast("warmup", 0, 0),
		Duration:      t.duration("duration", 0),
		Replications:  int(t.intAtLeast("replications", DefaultReplications, 1)),
		Network:       t.dist("network"),
		NetworkShared: t.dist("network_shared"),
		Stability:     sim.Stability{MaxOutstanding: DefaultMaxOutstanding, MaxLatency: DefaultMaxLatency},
	}
	if t.has("name") {
		if err := safeName(sc.Name); err != nil {
			t.errf("name", "%v", err)
		}
	}
	if sc.Requests == 0 && sc.Duration == 0 && !d.hasFailed("requests") && !d.hasFailed("duration") {
		t.errf("", "give `requests` (counted requests) or `duration` (arrivals stop after it), or both")
	}
	if st := t.sub("stability"); st != nil {
		sc.Stability.MaxOutstanding = st.intAtLeast("max_outstanding", DefaultMaxOutstanding, 1)
		sc.Stability.MaxLatency = st.duration("max_latency", DefaultMaxLatency)
		if sc.Stability.MaxLatency <= 0 {
			st.errf("max_latency", "must be > 0")
		}
		st.done(stabilityKeys, "")
	}
	sc.Profile = d.scenarioProfile(t, meta)
	if at := t.sub("arrivals"); at != nil {
		sc.Arrivals = d.arrivals(at, sc)
	} else {
		t.errf("", "missing [arrivals] table (process and rate)")
	}
	sc.Pools = d.pools(t, sc.Profile)
	sc.Stragglers = d.stragglers(t, sc.Pools)
	sc.Strategies = d.strategies(t, sc.Pools, sc.Profile)
	for i, s := range sc.Strategies {
		if s.Name != "" {
			if err := safeName(s.Name); err != nil {
				d.errAt(indexPath("strategies", i)+".name", "%v", err)
			}
		}
	}
	if st := t.sub("sweep"); st != nil {
		meta.Sweep = d.sweep(st, meta.doc)
	}
	t.done(topKeys, "")
	if len(d.errs) == 0 {
		d.limits(t, sc)
	}
	return sc
}

// scenarioProfile loads the profile and lays the scenario's own [[models]] over it.
func (d *decoder) scenarioProfile(t *table, meta *Meta) *sim.Profile {
	ref := t.str("profile", "")
	meta.Profile = ref
	inline := d.models(t, "models")
	var p *sim.Profile
	cached, isCached := d.dists.profiles[ref]
	switch {
	case ref == "":
		p = &sim.Profile{Name: "inline", Source: "models defined in the scenario"}
	case isCached:
		p = copyProfile(cached)
	case strings.HasPrefix(ref, "builtin:"):
		var err error
		if p, err = Builtin(ref); err != nil {
			t.errf("profile", "%v", strings.TrimPrefix(err.Error(), "scenarios: "))
			return &sim.Profile{Name: ref, Models: inline}
		}
		d.dists.keepProfile(ref, p)
	default:
		var err error
		if meta.src.embedded {
			var data []byte
			if data, err = meta.src.read(ref); err == nil {
				p, err = parseProfile(ref, data, meta.src.read, meta.src.open)
			}
		} else {
			path := ref
			if !filepath.IsAbs(path) {
				path = filepath.Join(meta.src.dir, ref)
			}
			p, err = LoadProfile(path)
		}
		if err != nil {
			t.errf("profile", "%v", strings.TrimPrefix(err.Error(), "scenarios: "))
			return &sim.Profile{Name: ref, Models: inline}
		}
		d.dists.keepProfile(ref, p)
	}
	for _, m := range inline {
		if old := p.Model(m.Name); old != nil {
			*old = m
		} else {
			p.Models = append(p.Models, m)
		}
	}
	if len(inline) > 0 && ref != "" {
		p.Source += "; models defined in the scenario replace or add to it"
	}
	return p
}
