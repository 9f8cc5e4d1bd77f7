package scenarios

import (
	"fmt"
	"math"
	"path"
	"path/filepath"
	"strconv"
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
	dir      string // disk directory of the scenario, for profile paths
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
	topKeys       = []string{"name", "seed", "requests", "warmup", "duration", "replications", "profile", "network", "stability", "arrivals", "models", "pools", "stragglers", "strategies", "sweep"}
	stabilityKeys = []string{"max_outstanding", "max_latency"}
	arrivalKeys   = []string{"process", "rate", "batch", "rate2", "hold", "hold2", "file", "file_format", "file_unit"}
	poolKeys      = []string{"name", "model", "servers", "slots", "price_per_hour", "dispatch"}
	stragglerKeys = []string{"kind", "pools", "servers", "p", "extra", "slowdown", "count", "fraction", "slow_for", "normal_for", "fail_after", "repair_after", "on_failure", "latency", "file"}
)

// Load reads a scenario file, or a bundled scenario when path is
// "builtin:NAME". Relative file references resolve against the file's directory.
func Load(path string) (*sim.Scenario, *Meta, error) {
	if name, ok := strings.CutPrefix(path, "builtin:"); ok {
		return LoadBundled(name)
	}
	data, err := readLimited(path, MaxFileBytes)
	if err != nil {
		return nil, nil, &printableError{err}
	}
	return Parse(path, data, filepath.Dir(path))
}

