package scenarios

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/collagesim/collagesim/sim"
)

// Sweep is a scenario's [sweep] table: key paths and the values each takes.
type Sweep struct {
	Mode   string       `json:"mode"` // "product" (every combination; default) or "zip" (i-th values together)
	Params []SweepParam `json:"params"`
}

// SweepParam is one swept key, e.g. "pools.scnn.servers" = [6, 9, 12].
type SweepParam struct {
	Key    string `json:"key"`
	Values []any  `json:"values"` // TOML values: int64, float64, string, bool
}

// Param is one key set to one value at a sweep point.
type Param struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

// String formats the value as it would be written in TOML ("6", "\"60/s\"").
func (p Param) String() string { return p.Key + "=" + formatValue(p.Value) }

// Point is one scenario of a sweep.
type Point struct {
	Index    int
	Params   []Param
	Scenario *sim.Scenario
	Meta     *Meta // Text is the scenario as run (the [sweep] table removed)
}

// Expand returns the points of meta's sweep, each with its values applied to
// the document and decoded and validated anew; without a sweep, one point.
// Key paths: "arrivals.rate", "pools.NAME.servers" or "pools[0].servers" (likewise
// for strategies, stragglers and models), "seed".
func Expand(meta *Meta) ([]Point, error) {
	if meta == nil || meta.doc == nil {
		return nil, fmt.Errorf("scenarios: Expand needs the Meta returned by Load or Parse")
	}
	combos := [][]Param{nil}
	if sw := meta.Sweep; sw != nil && len(sw.Params) > 0 {
		combos = sw.combinations()
	}
	cache := &distParser{read: meta.src.read, open: meta.src.open}
	points := make([]Point, 0, len(combos))
	for i, params := range combos {
		doc := deepCopy(meta.doc).(map[string]any)
		delete(doc, "sweep")
		for _, p := range params {
			if _, err := setPath(doc, p.Key, p.Value); err != nil {
				return nil, fmt.Errorf("scenarios: %s: sweep %s: %w", meta.File, p.Key, err)
			}
		}
		pm := *meta
		pm.Sweep, pm.doc = nil, doc
		var buf bytes.Buffer
		if err := toml.NewEncoder(&buf).Encode(doc); err != nil {
			return nil, fmt.Errorf("scenarios: %s: sweep point %d: %w", meta.File, i, err)
		}
		pm.Text = buf.String()
		sc, err := pm.decode(doc, cache)
		if err != nil {
			return nil, fmt.Errorf("sweep point %d (%s):\n%w", i, paramsString(params), err)
		}
		points = append(points, Point{Index: i, Params: params, Scenario: sc, Meta: &pm})
	}
	return points, nil
}

func paramsString(ps []Param) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

// MaxSweepPoints bounds the points of one sweep: each is decoded and
// checked when the file is read (about 0.5 ms a point), and each is a
// simulation.
const MaxSweepPoints = 10_000

// size is the number of points, saturating above MaxSweepPoints.
func (sw *Sweep) size() int {
	if len(sw.Params) == 0 {
		return 1
	}
	if sw.Mode == "zip" {
		return len(sw.Params[0].Values)
	}
	n := 1
	for _, p := range sw.Params {
		n *= len(p.Values)
		if n > MaxSweepPoints {
			return MaxSweepPoints + 1
		}
	}
	return n
}

func (sw *Sweep) combinations() [][]Param {
	if sw.Mode == "zip" {
		n := len(sw.Params[0].Values)
		out := make([][]Param, n)
		for i := range out {
			for _, p := range sw.Params {
				out[i] = append(out[i], Param{p.Key, p.Values[i]})
			}
		}
		return out
	}
	out := [][]Param{nil}
	for _, p := range sw.Params {
		var next [][]Param
		for _, c := range out {
			for _, v := range p.Values {
				next = append(next, append(append([]Param(nil), c...), Param{p.Key, v}))
			}
		}
		out = next
	}
	return out
}

