package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/testbed"
	"github.com/spf13/cobra"
)

func compareCmd(stdout io.Writer) *cobra.Command {
	cmd := command("compare", cobra.ExactArgs(2))
	fs := cmd.Flags()
	out := fs.String("out", "", "also write compare.csv and the overlaid CDFs (compare-cdf.png, .svg) into this folder")
	names := [2]*string{fs.String("a", "", "label of the first run (default: simulator, or testbed for a testbed run)"),
		fs.String("b", "", "label of the second run (default as for --a)")}
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		var rs [2]*results.Results
		var labels [2]string
		for i, p := range args {
			r, err := results.Load(p)
			if err != nil {
				return failed(fmt.Errorf("collagesim compare: %w", err))
			}
			rs[i], labels[i] = r, *names[i]
			if labels[i] == "" {
				labels[i] = map[bool]string{true: "testbed", false: "simulator"}[strings.HasSuffix(r.Tool, " testbed")]
			}
		}
		if labels[0] == labels[1] {
			labels[0], labels[1] = labels[0]+" A", labels[1]+" B"
		}
		rows, err := testbed.Compare(rs[0], rs[1])
		if err != nil {
			return failed(fmt.Errorf("collagesim compare: %w", err))
		}
		fmt.Fprintf(stdout, "A: %s (%s)\nB: %s (%s)\n\n", args[0], labels[0], args[1], labels[1])
		testbed.WriteTable(stdout, rows, labels[0], labels[1])
		if *out == "" {
			return nil
		}
		if err := testbed.WriteCompare(*out, rows, rs[0], rs[1], labels[0], labels[1]); err != nil {
			return failed(fmt.Errorf("collagesim compare: %w", err))
		}
		fmt.Fprintf(stdout, "\nwrote compare.csv, compare-cdf.png and compare-cdf.svg to %s/\n", *out)
		return nil
	}
	return cmd
}
