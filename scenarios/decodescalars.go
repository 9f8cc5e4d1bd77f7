package scenarios

import (
	"fmt"
	"math"
	"strings"
)

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
