package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/sim"
)

// Options says what Write makes. The zero value is a one-column report with
// every format, against the default baseline.
type Options struct {
	// Formats of the figures: any of "png", "svg", "pdf". Empty means all.
	Formats []string
	// Baseline names the strategy the ratios compare against. Empty means the
	// first strategy of kind "collage", else the first strategy.
	Baseline string
	// Width is the printed width of the figures.
	Width Width
	// DPI is the resolution of PNG figures; 0 means 300.
	DPI int
	// Point is the index (position in the results) of the sweep point the
	// per-point figures (CDF, p99, accuracy, cost) show. Sweep figures and
	// tables show every point.
	Point int
	// AllPoints makes the per-point figures for every point of a sweep, named
	// with the point's index ("cdf-point3"), instead of for Point alone.
	AllPoints bool
	// HeatmapStrategy restricts the p99 heat maps of a two-parameter sweep to
	// one strategy. Empty means one heat map per strategy.
	HeatmapStrategy string
	// NoHTML skips index.html.
	NoHTML bool
}

// resolved is Options checked against one results file.
type resolved struct {
	Options
	lk       look
	names    []string // every strategy, in order of first appearance
	index    map[string]int
	short    map[string]string // names as figures print them
	slots    map[string]int    // style slot of each name (styleSlotsByName)
	baseline string
}

func resolve(res *results.Results, opt Options) (*resolved, error) {
	if err := results.Check(res); err != nil {
		return nil, err
	}
	r := &resolved{Options: opt, lk: lookFor(opt.Width), index: map[string]int{}, short: map[string]string{}}
	if opt.Width != OneColumn && opt.Width != TwoColumn {
		return nil, fmt.Errorf("report: unknown width %d", int(opt.Width))
	}
	if len(r.Formats) == 0 {
		r.Formats = Formats
	}
	for _, f := range r.Formats {
		if !slices.Contains(Formats, f) {
			return nil, fmt.Errorf("report: unknown figure format %q (want any of %s)", f, strings.Join(Formats, ", "))
		}
	}
	if r.DPI == 0 {
		r.DPI = defaultDPI
	}
	if r.DPI < 0 {
		return nil, fmt.Errorf("report: DPI %d must be positive", r.DPI)
	}
	if r.Point < 0 || r.Point >= len(res.Points) {
		return nil, fmt.Errorf("report: point %d: results hold points 0 to %d", r.Point, len(res.Points)-1)
	}
	kinds := map[string]string{}
	for _, pt := range res.Points {
		for _, s := range pt.Strategies {
			if _, ok := r.index[s.Name]; !ok {
				r.index[s.Name] = len(r.names)
				r.names = append(r.names, s.Name)
				kinds[s.Name] = s.Kind
			}
		}
	}
	r.slots = styleSlotsByName(r.names)
	short := shortNames(r.names)
	for i, n := range r.names {
		r.short[n] = short[i]
	}
	all := results.Point{}
	for _, n := range r.names {
		all.Strategies = append(all.Strategies, sim.StrategyResult{Name: n, Kind: kinds[n]})
	}
	base, err := results.Baseline(&all, opt.Baseline)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	r.baseline = base
	if opt.HeatmapStrategy != "" {
		if _, ok := r.index[opt.HeatmapStrategy]; !ok {
			return nil, fmt.Errorf("report: heat map strategy %q: no such strategy (have %s)", opt.HeatmapStrategy, strings.Join(r.names, ", "))
		}
	}
	return r, nil
}

// DefaultBaseline is the strategy ratios compare against when Options.Baseline
// is empty: the first strategy of kind "collage", else the first strategy.
func DefaultBaseline(res *results.Results) (string, error) {
	r, err := resolve(res, Options{})
	if err != nil {
		return "", err
	}
	return r.baseline, nil
}
