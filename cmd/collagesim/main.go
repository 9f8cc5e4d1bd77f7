// Command collagesim simulates coded redundancy (Collage-CNN, parity models)
// against replication, hedging and no redundancy for image-classification
// serving, calibrates real ONNX models, and reports the results.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// version is the tool's version, written into every results file.
const version = "0.1.0"

const usage = `collagesim: what does coded redundancy buy an image-classification service?

Usage:
  collagesim run [SCENARIO] [flags]     simulate a scenario (default: the paper comparison)
  collagesim validate SCENARIO...       check scenario files, print what is wrong and where
  collagesim scenarios                  list the bundled scenarios
  collagesim sweep SCENARIO [flags]     run every point of the scenario's [sweep] table
  collagesim merge DIR... [flags]       join the point files of sweep shards
  collagesim plan SCENARIO --slo p99=300ms  smallest cluster per strategy that meets an SLO
  collagesim report RESULTS.json [flags]  re-make figures and tables from a results file
  collagesim calibrate [flags]          measure ONNX models into a profile
  collagesim testbed SCENARIO [flags]   run the scenario on real worker processes on loopback
  collagesim compare A.json B.json      simulator vs testbed (or any two runs), metric by metric
  collagesim version

SCENARIO is a file path or the name of a bundled scenario ("default", "mm1", ...).
Run "collagesim COMMAND -h" for a command's flags.
`

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return runMain(rest, stdout, stderr)
	case "validate":
		return validateMain(rest, stdout, stderr)
	case "scenarios":
		return scenariosMain(rest, stdout, stderr)
	case "sweep":
		return sweepMain(rest, stdout, stderr)
	case "merge":
		return mergeMain(rest, stdout, stderr)
	case "plan":
		return planMain(rest, stdout, stderr)
	case "report":
		return reportMain(rest, stdout, stderr)
	case "calibrate":
		return calibrateMain(rest)
	case "testbed":
		return testbedMain(rest, stdout, stderr)
	case "testbed-worker":
		return testbedWorkerMain(rest, stdout, stderr)
	case "compare":
		return compareMain(rest, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "collagesim", version)
		return 0
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "collagesim: unknown command %q\n\n%s", cmd, usage)
	return 2
}

// parseInterspersed parses flags that may come before or after the
// positional arguments, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: collagesim %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
