package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/testbed"
)

func compareMain(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("compare", "compare A/results.json B/results.json [flags]", stderr)
	out := fs.String("out", "", "also write compare.csv and the overlaid CDFs (compare-cdf.png, .svg) into this folder")
	nameA := fs.String("a", "", "label of the first run (default: simulator, or testbed for a testbed run)")
	nameB := fs.String("b", "", "label of the second run (default as for -a)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 2 {
		fs.Usage()
		return 2
	}
	var rs [2]*results.Results
	for i, p := range pos {
		if rs[i], err = results.Load(p); err != nil {
			fmt.Fprintln(stderr, "collagesim compare:", err)
			return 1
		}
	}
	label := func(flag string, r *results.Results, path string) string {
		if flag != "" {
			return flag
		}
		if len(r.Tool) > 8 && r.Tool[len(r.Tool)-8:] == " testbed" {
			return "testbed"
		}
		return "simulator"
	}
	la, lb := label(*nameA, rs[0], pos[0]), label(*nameB, rs[1], pos[1])
	if la == lb {
		la, lb = la+" A", lb+" B"
	}
	rows, err := testbed.Compare(rs[0], rs[1])
	if err != nil {
		fmt.Fprintln(stderr, "collagesim compare:", err)
		return 1
	}
	fmt.Fprintf(stdout, "A: %s (%s)\nB: %s (%s)\n\n", pos[0], la, pos[1], lb)
	testbed.WriteTable(stdout, rows, la, lb)
	if *out == "" {
		return 0
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(stderr, "collagesim compare:", err)
		return 1
	}
	var csv []byte
	csv = append(csv, "strategy,metric,a,b,diff_pct,within_ci\n"...)
	for _, r := range rows {
		csv = append(csv, fmt.Sprintf("%s,%s,%g,%g,%g,%s\n", r.Strategy, r.Metric, float64(r.A.Mean), float64(r.B.Mean), r.DiffPct, r.WithinCI)...)
	}
	files := map[string][]byte{"compare.csv": csv}
	for _, f := range []string{"png", "svg"} {
		b, err := testbed.CDFFigure(rs[0], rs[1], la, lb, f)
		if err != nil {
			fmt.Fprintln(stderr, "collagesim compare:", err)
			return 1
		}
		files["compare-cdf."+f] = b
	}
	for _, name := range []string{"compare.csv", "compare-cdf.png", "compare-cdf.svg"} {
		if err := results.WriteFileAtomic(filepath.Join(*out, name), files[name]); err != nil {
			fmt.Fprintln(stderr, "collagesim compare:", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "\nwrote compare.csv, compare-cdf.png and compare-cdf.svg to %s/\n", *out)
	return 0
}