// sweep reads the [sweep] table and checks that every key path resolves.
func (d *decoder) sweep(t *table, doc map[string]any) *Sweep {
	sw := &Sweep{Mode: t.oneOf("mode", "product", "product", "zip")}
	var keys []string
	for k := range t.m {
		if k != "mode" {
			keys = append(keys, k)
		}
	}
	// In the order written.
	sort.Slice(keys, func(i, j int) bool {
		li, lj := d.lines.line(t.keyPath(keys[i])), d.lines.line(t.keyPath(keys[j]))
		if li != lj {
			return li < lj
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		v, _ := t.get(k)
		arr, ok := v.([]any)
		if !ok || len(arr) == 0 {
			t.errf(k, "must be a non-empty array of values, e.g. [6, 9, 12], got %s", typeName(v))
			continue
		}
		if strings.HasPrefix(k, "sweep") || k == "sweep" {
			t.errf(k, "cannot sweep the sweep table")
			continue
		}
		if _, err := setPath(deepCopy(doc).(map[string]any), k, arr[0]); err != nil {
			t.errf(k, "%v", err)
			continue
		}
		sw.Params = append(sw.Params, SweepParam{Key: k, Values: arr})
	}
	if n := sw.size(); n > MaxSweepPoints {
		t.errf("", "the sweep has %s points, above the limit of %d (MaxSweepPoints); sweep fewer values, or split the sweep into several files", map[bool]string{true: "more than " + strconv.Itoa(MaxSweepPoints), false: strconv.Itoa(n)}[n > MaxSweepPoints], MaxSweepPoints)
	}
	if sw.Mode == "zip" {
		for _, p := range sw.Params[min(1, len(sw.Params)):] {
			if len(p.Values) != len(sw.Params[0].Values) {
				t.errf(p.Key, "mode \"zip\" needs lists of equal length: %d values here, %d for %q", len(p.Values), len(sw.Params[0].Values), sw.Params[0].Key)
			}
		}
	}
	return sw
}

// splitPath splits "a.b[2].c" into "a", "b", "[2]", "c"; quoted parts may hold dots.
func splitPath(p string) ([]string, error) {
	var out []string
	for p != "" {
		switch {
		case p[0] == '"':
			end := strings.IndexByte(p[1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("unclosed quote in key path")
			}
			out = append(out, p[1:end+1])
			p = p[end+2:]
		case p[0] == '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return nil, fmt.Errorf("unclosed [ in key path")
			}
			out = append(out, p[:end+1])
			p = p[end+1:]
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			if end == 0 {
				return nil, fmt.Errorf("empty part in key path")
			}
			out = append(out, p[:end])
			p = p[end:]
		}
		p = strings.TrimPrefix(p, ".")
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty key path")
	}
	return out, nil
}

// setPath sets the value at a key path in a decoded document, creating
// missing tables. Inside an array of tables a part is an index ("[0]" or "0")
// or the name of an element.
func setPath(doc map[string]any, path string, v any) (string, error) {
	parts, err := splitPath(path)
	if err != nil {
		return "", err
	}
	var cur any = doc
	resolved := "" // the path as the decoder names it: "pools[0].servers"
	for i, part := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if strings.HasPrefix(part, "[") {
				return "", fmt.Errorf("%s is a table, not an array", strings.Join(parts[:i], "."))
			}
			if last {
				switch c[part].(type) {
				case map[string]any:
					return "", fmt.Errorf("%s is a table; sweep one of its keys", path)
				case []map[string]any:
					return "", fmt.Errorf("%s is an array of tables; sweep a key of one element, e.g. %s[0].KEY or %s.NAME.KEY", path, path, path)
				}
				c[part] = v
				return joinPath(resolved, part), nil
			}
			next, ok := c[part]
			if !ok {
				next = map[string]any{}
				c[part] = next
			}
			cur = next
			resolved = joinPath(resolved, part)
		case []map[string]any:
			if last {
				return "", fmt.Errorf("%s is an array of tables; sweep a key of one element", strings.Join(parts[:i], "."))
			}
			idx := -1
			if n, err := strconv.Atoi(strings.Trim(part, "[]")); err == nil {
				if n < 0 || n >= len(c) {
					return "", fmt.Errorf("index %d out of range: %s has %d elements", n, strings.Join(parts[:i], "."), len(c))
				}
				idx = n
			} else {
				var names []string
				for j, e := range c {
					name, _ := e["name"].(string)
					names = append(names, name)
					if name == part {
						idx = j
					}
				}
				if idx < 0 {
					msg := fmt.Sprintf("no element named %q in %s (names: %s)", part, strings.Join(parts[:i], "."), strings.Join(quoteAll(names), ", "))
					if s := suggest(part, names); s != "" {
						msg += fmt.Sprintf("; did you mean %q?", s)
					}
					return "", fmt.Errorf("%s", msg)
				}
			}
			cur = c[idx]
			resolved = indexPath(resolved, idx)
		default:
			return "", fmt.Errorf("%s is a value, not a table", strings.Join(parts[:i], "."))
		}
	}
	return resolved, nil
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []map[string]any:
		s := make([]map[string]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e).(map[string]any)
		}
		return s
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}

