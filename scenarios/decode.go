package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
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
