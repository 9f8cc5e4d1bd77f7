package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/collagesim/collagesim/report"
	"github.com/collagesim/collagesim/results"
)

// plotFlags are the report flags of run, sweep, merge and report.
type plotFlags struct {
	noPlots  *bool
	formats  *string
	width    *string
	baseline *string
}

func addPlotFlags(fs interface {
	Bool(string, bool, string) *bool
	String(string, string, string) *string
}, formats string) plotFlags {
	return plotFlags{
		noPlots:  fs.Bool("no-plots", false, "write no figures or report"),
		formats:  fs.String("format", formats, "figure formats: png, svg, pdf"),
		width:    fs.String("width", "one", "figure width: one (column, 3.5 in) or two (columns, 7 in)"),
		baseline: fs.String("baseline", "", "strategy the ratios compare against (default: the first collage strategy)"),
	}
}

func (p plotFlags) options() (report.Options, error) {
	opt := report.Options{Formats: splitList(*p.formats), Baseline: *p.baseline}
	switch *p.width {
	case "one":
		opt.Width = report.OneColumn
	case "two":
		opt.Width = report.TwoColumn
	default:
		return opt, fmt.Errorf("collagesim: --width %q: want one or two", *p.width)
	}
	return opt, nil
}

// writeReport writes the figures, tables and index.html of res into dir,
// unless the flags say no plots.
func (p plotFlags) writeReport(res *results.Results, dir string) ([]string, error) {
	if *p.noPlots {
		return nil, nil
	}
	opt, err := p.options()
	if err != nil {
		return nil, err
	}
	return report.Write(res, dir, opt)
}

func reportMain(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("report", "report RESULTS.json [flags]", stderr)
	out := fs.String("out", "", "output folder (default: the results file's folder)")
	pf := addPlotFlags(fs, "png,svg,pdf")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	res, err := results.Load(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	dir := *out
	if dir == "" {
		dir = filepath.Dir(pos[0])
	}
	paths, err := pf.writeReport(res, dir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %d files to %s/\n", len(paths), dir)
	return 0
}
