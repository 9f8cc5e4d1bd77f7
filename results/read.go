package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/collagesim/collagesim/sim"
)

// Load reads and checks a results.json file written by the simulator, or
// the results.json in the output folder path (see Path).
func Load(path string) (*Results, error) {
	dir := path
	path = Path(path)
	b, err := os.ReadFile(path)
	if err != nil {
		switch {
		case dir != path && errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("results: %s is a folder with no results.json in it: give the output folder of run, sweep or merge, or its results.json", dir)
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("results: results file %s does not exist: %w", path, err)
		}
		return nil, fmt.Errorf("results: reading results: %w", err)
	}
	return decode(b, path)
}

// Path is the results file that path names: path itself, or, for a folder
// (an output folder of run, sweep or merge), the results.json in it.
func Path(path string) string {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return filepath.Join(path, "results.json")
	}
	return path
}

// Decode reads and checks the contents of a results.json file.
func Decode(b []byte) (*Results, error) { return decode(b, "") }

// decode names the file in its errors, "results: name:line:col: ...", when
// name is not empty.
func decode(b []byte, name string) (*Results, error) {
	res, err := decodeResults(b)
	if err == nil {
		return res, nil
	}
	var pe *posError
	switch {
	case errors.As(err, &pe) && name != "":
		return nil, fmt.Errorf("results: %s:%d:%d: %w", name, pe.line, pe.col, err)
	case errors.As(err, &pe):
		return nil, fmt.Errorf("results: line %d, column %d: %w", pe.line, pe.col, err)
	case name != "":
		return nil, fmt.Errorf("results: %s: %w", name, err)
	}
	return nil, fmt.Errorf("results: %w", err)
}

// posError is a decoding error at a place in the file.
type posError struct {
	line, col int
	msg       string
	err       error
}

func (e *posError) Error() string { return e.msg + ": " + e.err.Error() }
func (e *posError) Unwrap() error { return e.err }

func decodeResults(b []byte) (*Results, error) {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return nil, errors.New("empty file, not a collagesim results file")
	}
	if trimmed[0] != '{' && json.Valid(trimmed) {
		return nil, errors.New("not a collagesim results file (not a JSON object)")
	}
	// Look at the header first, so a file of another version or another
	// program is named as such rather than as a field that did not decode.
	var head struct {
		Version *int            `json:"version"`
		Tool    string          `json:"tool"`
		Points  json.RawMessage `json:"points"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, jsonError(b, err)
	}
	if head.Version == nil || !strings.HasPrefix(head.Tool, "collagesim") {
		return nil, errors.New(`not a collagesim results file (no "version" and "tool": "collagesim ..." fields)`)
	}
	if *head.Version != ResultsVersion {
		return nil, fmt.Errorf("results file version %d (written by %q); this build reads version %d",
			*head.Version, head.Tool, ResultsVersion)
	}
	var res Results
	if err := json.Unmarshal(b, &res); err != nil {
		return nil, jsonError(b, err)
	}
	if err := check(&res); err != nil {
		return nil, err
	}
	for i, pt := range res.Points {
		for j := range pt.Strategies {
			if err := checkSummary(&pt.Strategies[j].Summary); err != nil {
				return nil, fmt.Errorf("points[%d].strategies[%d] (%s).summary: %w", i, j, pt.Strategies[j].Name, err)
			}
		}
	}
	return &res, nil
}

// jsonError says where in the file decoding failed.
func jsonError(b []byte, err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		if syn.Offset >= int64(len(b)) || strings.Contains(syn.Error(), "unexpected end") {
			line, col := position(b, syn.Offset)
			return &posError{line, col, "truncated JSON, the file ends early", err}
		}
		// The offset is just past the byte that was wrong.
		line, col := position(b, syn.Offset-1)
		return &posError{line, col, "invalid JSON", err}
	case errors.As(err, &typ):
		line, col := position(b, typ.Offset)
		return &posError{line, col, fmt.Sprintf("field %q", typ.Field), err}
	}
	return fmt.Errorf("invalid results: %w", err)
}

// position turns a byte offset into a 1-based line and column.
func position(b []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(b)))
	before := b[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// Check reports results that no figure or table can be made of: no points,
// a point without strategies, strategies without names or with the same name,
// sweep parameters that do not match the points.
func Check(res *Results) error {
	if err := check(res); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

func check(res *Results) error {
	if res == nil {
		return errors.New("no results")
	}
	if len(res.Points) == 0 {
		return errors.New("results hold no points")
	}
	for i, pt := range res.Points {
		if len(pt.Strategies) == 0 {
			return fmt.Errorf("points[%d]: no strategies", i)
		}
		seen := make(map[string]bool, len(pt.Strategies))
		for j, s := range pt.Strategies {
			if s.Name == "" {
				return fmt.Errorf("points[%d].strategies[%d]: empty name", i, j)
			}
			if seen[s.Name] {
				return fmt.Errorf("points[%d].strategies[%d]: strategy %q appears twice", i, j, s.Name)
			}
			seen[s.Name] = true
		}
		for name := range pt.Within {
			if !seen[name] {
				return fmt.Errorf("points[%d].within: strategy %q is not among the point's strategies", i, name)
			}
		}
		if len(pt.Within) > 0 && res.SLO == nil {
			return fmt.Errorf("points[%d].within: shares within an SLO, but the results name no slo", i)
		}
		if len(res.SweepParams) > 0 {
			if len(pt.Params) != len(res.SweepParams) {
				return fmt.Errorf("points[%d]: %d parameters, sweep_params lists %d", i, len(pt.Params), len(res.SweepParams))
			}
			for k, p := range pt.Params {
				if p.Key != res.SweepParams[k] {
					return fmt.Errorf("points[%d].params[%d]: key %q, sweep_params[%d] is %q", i, k, p.Key, k, res.SweepParams[k])
				}
			}
		}
	}
	return nil
}

// checkSummary refuses a summary no run can produce: missing (null), a
// negative latency, an accuracy or share outside [0, 1]. n/a (null, NaN)
// figures are allowed.
func checkSummary(m *sim.Summary) error {
	if !(float64(m.Requests.Mean) > 0) {
		return errors.New("no requests: the summary is missing, null or empty")
	}
	for _, c := range []struct {
		name string
		st   sim.Stat
		hi   float64
	}{
		{"mean_ms", m.MeanMs, math.Inf(1)}, {"std_ms", m.StdMs, math.Inf(1)}, {"p50_ms", m.P50Ms, math.Inf(1)},
		{"p90_ms", m.P90Ms, math.Inf(1)}, {"p95_ms", m.P95Ms, math.Inf(1)}, {"p99_ms", m.P99Ms, math.Inf(1)},
		{"p999_ms", m.P999Ms, math.Inf(1)}, {"max_ms", m.MaxMs, math.Inf(1)}, {"failed", m.Failed, math.Inf(1)},
		{"accuracy", m.Accuracy, 1},
	} {
		for _, v := range []sim.Float{c.st.Mean, c.st.Low, c.st.High} {
			if x := float64(v); x < 0 || x > c.hi || math.IsInf(x, 0) {
				return fmt.Errorf("%s: %g is out of range (want 0 to %g)", c.name, x, c.hi)
			}
		}
	}
	return nil
}
