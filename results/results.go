// Package results owns what a run produced: the results.json format, its
// reading and writing, summary.csv and traces (atomically, into an output
// folder it checks first), the one rule for the baseline strategy, and the
// tables printed on the terminal.
package results

import (
	"bytes"
	"encoding/json"
	"fmt"
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
	b, err := json.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	// About 3 bytes of indentation per byte of a results file's numbers.
	return append(indent(make([]byte, 0, 3*len(b)+1), b), '\n'), nil
}

// Write writes results.json, then summary.csv, into dir and returns their
// paths. results.json, which holds everything, goes first: whatever fails
// after it, the computed results are kept.
func Write(dir string, res *Results) ([]string, error) {
	js, err := JSON(res)
	if err != nil {
		return nil, err
	}
	jsonPath, csvPath := filepath.Join(dir, "results.json"), filepath.Join(dir, "summary.csv")
	if err := WriteFileAtomic(jsonPath, js); err != nil {
		return nil, err
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
