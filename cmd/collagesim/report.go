package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/collagesim/collagesim/report"
	"github.com/collagesim/collagesim/sim"
)

// writeReport writes the figures, tables and index.html of res into dir.
func writeReport(res *sim.Results, dir string, formats []string) ([]string, error) {
	return report.Write(res, dir, report.Options{Formats: formats})
}

func reportMain(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("report", "report RESULTS.json [flags]", stderr)
	out := fs.String("out", "", "output folder (default: the results file's folder)")
	formats := fs.String("format", "png,svg,pdf", "figure formats: png, svg, pdf")
	baseline := fs.String("baseline", "", "strategy the ratios compare against (default: the first collage strategy)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	res, err := report.Load(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	dir := *out
	if dir == "" {
		dir = filepath.Dir(pos[0])
	}
	paths, err := report.Write(res, dir, report.Options{Formats: splitList(*formats), Baseline: *baseline})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %d files to %s/\n", len(paths), dir)
	return 0
}
