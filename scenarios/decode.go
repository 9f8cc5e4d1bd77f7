package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/collagesim/collagesim/sim"
)

// decoder walks a decoded TOML document, collecting errors that carry the
// file, line and key path of the value at fault.
type decoder struct {
	file  string
	lines lineIndex
	errs  ErrorList
	dists *distParser
	// failed holds the key paths that have an error: a key gets one error,
	// and checks that depend on a key that failed say nothing.
	failed map[string]bool
	// overlay, when set, maps a key path to the line and key of the
	// [sweep] entry that set it at a sweep point.
	overlay func(path string) (line int, key string, ok bool)
}

// parseDocument decodes TOML text into a generic map, turning syntax errors
// into *SyntaxError.
func parseDocument(file string, data []byte) (map[string]any, error) {
	if err := checkText(file, data); err != nil {
		return nil, err
	}
	var m map[string]any
	if _, err := toml.Decode(string(data), &m); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			// toml's own ErrorWithPosition indexes out of range on some
			// inputs (an unterminated string before CRLF): sourceContext
			// takes any text.
			line, col := errorPosition(data, pe.Position)
			return nil, &SyntaxError{File: file, Line: line, Col: col,
				Msg: pe.Message, Context: sourceContext(string(data), line, col), Err: err}
		}
		return nil, &Error{File: file, Msg: err.Error(), Err: err}
	}
	return m, nil
}

// errorPosition is the line and column (1-based, in bytes, as Go tools
// count) of a toml error, from its byte offset: the decoder reports line 0
// on some inputs (an unterminated string before CRLF) and counts columns in
// runes.
func errorPosition(data []byte, p toml.Position) (int, int) {
	if p.Start < 0 || p.Start > len(data) || (p.Start == 0 && (p.Line > 1 || p.Col > 1)) {
		// No offset: convert the column from runes to bytes.
		line, col := max(1, p.Line), max(1, p.Col)
		lines := bytes.Split(data, []byte("\n"))
		if line <= len(lines) {
			r := []rune(string(lines[line-1]))
			col = len(string(r[:min(col-1, len(r))])) + 1
		}
		return line, col
	}
	before := data[:p.Start]
	line := bytes.Count(before, []byte("\n")) + 1
	col := p.Start - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

func (d *decoder) errAt(path, format string, args ...any) {
	if d.failed[path] && path != "" {
		return
	}
	if d.failed == nil {
		d.failed = map[string]bool{}
	}
	d.failed[path] = true
	msg := fmt.Sprintf(format, args...)
	if d.overlay != nil {
		if line, key, ok := d.overlay(path); ok {
			d.errs = append(d.errs, &Error{File: d.file, Line: line, Path: key, Msg: path + ": " + msg})
			return
		}
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: d.lines.line(path), Path: path, Msg: msg})
}

// hasFailed reports whether the key path, or a key below it, has an error.
func (d *decoder) hasFailed(path string) bool {
	for p := range d.failed {
		if p == path || strings.HasPrefix(p, path+".") || strings.HasPrefix(p, path+"[") {
			return true
		}
	}
	return false
}

func (d *decoder) err() error {
	if len(d.errs) == 0 {
		return nil
	}
	return sortErrors(d.errs)
}

// table is one TOML table being decoded; it remembers the keys read so that
// done can report the others.
type table struct {
	d    *decoder
	path string
	m    map[string]any
	seen map[string]bool
}

func (d *decoder) table(path string, m map[string]any) *table {
	return &table{d: d, path: path, m: m, seen: map[string]bool{}}
}

func (t *table) keyPath(key string) string { return joinPath(t.path, key) }

func (t *table) errf(key, format string, args ...any) {
	p := t.path
	if key != "" {
		p = t.keyPath(key)
	}
	t.d.errAt(p, format, args...)
}

// missing reports a required key that is absent, unless another key of the
// table looks like a misspelling of it: done reports that one instead.
func (t *table) missing(key, format string, args ...any) {
	for k := range t.m {
		if !allKeys[k] && suggest(k, []string{key}) == key {
			return
		}
	}
	t.errf(key, format, args...)
}