// Parse decodes scenario TOML. name is used in messages (and, without a
// name key, as the scenario name); dir is the base for relative file references.
func Parse(name string, data []byte, dir string) (*sim.Scenario, *Meta, error) {
	return parse(name, data, source{read: diskReader(dir), dir: dir})
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
		cache = &distParser{read: meta.src.read}
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
		Name:         t.str("name", defaultName(meta.File)),
		Seed:         uint64(t.intAtLeast("seed", DefaultSeed, 0)),
		Requests:     t.intAtLeast("requests", 0, 0),
		Warmup:       t.intAtLeast("warmup", 0, 0),
		Duration:     t.duration("duration", 0),
		Replications: int(t.intAtLeast("replications", DefaultReplications, 1)),
		Network:      t.dist("network"),
		Stability:    sim.Stability{MaxOutstanding: DefaultMaxOutstanding, MaxLatency: DefaultMaxLatency},
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
				p, err = parseProfile(ref, data, meta.src.read)
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

func (d *decoder) arrivals(t *table, sc *sim.Scenario) sim.Arrivals {
	a := sim.Arrivals{
		Process: t.oneOf("process", sim.ArrivalPoisson, sim.ArrivalPoisson, sim.ArrivalDeterministic, sim.ArrivalMMPP, sim.ArrivalTrace),
		Batch:   int(t.intAtLeast("batch", DefaultBatch, 1)),
	}
	positiveRate := func(key string) float64 {
		if !t.has(key) {
			t.missing(key, "process %q needs `%s` (e.g. \"60/s\")", a.Process, key)
			return 0
		}
		n := len(d.errs)
		r := t.rate(key, 0)
		if r == 0 && len(d.errs) == n {
			t.errf(key, "must be > 0")
		}
		return r
	}
	switch a.Process {
	case sim.ArrivalPoisson, sim.ArrivalDeterministic:
		a.Rate = positiveRate("rate")
	case sim.ArrivalMMPP:
		a.Rate = positiveRate("rate")
		a.Rate2 = t.rate("rate2", 0)
		if !t.has("rate2") {
			t.missing("rate2", "process \"mmpp\" needs `rate2`, the rate of its second state")
		}
		for _, k := range []string{"hold", "hold2"} {
			if !t.has(k) {
				t.missing(k, "process \"mmpp\" needs `%s`, a distribution of the time spent in state %s (e.g. \"exp:10s\")", k, map[string]string{"hold": "1", "hold2": "2"}[k])
			}
		}
		a.Hold, a.Hold2 = t.dist("hold"), t.dist("hold2")
		positiveMean(t, "hold", a.Hold)
		positiveMean(t, "hold2", a.Hold2)
	case sim.ArrivalTrace:
		a.TraceOf = t.str("file", "")
		format := t.oneOf("file_format", "timestamps", "timestamps", "intervals")
		unit := t.oneOf("file_unit", "ms", "ns", "us", "ms", "s")
		if !t.has("file") {
			t.missing("file", "process \"trace\" needs `file`, one arrival timestamp (or, with file_format = \"intervals\", inter-arrival time) per line")
		} else if a.TraceOf == "" && !d.hasFailed(t.keyPath("file")) {
			t.errf("file", "must name a file of arrival timestamps, got an empty string")
		} else if a.TraceOf != "" {
			times, err := d.arrivalTrace(a.TraceOf, format, columnUnits[unit])
			if err != nil {
				t.errf("file", "%v", err)
			}
			a.Times = times
			if n := int64(len(times)) * int64(a.Batch); err == nil && sc.Duration == 0 && sc.Warmup+sc.Requests > n {
				t.errf("file", "the trace has %d arrivals of batch %d = %d requests, fewer than warmup + requests = %d", len(times), a.Batch, n, sc.Warmup+sc.Requests)
			}
		}
	}
	t.done(arrivalKeys, fmt.Sprintf("by process %q", a.Process))
	return a
}

// arrivalTrace reads arrival instants (ns from the first arrival).
func (d *decoder) arrivalTrace(name, format string, scale float64) ([]int64, error) {
	data, err := d.dists.read(name)
	if err != nil {
		return nil, err
	}
	var out []int64
	var t float64
	var first float64
	for i, line := range strings.Split(string(data), "\n") {
		s := strings.TrimSpace(line)
		if s == "" || s[0] == '#' {
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s:%d: %s is not a number", name, i+1, echo(s))
		}
		v *= scale
		if format == "intervals" {
			if v < 0 {
				return nil, fmt.Errorf("%s:%d: negative inter-arrival time %s", name, i+1, echo(s))
			}
			t += v
		} else {
			if len(out) > 0 && v < t {
				return nil, fmt.Errorf("%s:%d: timestamps must not decrease (%s after %g)", name, i+1, echo(s), t/scale)
			}
			if len(out) == 0 {
				first = v
			}
			t = v
		}
		if t-first > float64(MaxVirtualTime) || math.Abs(t) > 1e18 {
			return nil, fmt.Errorf("%s:%d: the trace reaches %s after its first arrival, above the limit of %s (MaxVirtualTime)", name, i+1, humanDuration(t-first), humanDuration(float64(MaxVirtualTime)))
		}
		out = append(out, int64(math.Round(t)))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no arrivals", name)
	}
	if format == "timestamps" {
		for i := len(out) - 1; i >= 0; i-- {
			out[i] -= out[0]
		}
	}
	return out, nil
}

func (d *decoder) pools(t *table, prof *sim.Profile) []sim.PoolSpec {
	arr := t.array("pools")
	if len(arr) == 0 && !t.has("pools") {
		t.errf("", "no [[pools]]: a scenario needs at least one pool of servers")
	}
	var out []sim.PoolSpec
	seen := map[string]bool{}
	for _, pt := range arr {
		p := sim.PoolSpec{
			Name:         pt.str("name", ""),
			Model:        pt.str("model", ""),
			Servers:      int(pt.intAtLeast("servers", 0, 1)),
			Slots:        int(pt.intAtLeast("slots", DefaultSlots, 1)),
			PricePerHour: pt.float("price_per_hour", 0),
			Dispatch: pt.oneOf("dispatch", DefaultDispatch, sim.DispatchRoundRobin, sim.DispatchRandom,
				sim.DispatchLeastOutstanding, sim.DispatchPowerOfTwo, sim.DispatchCentral),
		}
		if d.hasFailed(pt.keyPath("servers")) {
			// Unknown: no follow-on error about too few servers.
			p.Servers = MaxServers
		}
		switch {
		case p.Name == "":
			pt.errf("name", "a pool needs a name")
		case seen[p.Name]:
			pt.errf("name", "pool %s is defined twice", echo(p.Name))
		default:
			if err := safeName(p.Name); err != nil {
				pt.errf("name", "%v", err)
			}
		}
		seen[p.Name] = true
		if !pt.has("servers") {
			pt.missing("servers", "a pool needs its number of servers (>= 1)")
		}
		if p.PricePerHour < 0 {
			pt.errf("price_per_hour", "must be >= 0, got %g", p.PricePerHour)
		}
		if !pt.has("model") {
			pt.missing("model", "a pool needs the model its servers run (one of %s)", modelNames(prof))
		} else if p.Model != "" && prof.Model(p.Model) == nil && !d.hasFailed("profile") && !d.hasFailed("models") {
			msg := fmt.Sprintf("model %s is not in profile %s (it has %s)", echo(p.Model), echo(prof.Name), modelNames(prof))
			if s := suggest(p.Model, modelList(prof)); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			pt.errf("model", "%s", msg)
		}
		pt.done(poolKeys, "")
		out = append(out, p)
	}
	return out
}

func modelList(p *sim.Profile) []string {
	var s []string
	for _, m := range p.Models {
		s = append(s, m.Name)
	}
	return s
}

func modelNames(p *sim.Profile) string {
	if len(p.Models) == 0 {
		return "no models"
	}
	return strings.Join(quoteAll(modelList(p)), ", ")
}

func poolIndex(pools []sim.PoolSpec, name string) int {
	for i := range pools {
		if pools[i].Name == name {
			return i
		}
	}
	return -1
}

func poolNames(pools []sim.PoolSpec) []string {
	var s []string
	for _, p := range pools {
		s = append(s, p.Name)
	}
	return s
}

// checkPool reports an unknown pool name at path.
func (d *decoder) checkPool(path string, pools []sim.PoolSpec, name string) bool {
	if poolIndex(pools, name) >= 0 {
		return true
	}
	msg := fmt.Sprintf("no pool %s (pools: %s)", echo(name), strings.Join(quoteAll(poolNames(pools)), ", "))
	if s := suggest(name, poolNames(pools)); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	d.errAt(path, "%s", msg)
	return false
}

func (d *decoder) stragglers(t *table, pools []sim.PoolSpec) []sim.StragglerSpec {
	var out []sim.StragglerSpec
	for _, st := range t.array("stragglers") {
		s := sim.StragglerSpec{
			Kind: st.oneOf("kind", "", sim.StragglerBernoulli, sim.StragglerSlowNodes, sim.StragglerMarkov,
				sim.StragglerFailure, sim.StragglerEmpirical, sim.StragglerTrace),
			Pools:   st.strings("pools"),
			Servers: st.ints("servers"),
		}
		if !st.has("kind") {
			st.missing("kind", "a straggler model needs a kind: bernoulli, slow-nodes, markov, failure, empirical or trace")
		}
		largest, smallest, smallestName := 0, 0, ""
		covered := func(p sim.PoolSpec) {
			largest = max(largest, p.Servers)
			if smallestName == "" || p.Servers < smallest {
				smallest, smallestName = p.Servers, p.Name
			}
		}
		if st.has("pools") && len(s.Pools) == 0 && !d.hasFailed(st.keyPath("pools")) {
			st.errf("pools", "an empty list covers no pool; leave `pools` out to cover every pool")
		}
		seenPool := map[string]bool{}
		for i, name := range s.Pools {
			if seenPool[name] {
				d.errAt(indexPath(st.keyPath("pools"), i), "pool %s is listed twice", echo(name))
			}
			seenPool[name] = true
			if d.checkPool(indexPath(st.keyPath("pools"), i), pools, name) {
				covered(pools[poolIndex(pools, name)])
			}
		}
		if len(s.Pools) == 0 {
			for _, p := range pools {
				covered(p)
			}
		}
		seenServer := map[int]bool{}
		for i, v := range s.Servers {
			switch {
			case v < 0 || (largest > 0 && v >= largest):
				d.errAt(indexPath(st.keyPath("servers"), i), "server index %d is out of range: servers are numbered 0 to %d in the pools covered", v, largest-1)
			case seenServer[v]:
				d.errAt(indexPath(st.keyPath("servers"), i), "server %d is listed twice", v)
			}
			seenServer[v] = true
		}
		slowdown := func(required bool) {
			if required && !st.has("slowdown") {
				st.errf("slowdown", "kind %q needs `slowdown`, the factor by which service slows (e.g. 4.0)", s.Kind)
			}
			s.Slowdown = st.float("slowdown", 0)
			if st.has("slowdown") && !(s.Slowdown > 0) {
				st.errf("slowdown", "must be > 0, got %g", s.Slowdown)
			}
		}
		need := func(key, what string) {
			if !st.has(key) {
				st.missing(key, "kind %q needs `%s`, %s", s.Kind, key, what)
			}
		}
		switch s.Kind {
		case sim.StragglerBernoulli:
			need("p", "the probability that a task is slowed")
			s.P = st.float("p", 0)
			if !(s.P >= 0 && s.P <= 1) {
				st.errf("p", "must be a probability in [0, 1], got %g", s.P)
			}
			if st.has("extra") == st.has("slowdown") {
				st.errf("", "kind \"bernoulli\" needs exactly one of `extra` (a delay distribution) and `slowdown` (a factor)")
			}
			s.Extra = st.dist("extra")
			slowdown(false)
		case sim.StragglerSlowNodes:
			if st.has("count") == st.has("fraction") {
				st.errf("", "kind \"slow-nodes\" needs exactly one of `count` (servers per pool) and `fraction` (of each pool's servers)")
			}
			s.Count = int(st.intAtLeast("count", 0, 0))
			if smallestName != "" && s.Count > smallest {
				st.errf("count", "%d slow servers per pool, but pool %s has only %d", s.Count, echo(smallestName), smallest)
			}
			s.Fraction = st.float("fraction", 0)
			if !(s.Fraction >= 0 && s.Fraction <= 1) {
				st.errf("fraction", "must be in [0, 1], got %g", s.Fraction)
			}
			slowdown(true)
		case sim.StragglerMarkov:
			need("slow_for", "the distribution of a slow spell (e.g. \"exp:2s\")")
			need("normal_for", "the distribution of a normal spell (e.g. \"exp:60s\")")
			s.SlowFor, s.NormalFor = st.dist("slow_for"), st.dist("normal_for")
			positiveMean(st, "slow_for", s.SlowFor)
			positiveMean(st, "normal_for", s.NormalFor)
			slowdown(true)
		case sim.StragglerFailure:
			need("fail_after", "the distribution of time to failure (e.g. \"exp:10m\")")
			need("repair_after", "the distribution of repair time (e.g. \"exp:30s\")")
			s.FailAfter, s.RepairAfter = st.dist("fail_after"), st.dist("repair_after")
			positiveMean(st, "fail_after", s.FailAfter)
			s.Requeue = st.oneOf("on_failure", "lose", "lose", "requeue") == "requeue"
		case sim.StragglerEmpirical:
			need("latency", "the latency distribution laid over compute time (e.g. \"builtin:paper-cloud\")")
			s.Latency = st.dist("latency")
		case sim.StragglerTrace:
			if st.has("latency") == st.has("file") {
				st.errf("", "kind \"trace\" needs exactly one of `file` (latencies in ms, one per line, replayed in order) and `latency = \"samples:FILE\"`")
			}
			if st.has("file") {
				if name := st.str("file", ""); name == "" && !d.hasFailed(st.keyPath("file")) {
					st.errf("file", "must name a file of latencies, got an empty string")
				} else if name != "" {
					dd, err := d.dists.parse("samples:" + name)
					if err != nil {
						st.errf("file", "%v", err)
					}
					s.Latency = dd
				}
			} else {
				s.Latency = st.dist("latency")
				if st.has("latency") && s.Latency.Kind != sim.DistSamples && s.Latency.Kind != sim.DistNone {
					st.errf("latency", "kind \"trace\" replays values in order: use \"samples:FILE\" (or `file`), got %s", s.Latency.Kind)
				}
			}
		}
		st.done(stragglerKeys, fmt.Sprintf("by kind %q", s.Kind))
		out = append(out, s)
	}
	return out
}

// positiveMean reports a holding-time distribution whose mean is 0 or
// infinite: the state would flip without end, or never.
func positiveMean(t *table, key string, d sim.Dist) {
	if d.Kind == sim.DistNone {
		return
	}
	if m := d.Mean(); !(m > 0) || math.IsInf(m, 0) {
		t.errf(key, "%s has mean %g; a holding time needs a finite mean > 0", d, m)
	}
}
