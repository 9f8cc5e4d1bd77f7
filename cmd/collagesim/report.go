package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/collagesim/collagesim/internal/cli"
	"github.com/collagesim/collagesim/results"
)

func reportCmd(stdout io.Writer) *cobra.Command {
	cmd := command("report", cobra.ExactArgs(1))
	fs := cmd.Flags()
	out := fs.String("out", "", "output folder (default: the results file's folder)")
	point := cli.IntVar(fs, "point", 0, 0, 1<<30, "sweep point the single-run figures (CDF, p99, ...) show")
	rf := cli.AddReportFlags(fs, []string{"png", "svg", "pdf"})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if _, err := rf.Options("report", nil); err != nil {
			return err
		}
		res, err := results.Load(args[0])
		if err != nil {
			return failed(err)
		}
		opt, err := rf.Options("report", &res.Points[0])
		if err != nil {
			return err
		}
		opt.Point = int(point.V)
		if *out == "" {
			*out = filepath.Dir(results.Path(args[0]))
		}
		paths, err := rf.Write(res, *out, opt)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %d files to %s/\n", len(paths), *out)
		return nil
	}
	return cmd
}
