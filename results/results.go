// Package results owns what a run produced: the results.json format, its
// reading and writing, summary.csv and traces (atomically, into an output
// folder it checks first), the one rule for the baseline strategy, and the
// tables printed on the terminal.
package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/collagesim/collagesim/internal/atomicfile"
)

// WriteFileAtomic writes data to path atomically (see atomicfile.WriteFile).
func WriteFileAtomic(path string, data []byte) error {
	if err := atomicfile.WriteFile(path, data); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

// JSON encodes results as results.json holds them.
func JSON(res *Results) ([]byte, error) {
	var b bytes.Buffer
	if err := writeJSON(&b, res); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeJSON writes results to w as results.json holds them: indented JSON
// and a newline.
func writeJSON(w io.Writer, res *Results) error {
	b, err := json.Marshal(res)
	if err == nil {
		err = indentTo(w, b)
	}
	if err == nil {
		_, err = w.Write([]byte{'\n'})
	}
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

// Write writes results.json, then summary.csv, into dir and returns their
// paths. results.json, which holds everything, goes first: whatever fails
// after it, the computed results are kept.
func Write(dir string, res *Results) ([]string, error) {
	jsonPath, csvPath := filepath.Join(dir, "results.json"), filepath.Join(dir, "summary.csv")
	f, err := atomicfile.Create(jsonPath)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	if err := writeJSON(f, res); err != nil {
		f.Abort()
		return nil, fmt.Errorf("%w (writing %s)", err, jsonPath)
	}
	if err := f.Commit(); err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	var csvBuf bytes.Buffer
	if err := SummaryCSV(&csvBuf, res); err != nil {
		return []string{jsonPath}, fmt.Errorf("%w (the results are in %s)", err, jsonPath)
	}
	if err := WriteFileAtomic(csvPath, csvBuf.Bytes()); err != nil {
		return []string{jsonPath}, fmt.Errorf("%w (the results are in %s)", err, jsonPath)
	}
	return []string{csvPath, jsonPath}, nil
}

// Unstable counts the strategy rows of every point that are unstable.
func Unstable(res *Results) int {
	n := 0
	for _, pt := range res.Points {
		for _, s := range pt.Strategies {
			if s.Unstable {
				n++
			}
		}
	}
	return n
}