// allKeys holds every key some table knows: none of them is a misspelling.
var allKeys = func() map[string]bool {
	m := map[string]bool{}
	for _, list := range [][]string{topKeys, stabilityKeys, arrivalKeys, poolKeys, stragglerKeys, strategyKeys, poolRoles,
		profileKeys, metaKeys, modelKeys, distTableKeys, {"batch", "mode"}} {
		for _, k := range list {
			m[k] = true
		}
	}
	return m
}()

func (t *table) has(key string) bool {
	_, ok := t.m[key]
	return ok
}

func (t *table) get(key string) (any, bool) {
	v, ok := t.m[key]
	if ok {
		t.seen[key] = true
	}
	return v, ok
}

// done reports keys that were not read: known ones are not used in this
// context (why says which), others are unknown, with a suggestion.
func (t *table) done(known []string, why string) {
	var keys []string
	for k := range t.m {
		if !t.seen[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if contains(known, k) {
			t.errf(k, "not used %s", why)
			continue
		}
		msg := "unknown key " + echoKey(k)
		if s := suggest(k, known); s != "" {
			msg += fmt.Sprintf("; did you mean `%s`?", s)
		} else if len(known) > 0 {
			msg += "; known keys: " + strings.Join(known, ", ")
		}
		t.errf(k, "%s", msg)
	}
}

// echoKey shows a key from the input: `key` when it is a plain short name,
// else quoted and cut (see echo).
func echoKey(k string) string {
	if len(k) <= maxEcho && keyPart(k) == k {
		return "`" + k + "`"
	}
	return echo(k)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// typeName names a decoded TOML value's type for messages.
func typeName(v any) string {
	switch v := v.(type) {
	case string:
		return "string " + echo(v)
	case int64:
		return fmt.Sprintf("integer %d", v)
	case float64:
		return fmt.Sprintf("float %g", v)
	case bool:
		return fmt.Sprintf("boolean %t", v)
	case map[string]any:
		return "a table"
	case []map[string]any:
		return "an array of tables"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}

func (t *table) str(key, def string) string {
	v, ok := t.get(key)
	if !ok {
		return def
	}
	s, ok := v.(string)
	if !ok {
		t.errf(key, "must be a string, got %s", typeName(v))
		return def
	}
	return s
}

// oneOf reads a string that must be one of choices.
func (t *table) oneOf(key, def string, choices ...string) string {
	if !t.has(key) {
		return def
	}
	if _, ok := t.m[key].(string); !ok {
		return t.str(key, def) // reports the type
	}
	s := t.str(key, def)
	if !contains(choices, s) {
		msg := fmt.Sprintf("must be one of %s, got %s", strings.Join(quoteAll(choices), ", "), echo(s))
		if k := suggest(s, choices); k != "" {
			msg += fmt.Sprintf("; did you mean %q?", k)
		}
		t.errf(key, "%s", msg)
		return def
	}
	return s
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

func (t *table) integer(key string, def int64) int64 {
	v, ok := t.get(key)
	if !ok {
		return def
	}
	i, ok := v.(int64)
	if !ok {
		t.errf(key, "must be an integer, got %s", typeName(v))
		return def
	}
	return i
}

// intAtLeast reads an integer >= lo.
func (t *table) intAtLeast(key string, def, lo int64) int64 {
	_, isInt := t.m[key].(int64)
	v := t.integer(key, def)
	if isInt && v < lo {
		t.errf(key, "must be >= %d, got %d", lo, v)
		return def
	}
	return v
}

func (t *table) float(key string, def float64) float64 {
	v, ok := t.get(key)
	if !ok {
		return def
	}
	switch f := v.(type) {
	case float64:
		if math.IsNaN(f) || math.IsInf(f, 0) {
			t.errf(key, "must be finite, got %g", f)
			return def
		}
		return f
	case int64:
		return float64(f)
	}
	t.errf(key, "must be a number, got %s", typeName(v))
	return def
}

func (t *table) boolean(key string, def bool) bool {
	v, ok := t.get(key)
	if !ok {
		return def
	}
	b, ok := v.(bool)
	if !ok {
		t.errf(key, "must be true or false, got %s", typeName(v))
		return def
	}
	return b
}

// duration reads a duration string ("250ms") into nanoseconds.
func (t *table) duration(key string, def int64) int64 {
	v, ok := t.get(key)
	if !ok {
		return def
	}
	s, ok := v.(string)
	if !ok {
		t.errf(key, "must be a duration string with a unit (%s), got %s", durationUnits, typeName(v))
		return def
	}
	ns, err := parseDuration(s)
	if err != nil {
		t.errf(key, "%v", err)
		return def
	}
	return ns
}

// rate reads a rate ("60/s", or a number per second) into events per second.
func (t *table) rate(key string, def float64) float64 {
	v, ok := t.get(key)
	if !ok {
		return def
	}
	var r float64
	switch x := v.(type) {
	case int64:
		r = float64(x)
	case float64:
		r = x
	case string:
		var err error
		if r, err = parseRate(x); err != nil {
			t.errf(key, "%v", err)
			return def
		}
	default:
		t.errf(key, "must be a rate, %s; got %s", rateForm, typeName(v))
		return def
	}
	if math.IsNaN(r) || math.IsInf(r, 0) || r < 0 {
		t.errf(key, "must be a finite rate >= 0, got %s", typeName(v))
		return def
	}
	return r
}

// dist reads a duration distribution: a string (see distForms) or a table
// {kind, unit, a, b, values, text} as WriteProfile writes it.
func (t *table) dist(key string) sim.Dist {
	v, ok := t.get(key)
	if !ok {
		return sim.Dist{}
	}
	switch x := v.(type) {
	case string:
		d, err := t.d.dists.parse(x)
		if err == nil {
			err = checkTail(d)
		}
		if err != nil {
			t.errf(key, "%v", err)
			return sim.Dist{}
		}
		return d
	case map[string]any:
		d := t.d.distTable(t.keyPath(key), x)
		if err := checkTail(d); err != nil {
			t.errf(key, "%v", err)
			return sim.Dist{}
		}
		return d
	}
	t.errf(key, "must be a distribution string (%s) or a table, got %s", distForms, typeName(v))
	return sim.Dist{}
}

var distTableKeys = []string{"kind", "unit", "a", "b", "values", "text"}

func (d *decoder) distTable(path string, m map[string]any) sim.Dist {
	t := d.table(path, m)
	kinds := []string{"const", "exp", "uniform", "normal", "lognormal", "gamma", "weibull", "pareto", "quantiles", "samples"}
	kind := t.oneOf("kind", "", kinds...)
	if !t.has("kind") {
		t.errf("", "distribution table needs `kind` (one of %s)", strings.Join(kinds, ", "))
	}
	defer func() { t.done(distTableKeys, fmt.Sprintf("by kind %q", kind)) }()
	unit := t.oneOf("unit", "ms", "ns", "us", "ms", "s")
	scale := columnUnits[unit]
	out := sim.Dist{Kind: sim.DistKind(kind), Text: t.str("text", "")}
	// Which of a and b are durations (scaled by unit) and which plain numbers.
	scaled := map[string][2]bool{
		"const": {true}, "exp": {true}, "uniform": {true, true}, "normal": {true, true},
		"lognormal": {true, false}, "pareto": {true, false}, "gamma": {false, true}, "weibull": {false, true},
	}
	switch kind {
	case "":
		return sim.Dist{}
	case "quantiles", "samples":
		out.Values = t.floats("values", scale)
	default:
		sc := scaled[kind]
		out.A = t.float("a", 0)
		out.B = t.float("b", 0)
		if sc[0] {
			out.A = scaleValue(out.A, scale)
		}
		if sc[1] {
			out.B = scaleValue(out.B, scale)
		}
	}
	if d.hasFailed(path) {
		return sim.Dist{}
	}
	if err := out.Validate(); err != nil {
		t.errf("", "%v", err)
		return sim.Dist{}
	}
	return out
}

// checkTail refuses a distribution whose mean or far tail (the 1 - 1e-9
// quantile) the simulated clock cannot hold.
func checkTail(d sim.Dist) error {
	if d.Kind == sim.DistNone {
		return nil
	}
	far := 0.0
	switch d.Kind {
	case sim.DistQuantiles, sim.DistSamples:
		for _, v := range d.Values {
			far = max(far, v)
		}
	default:
		far = d.Quantile(1 - 1e-9)
	}
	m := d.Mean()
	limit := float64(MaxVirtualTime)
	switch {
	case math.IsNaN(m) || math.IsInf(m, 0):
		return fmt.Errorf("%s has an infinite mean (a pareto alpha <= 1?): the simulated clock cannot hold its samples", echo(distText(d)))
	case !(far <= limit):
		return fmt.Errorf("%s reaches %s (its 1 - 1e-9 quantile or largest value), above the limit of %s (MaxVirtualTime); lower the scale or the spread", echo(distText(d)), humanDuration(far), humanDuration(limit))
	}
	return nil
}

func distText(d sim.Dist) string {
	if d.Text != "" {
		return d.Text
	}
	return string(d.Kind)
}

// scaleValue converts a value in a unit to nanoseconds; ms and coarser are
// rounded to whole nanoseconds (finer precision is noise, and rounding makes
// written profiles read back exactly).
func scaleValue(v, scale float64) float64 {
	if scale == 1 {
		return v
	}
	return math.Round(v * scale)
}

func (t *table) floats(key string, scale float64) []float64 {
	v, ok := t.get(key)
	if !ok {
		return nil
	}
	arr, ok := v.([]any)
	if !ok {
		t.errf(key, "must be an array of numbers, got %s", typeName(v))
		return nil
	}
	out := make([]float64, len(arr))
	for i, e := range arr {
		switch x := e.(type) {
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.d.errAt(indexPath(t.keyPath(key), i), "must be a finite number, got %g", x)
				return nil
			}
			out[i] = scaleValue(x, scale)
		case int64:
			out[i] = scaleValue(float64(x), scale)
		default:
			t.d.errAt(indexPath(t.keyPath(key), i), "must be a number, got %s", typeName(e))
			return nil
		}
	}
	return out
}

func (t *table) strings(key string) []string {
	v, ok := t.get(key)
	if !ok {
		return nil
	}
	if s, ok := v.(string); ok {
		return []string{s}
	}
	arr, ok := v.([]any)
	if !ok {
		t.errf(key, "must be an array of strings, got %s", typeName(v))
		return nil
	}
	out := make([]string, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			t.d.errAt(indexPath(t.keyPath(key), i), "must be a string, got %s", typeName(e))
			return nil
		}
		out[i] = s
	}
	return out
}

func (t *table) ints(key string) []int {
	v, ok := t.get(key)
	if !ok {
		return nil
	}
	if i, ok := v.(int64); ok {
		return []int{int(i)}
	}
	arr, ok := v.([]any)
	if !ok {
		t.errf(key, "must be an array of integers, got %s", typeName(v))
		return nil
	}
	out := make([]int, len(arr))
	for i, e := range arr {
		n, ok := e.(int64)
		if !ok {
			t.d.errAt(indexPath(t.keyPath(key), i), "must be an integer, got %s", typeName(e))
			return nil
		}
		out[i] = int(n)
	}
	return out
}

// sub returns the table under key, or nil.
func (t *table) sub(key string) *table {
	v, ok := t.get(key)
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.errf(key, "must be a table, got %s", typeName(v))
		return nil
	}
	return t.d.table(t.keyPath(key), m)
}

// array returns the tables of an array of tables ([[key]]).
func (t *table) array(key string) []*table {
	v, ok := t.get(key)
	if !ok {
		return nil
	}
	var ms []map[string]any
	switch x := v.(type) {
	case []map[string]any:
		ms = x
	case []any:
		for i, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				t.d.errAt(indexPath(t.keyPath(key), i), "must be a table, got %s", typeName(e))
				return nil
			}
			ms = append(ms, m)
		}
	default:
		t.errf(key, "must be an array of tables ([[%s]]), got %s", key, typeName(v))
		return nil
	}
	out := make([]*table, len(ms))
	for i, m := range ms {
		out[i] = t.d.table(indexPath(t.keyPath(key), i), m)
	}
	return out
}