func formatValue(v any) string {
	switch x := v.(type) {
	case string:
		return quote(x)
	case float64:
		return formatFloat(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// checkSweep decodes every point of the sweep, as Expand does but without
// re-encoding the text, so that a file that loads also sweeps. An error that a
// swept value causes names the [sweep] entry's line and key, with the key
// path it set; one no single value explains names the [sweep] table.
func (meta *Meta) checkSweep() error {
	sw := meta.Sweep
	if sw == nil || len(sw.Params) == 0 {
		return nil
	}
	cache := &distParser{read: meta.src.read, open: meta.src.open}
	var errs ErrorList
	for i, params := range sw.combinations() {
		doc := deepCopy(meta.doc).(map[string]any)
		delete(doc, "sweep")
		resolved := map[string]Param{}
		for _, p := range params {
			rp, err := setPath(doc, p.Key, p.Value)
			if err != nil {
				errs = append(errs, &Error{File: meta.File, Line: meta.lines.line(sweepKey(p.Key)), Path: sweepKey(p.Key), Msg: err.Error()})
				continue
			}
			resolved[rp] = p
		}
		d := &decoder{file: meta.File, lines: meta.lines, dists: cache}
		d.overlay = func(path string) (int, string, bool) {
			for rp, p := range resolved {
				if path == rp || strings.HasPrefix(path, rp+".") || strings.HasPrefix(path, rp+"[") {
					return meta.lines.line(sweepKey(p.Key)), sweepKey(p.Key), true
				}
			}
			return 0, "", false
		}
		d.scenario(d.table("", doc), &Meta{File: meta.File, doc: doc, lines: meta.lines, src: meta.src})
		for _, e := range d.errs {
			if !strings.HasPrefix(e.Path, "sweep.") {
				// Not explained by one swept value: the [sweep] table's
				// line, the point and the key path.
				where := e.Path
				if where != "" {
					where += ": "
				}
				e.Line, e.Path = meta.lines.line("sweep"), "sweep"
				e.Msg = fmt.Sprintf("at point %d (%s): %s%s", i, paramsString(params), where, e.Msg)
			}
			errs = append(errs, e)
		}
		if len(errs) > 3*maxErrors {
			break
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return sortErrors(errs)
}

// CheckSweepWork refuses a sweep whose points together simulate more than
// MaxTotalRequests requests ((warmup + requests) x strategies x
// replications, summed over the points): each point may be within the
// limit, the sweep not. points are those one command runs: every point of
// meta's sweep, or the points of shard i of n (n <= 1: every point). The
// error names the [sweep] table's line.
func CheckSweepWork(meta *Meta, points []Point, i, n int) error {
	if meta == nil || meta.Sweep == nil {
		return nil
	}
	total := 0.0
	for _, p := range points {
		total += Work(p.Scenario)
	}
	if total <= MaxTotalRequests {
		return nil
	}
	what := fmt.Sprintf("the sweep's %d points", len(points))
	fix := "split the sweep with --shard i/n"
	shards := math.Ceil(total / MaxTotalRequests)
	if n > 1 {
		what = fmt.Sprintf("the %d points of shard %d/%d", len(points), i, n)
		fix = "split the sweep into more shards"
		shards *= float64(n)
	}
	return &Error{File: meta.File, Line: meta.lines.line("sweep"), Path: "sweep", Msg: fmt.Sprintf(
		"%s together simulate %.3g requests ((warmup + requests) x strategies x replications, summed over the points), above the limit of %.0e (MaxTotalRequests: about a day of one core); sweep fewer points or fewer requests, or %s, each shard checked on its own (about %.0f shards or more)",
		what, total, float64(MaxTotalRequests), fix, shards)}
}

func sweepKey(k string) string { return joinPath("sweep", k) }
