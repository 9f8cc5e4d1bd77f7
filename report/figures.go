package report

import (
	"strconv"
	"strings"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

// Figures builds every figure of a report: the per-point figures of the
// chosen point (or of every point with Options.AllPoints), and for a sweep the
// p99, p99.9, mean latency, cost and accuracy against each swept parameter
// and, when exactly two parameters are swept, p99 heat maps.
func Figures(res *results.Results, opt Options) ([]*Figure, error) {
	r, err := resolve(res, opt)
	if err != nil {
		return nil, err
	}
	figs, _ := r.figures(res)
	return figs, nil
}

// figures returns the figures, and the names of those with nothing to draw
// (no strategy has the numbers they show).
func (r *resolved) figures(res *results.Results) (figs []*Figure, empty []string) {
	used := map[string]bool{}
	add := func(name, title string, l *layout) {
		if l == nil {
			empty = append(empty, name)
			return
		}
		// Names that fileSafe made equal ("a b", "a_b") get a number.
		for base, i := name, 2; used[name]; i++ {
			name = base + "-" + strconv.Itoa(i)
		}
		used[name] = true
		w, h := l.size()
		figs = append(figs, &Figure{Name: name, Title: title, Width: w, Height: h, layout: l})
	}
	points := []int{r.Point}
	if r.AllPoints {
		points = points[:0]
		for i := range res.Points {
			points = append(points, i)
		}
	}
	sweep := len(res.Points) > 1
	for _, i := range points {
		pt := res.Points[i]
		suffix, at, head := "", "", ""
		if r.AllPoints && sweep {
			suffix = "-point" + strconv.Itoa(pt.Index)
		}
		if sweep || len(pt.Params) > 0 {
			head = pointHeading(res, i)
			at = " at " + head
		}
		// Every per-point figure of a sweep names its point above its plot.
		titled := func(l *layout) *layout {
			if l != nil {
				l.title = head
			}
			return l
		}
		add("cdf"+suffix, "Latency CDF"+at, titled(r.cdf(pt)))
		add("ccdf"+suffix, "Latency tail: share of requests slower than x (log scale)"+at, titled(r.ccdf(pt)))
		add("p99"+suffix, "p99 latency with 95 % confidence intervals"+at, titled(r.p99(pt)))
		add("mean-std"+suffix, "Mean and standard deviation of latency"+at, titled(r.meanStd(pt)))
		add("variance-ratio"+suffix, "Latency variance relative to "+r.baseline+at, titled(r.varianceRatio(pt)))
		add("accuracy-p99"+suffix, "Accuracy against p99 latency"+at, titled(r.accuracyP99(pt)))
		add("cost-p99"+suffix, "Cost per hour against p99 latency"+at, titled(r.costP99(pt)))
		if res.SLO != nil {
			add("slo"+suffix, "Share of requests within the SLO ("+res.SLO.Objective+") with 95 % confidence intervals"+at, titled(r.sloShares(res, pt)))
		}
	}
	if sweep && len(res.SweepParams) > 0 {
		metrics := sweepMetrics
		if res.SLO != nil {
			metrics = append(metrics[:len(metrics):len(metrics)], withinMetric(res.SLO))
		}
		for _, m := range metrics {
			for k, key := range res.SweepParams {
				add("sweep-"+m.file+"-"+fileSafe(key), capitalise(m.name)+" against "+humanKey(key)+" ("+key+"), every point", r.sweepLines(res, k, m))
			}
		}
		if len(res.SweepParams) == 2 {
			for _, name := range r.names {
				if r.HeatmapStrategy != "" && name != r.HeatmapStrategy {
					continue
				}
				add("heatmap-p99-"+fileSafe(name), "p99 latency of "+name+" over "+humanKey(res.SweepParams[0])+" and "+humanKey(res.SweepParams[1])+", every point", r.heatmap(res, name))
			}
		}
	}
	return figs, empty
}

func capitalise(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// pointHeading names the point at position i of a sweep in words, with the
// index of its points/point-NNNNN.json: "point 3: S-CNN servers = 9, arrival
// rate = 60/s".
func pointHeading(res *results.Results, i int) string {
	pt := res.Points[i]
	h := "point " + strconv.Itoa(pt.Index)
	if len(pt.Params) == 0 {
		return h
	}
	parts := make([]string, len(pt.Params))
	for j, p := range pt.Params {
		parts[j] = humanKey(p.Key) + " = " + p.Value
	}
	return h + ": " + strings.Join(parts, ", ")
}

// fileSafe makes a strategy or parameter name usable in a file name.
func fileSafe(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.', c == '_':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// label is a strategy's name as figures print it.
func (r *resolved) label(s sim.StrategyResult) string {
	n := r.short[s.Name]
	if s.Unstable {
		n += " (unstable)"
	}
	return n
}

func (r *resolved) style(name string) strategyStyle { return styleOf(r.slots[name]) }
