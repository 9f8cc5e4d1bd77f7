package scenarios

import (
	"math"
)

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
