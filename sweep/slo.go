package sweep

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

// SLO is a latency objective: a quantile (or the mean) of the latency at or
// under a bound, or ("within") a share of the requests answered within it.
type SLO struct {
	Metric string  // p50, p90, p95, p99, p999, mean, or within
	Ms     float64 // bound in milliseconds
	Share  float64 // within: the share of requests that must be within Ms
}

func (s SLO) String() string {
	if s.Metric == "within" {
		return fmt.Sprintf("within %gms for %g%%", s.Ms, 100*s.Share)
	}
	return fmt.Sprintf("%s<=%gms", s.Metric, s.Ms)
}

// Results is the SLO as results.json records it.
func (s SLO) Results() *results.SLO {
	return &results.SLO{Objective: s.String(), WithinMs: s.Ms}
}

// DefaultShare is the share of requests a "within" SLO asks for unless it
// says otherwise.
const DefaultShare = 0.99

const sloForm = "write it as METRIC=DURATION, e.g. p99=300ms (metrics: p50 p90 p95 p99 p999 mean), " +
	"or within=DURATION[@SHARE], e.g. within=300ms@99.9% (default share 99%)"

// ParseSLO reads "p99=300ms" (units ms, s, us) or "within=300ms[@99.9%]".
func ParseSLO(s string) (SLO, error) {
	k, v, ok := strings.Cut(s, "=")
	k = strings.ToLower(strings.TrimSpace(k))
	v = strings.TrimSpace(v)
	bad := func(why string) (SLO, error) {
		return SLO{}, fmt.Errorf("sweep: SLO %q: %s; %s", s, why, sloForm)
	}
	if !ok {
		return bad("no '='")
	}
	switch k {
	case "p50", "p90", "p95", "p99", "p999", "p99.9", "mean", "within":
	default:
		return bad("unknown metric " + strconv.Quote(k))
	}
	if k == "p99.9" {
		k = "p999"
	}
	slo := SLO{Metric: k}
	if k == "within" {
		slo.Share = DefaultShare
		if d, share, ok := strings.Cut(v, "@"); ok {
			v = strings.TrimSpace(d)
			x, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(share), "%"), 64)
			if err != nil || !(x > 0 && x <= 100) {
				return bad("the share after @ must be a percentage in (0, 100]")
			}
			slo.Share = x / 100
		}
	}
	scale := 0.0
	for _, u := range []struct {
		suffix string
		ms     float64
	}{{"ms", 1}, {"us", 1e-3}, {"s", 1e3}} {
		if strings.HasSuffix(v, u.suffix) {
			v, scale = strings.TrimSuffix(v, u.suffix), u.ms
			break
		}
	}
	if scale == 0 {
		return bad("the bound needs a unit (ms, s, us)")
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || !(x > 0) || math.IsInf(x, 0) || x*scale > 1e12 {
		return bad("the bound must be a positive number of at most 1e12 ms")
	}
	slo.Ms = x * scale
	return slo, nil
}

// stat picks the SLO's latency metric from a summary.
func (s SLO) stat(m *sim.Summary) sim.Stat {
	switch s.Metric {
	case "p50":
		return m.P50Ms
	case "p90":
		return m.P90Ms
	case "p95":
		return m.P95Ms
	case "p999":
		return m.P999Ms
	case "mean":
		return m.MeanMs
	}
	return m.P99Ms
}

// Bound returns the figure a latency SLO is judged on: the upper end of the
// 95 % confidence interval of its metric, or the mean with a single
// replication. For a "within" SLO it is that of the p99.
func (s SLO) Bound(r *sim.StrategyResult) float64 {
	st := s.stat(&r.Summary)
	if math.IsNaN(float64(st.High)) {
		return float64(st.Mean)
	}
	return float64(st.High)
}

// Interval returns the SLO metric's estimate and 95 % confidence interval
// (the interval is the estimate itself with a single replication); for a
// "within" SLO, those of the p99, as Bound.
func (s SLO) Interval(r *sim.StrategyResult) (estimate, low, high float64) {
	st := s.stat(&r.Summary)
	estimate, low, high = float64(st.Mean), float64(st.Low), float64(st.High)
	if math.IsNaN(low) || math.IsNaN(high) {
		low, high = estimate, estimate
	}
	return estimate, low, high
}

// FigureMetric names the latency metric Interval returns.
func (s SLO) FigureMetric() string {
	if s.Metric == "within" {
		return "p99"
	}
	return s.Metric
}

// Attained returns the figure a "within" SLO is judged on: the lower end of
// the 95 % confidence interval of the share within, or the mean with a
// single replication.
func Attained(within sim.Stat) float64 {
	if math.IsNaN(float64(within.Low)) {
		return float64(within.Mean)
	}
	return float64(within.Low)
}

// Meets reports whether a result meets the SLO: stable, nothing failed, and
// the bound within the objective (for "within", the share attained at least
// the share asked for).
func (s SLO) Meets(r *sim.StrategyResult, within sim.Stat) bool {
	if r.Unstable || r.Summary.Failed.Mean != 0 {
		return false
	}
	if s.Metric == "within" {
		return Attained(within) >= s.Share
	}
	return s.Bound(r) <= s.Ms
}

// SLOTable prints, for each strategy of a point, the share of requests
// within the SLO's bound (with its 95 % CI), the figure the SLO is judged
// on, and whether the strategy meets it.
func SLOTable(w io.Writer, slo SLO, pt *results.Point) error {
	fmt.Fprintf(w, "SLO %s (judged on the 95%% confidence bound; unstable or failed requests miss it)\n", slo)
	judged := slo.Metric + " bound"
	if slo.Metric == "within" {
		judged = "within, lower bound"
	}
	rows := [][]string{{"strategy", fmt.Sprintf("within %gms", slo.Ms), judged, "meets"}, {"", "% ±95% CI", unitOf(slo), ""}}
	for i := range pt.Strategies {
		r := &pt.Strategies[i]
		within := pt.Within[r.Name]
		fig := msString(slo.Bound(r))
		if slo.Metric == "within" {
			fig = pctOf(Attained(within))
		}
		rows = append(rows, []string{r.Name, sharePct(within), fig, yesNo(slo.Meets(r, within))})
	}
	return results.WriteColumns(w, rows, 1)
}

func unitOf(slo SLO) string {
	if slo.Metric == "within" {
		return "%"
	}
	return "ms"
}

// msString writes milliseconds as the tables do: whole above 100, else one decimal.
func msString(x float64) string {
	switch {
	case math.IsNaN(x):
		return "n/a"
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.1f", x)
}

func pctOf(x float64) string {
	if math.IsNaN(x) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", 100*x)
}

// sharePct writes a share and its CI half width in percent, "99.12 ± 0.05".
func sharePct(st sim.Stat) string {
	if math.IsNaN(float64(st.Low)) || math.IsNaN(float64(st.High)) {
		return pctOf(float64(st.Mean))
	}
	return pctOf(float64(st.Mean)) + " ± " + pctOf(float64(st.High-st.Low)/2)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
