package results

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/collagesim/collagesim/sim"
)

// headline are the metrics summary.csv gives with their 95 % confidence
// interval: column NAME is the mean over replications, NAME_ci_low and
// NAME_ci_high the interval's ends.
var headline = []struct {
	name string
	stat func(*sim.Summary) sim.Stat
}{
	{"mean_ms", func(m *sim.Summary) sim.Stat { return m.MeanMs }},
	{"std_ms", func(m *sim.Summary) sim.Stat { return m.StdMs }},
	{"var_ms2", func(m *sim.Summary) sim.Stat { return m.VarMs2 }},
	{"cv", func(m *sim.Summary) sim.Stat { return m.CV }},
	{"p50_ms", func(m *sim.Summary) sim.Stat { return m.P50Ms }},
	{"p90_ms", func(m *sim.Summary) sim.Stat { return m.P90Ms }},
	{"p95_ms", func(m *sim.Summary) sim.Stat { return m.P95Ms }},
	{"p99_ms", func(m *sim.Summary) sim.Stat { return m.P99Ms }},
	{"p999_ms", func(m *sim.Summary) sim.Stat { return m.P999Ms }},
	{"max_ms", func(m *sim.Summary) sim.Stat { return m.MaxMs }},
	{"accuracy", func(m *sim.Summary) sim.Stat { return m.Accuracy }},
	{"load_amplification", func(m *sim.Summary) sim.Stat { return m.LoadAmplification }},
	{"wasted_work", func(m *sim.Summary) sim.Stat { return m.WastedWork }},
	{"failed", func(m *sim.Summary) sim.Stat { return m.Failed }},
}

// SummaryHeader is summary.csv's header for res: scenario, point, seed, one
// column per swept key path (see ParamColumn), strategy, kind, replications,
// requests, each headline metric with its CI, the share of answers by source,
// servers, cost_per_hour, unstable, and with an SLO the share of requests
// within it (within_slo, with CI) and its bound (slo_ms).
func SummaryHeader(res *Results) []string {
	head := []string{"scenario", "point", "seed"}
	for i, key := range res.SweepParams {
		name, _ := ParamColumn(key, paramValues(res, i))
		head = append(head, name)
	}
	head = append(head, "strategy", "kind", "replications", "requests")
	for _, h := range headline {
		head = append(head, h.name, h.name+"_ci_low", h.name+"_ci_high")
	}
	for _, src := range sim.Sources {
		head = append(head, "share_"+src)
	}
	head = append(head, "servers", "cost_per_hour", "unstable")
	if res.SLO != nil {
		head = append(head, "slo_ms", "within_slo", "within_slo_ci_low", "within_slo_ci_high")
	}
	return head
}

// Num formats a figure for the CSV files at full precision (the shortest
// decimal that reads back as the same float64); empty when n/a.
func Num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func num(f sim.Float) string { return Num(float64(f)) }

func paramValues(res *Results, i int) []string {
	var vs []string
	for _, pt := range res.Points {
		v := ""
		if i < len(pt.Params) {
			v = pt.Params[i].Value
		}
		vs = append(vs, v)
	}
	return vs
}

// ParamColumn names a swept key path's column and writes its values in base
// units when every value has the same kind: durations ("250ms", "1.5s") in
// milliseconds in column KEY_ms, rates ("18/s", "3600/h") per second in
// KEY_per_s, plain numbers as they are. Other values (strings, distributions)
// stay as written, in column KEY.
func ParamColumn(key string, values []string) (string, []string) {
	for _, kind := range []struct {
		suffix string
		parse  func(string) (float64, bool)
	}{{"", parseNumber}, {"_ms", parseMs}, {"_per_s", parsePerS}} {
		out := make([]string, len(values))
		ok := len(values) > 0
		for i, v := range values {
			x, good := kind.parse(v)
			if !good {
				ok = false
				break
			}
			out[i] = Num(x)
		}
		if ok {
			return key + kind.suffix, out
		}
	}
	return key, values
}

func parseNumber(s string) (float64, bool) {
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return x, err == nil && !math.IsNaN(x) && !math.IsInf(x, 0)
}

func parseMs(s string) (float64, bool) {
	d, err := time.ParseDuration(strings.ReplaceAll(strings.TrimSpace(s), "µ", "u"))
	if err != nil {
		return 0, false
	}
	return float64(d) / 1e6, true
}

var perSecond = map[string]float64{"ns": 1e9, "us": 1e6, "µs": 1e6, "ms": 1e3, "s": 1, "m": 1.0 / 60, "min": 1.0 / 60, "h": 1.0 / 3600}

func parsePerS(s string) (float64, bool) {
	n, unit, ok := strings.Cut(strings.TrimSpace(s), "/")
	per, known := perSecond[strings.TrimSpace(unit)]
	x, good := parseNumber(n)
	return x * per, ok && known && good
}

// SummaryCSV writes one row per sweep point and strategy: each figure is the
// mean over replications, at full precision (see Num).
func SummaryCSV(w io.Writer, res *Results) error {
	cw := csv.NewWriter(w)
	cw.Write(SummaryHeader(res))
	params := make([][]string, len(res.SweepParams))
	for i, key := range res.SweepParams {
		_, params[i] = ParamColumn(key, paramValues(res, i))
	}
	for p, pt := range res.Points {
		for _, s := range pt.Strategies {
			m := &s.Summary
			row := []string{res.Scenario, strconv.Itoa(pt.Index), strconv.FormatUint(res.Seed, 10)}
			for i := range res.SweepParams {
				row = append(row, params[i][p])
			}
			row = append(row, s.Name, s.Kind, strconv.Itoa(len(s.Reps)), num(m.Requests.Mean))
			for _, h := range headline {
				st := h.stat(m)
				row = append(row, num(st.Mean), num(st.Low), num(st.High))
			}
			for _, src := range sim.Sources {
				row = append(row, num(m.Sources[src].Mean))
			}
			row = append(row, strconv.Itoa(s.Servers), num(s.CostHour), strconv.FormatBool(s.Unstable))
			if res.SLO != nil {
				st, ok := pt.Within[s.Name]
				if !ok {
					st = sim.Stat{Mean: sim.Float(math.NaN()), Low: sim.Float(math.NaN()), High: sim.Float(math.NaN())}
				}
				row = append(row, Num(res.SLO.WithinMs), num(st.Mean), num(st.Low), num(st.High))
			}
			cw.Write(row)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("results: summary.csv: %w", err)
	}
	return nil
}
