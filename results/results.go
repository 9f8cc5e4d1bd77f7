// Package results writes what a run produced: summary.csv and results.json,
// atomically, and the comparison table printed on the terminal.
package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"

	"github.com/collagesim/collagesim/internal/atomicfile"
	"github.com/collagesim/collagesim/sim"
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
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	return append(b, '\n'), nil
}

// Write writes summary.csv and results.json into dir and returns their paths.
func Write(dir string, res *Results) ([]string, error) {
	var csvBuf bytes.Buffer
	if err := SummaryCSV(&csvBuf, res); err != nil {
		return nil, err
	}
	js, err := JSON(res)
	if err != nil {
		return nil, err
	}
	paths := []string{filepath.Join(dir, "summary.csv"), filepath.Join(dir, "results.json")}
	for i, data := range [][]byte{csvBuf.Bytes(), js} {
		if err := WriteFileAtomic(paths[i], data); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// SummaryColumns are summary.csv's fixed columns; the sweep parameters come
// after "scenario", one column each, named by their key path.
var SummaryColumns = []string{
	"scenario", "strategy", "kind", "replications", "requests", "mean_ms", "std_ms", "var_ms2", "cv",
	"p50_ms", "p90_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms", "p99_ci_low_ms", "p99_ci_high_ms",
	"accuracy", "share_scnn", "share_collage", "share_parity", "share_replica", "share_resend",
	"servers", "cost_per_hour", "load_amplification", "wasted_work", "failed", "unstable",
}

// num formats a figure for the CSV: 6 significant digits, empty when n/a.
func num(f sim.Float) string {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// SummaryCSV writes one row per sweep point and strategy: each figure is the
// mean over replications.
func SummaryCSV(w io.Writer, res *Results) error {
	cw := csv.NewWriter(w)
	head := append([]string{"scenario"}, res.SweepParams...)
	head = append(head, SummaryColumns[1:]...)
	cw.Write(head)
	for _, pt := range res.Points {
		for _, s := range pt.Strategies {
			m := &s.Summary
			row := []string{res.Scenario}
			for _, key := range res.SweepParams {
				v := ""
				for _, p := range pt.Params {
					if p.Key == key {
						v = p.Value
					}
				}
				row = append(row, v)
			}
			row = append(row, s.Name, s.Kind, strconv.Itoa(len(s.Reps)), num(m.Requests.Mean),
				num(m.MeanMs.Mean), num(m.StdMs.Mean), num(m.VarMs2.Mean), num(m.CV.Mean),
				num(m.P50Ms.Mean), num(m.P90Ms.Mean), num(m.P95Ms.Mean), num(m.P99Ms.Mean), num(m.P999Ms.Mean),
				num(m.MaxMs.Mean), num(m.P99Ms.Low), num(m.P99Ms.High), num(m.Accuracy.Mean))
			for _, src := range sim.Sources {
				row = append(row, num(m.Sources[src].Mean))
			}
			row = append(row, strconv.Itoa(s.Servers), num(s.CostHour), num(m.LoadAmplification.Mean),
				num(m.WastedWork.Mean), num(m.Failed.Mean), strconv.FormatBool(s.Unstable))
			cw.Write(row)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("results: summary.csv: %w", err)
	}
	return nil
}
