package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/collagesim/collagesim/results"
)

func reportCmd(stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report RESULTS.json [flags]",
		Short: "Re-make figures and tables from a results file",
		Long: `Read a results.json that run, sweep or merge wrote and make its figures (PNG, SVG and PDF by
default), tables (table.csv, table.tex, report.md) and index.html again, with other formats, width,
baseline or sweep point; no simulation is run.`,
		Example: `  collagesim report out/default/results.json --format pdf --width two
  collagesim report out/capacity-sweep/results.json --point 4 --out figs/`,
		Args: cobra.ExactArgs(1),
	}
	fs := cmd.Flags()
	out := fs.String("out", "", "output folder (default: the results file's folder)")
	point := intVar(fs, "point", 0, 0, 1<<30, "sweep point the single-run figures (CDF, p99, ...) show")
	rf := addReportFlags(fs, []string{"png", "svg", "pdf"})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		opt, err := rf.options("report")
		if err != nil {
			return err
		}
		opt.Point = int(point.v)
		res, err := results.Load(args[0])
		if err != nil {
			return failed(err)
		}
		dir := *out
		if dir == "" {
			dir = filepath.Dir(args[0])
		}
		paths, err := rf.write(res, dir, opt)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %d files to %s/\n", len(paths), dir)
		return nil
	}
	return cmd
}
