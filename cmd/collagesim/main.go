// Command collagesim simulates coded redundancy (Collage-CNN, parity models)
// against replication, hedging and no redundancy for image-classification
// serving, calibrates real ONNX models, and reports the results. It parses
// flags, calls the packages that do the work, and sets the exit code: 0 done,
// 1 bad input or a failure, 2 a usage error.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// version is the tool's release, written into every results file as
// "collagesim <version>"; `collagesim version` adds the module version and
// VCS commit the binary was built from.
const version = "0.1.0"

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

// exitError carries an exit code out of a command; err, when set, is printed.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return fmt.Sprint(e.err) }

// failed is bad input or a failure while running: exit 1.
func failed(err error) error { return &exitError{1, err} }

// usageErr is a bad command line: exit 2.
func usageErr(format string, args ...any) error { return &exitError{2, fmt.Errorf(format, args...)} }

func realMain(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, ee.err)
		}
		return ee.code
	}
	// Cobra's own errors: an unknown command or flag, a wrong argument count.
	fmt.Fprintf(stderr, "collagesim: %v\nRun '%s --help' for usage.\n", err, cmd.CommandPath())
	return 2
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "collagesim",
		Short: "What does coded redundancy buy an image-classification service?",
		Long: `collagesim simulates a cluster serving an image classifier, with stragglers, and compares
redundancy strategies (Collage-CNN coded redundancy, parity models, replication, hedging, none) on
common random numbers; it calibrates real ONNX models into latency and accuracy profiles, plans the
smallest cluster that meets a latency SLO, and writes paper-style figures and tables.

SCENARIO is a file path or the name of a bundled scenario ("default", "mm1", ...; see
"collagesim scenarios").`,
		Example: `  collagesim run
  collagesim run mm1 --requests 20000 --out out/mm1
  collagesim plan default --slo p99=300ms`,
		Version:       versionString(),
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cmd.SetOut(stderr)
			cmd.Usage()
			return &exitError{code: 2}
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(runCmd(stdout, stderr), validateCmd(stdout, stderr), scenariosCmd(stdout),
		sweepCmd(stdout, stderr), mergeCmd(stdout, stderr), planCmd(stdout, stderr), reportCmd(stdout),
		calibrateCmd(), versionCmd(stdout))
	for _, c := range root.Commands() {
		c.SetFlagErrorFunc(flagError)
	}
	return root
}

// flagError turns a flag that did not parse into a usage error naming the
// flag: "--seed: must be a non-negative integer, got -1".
func flagError(cmd *cobra.Command, err error) error {
	var bad *pflag.InvalidValueError
	if errors.As(err, &bad) {
		return usageErr("collagesim %s: --%s: %v", cmd.Name(), bad.GetFlag().Name, errors.Unwrap(err))
	}
	return usageErr("collagesim %s: %v\nRun '%s --help' for usage.", cmd.Name(), err, cmd.CommandPath())
}

// calibrateCmd hands its arguments, flags and --help included, to calibrateMain.
func calibrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "calibrate [flags]",
		Short: "Measure ONNX models into a latency and accuracy profile",
		Long: `Build the bundled S-CNN, Collage-CNN and parity models (or take your own ONNX classifiers
with --onnx) and measure latency and accuracy through ONNX Runtime into a profile that scenarios
use. "collagesim calibrate --help" lists its flags.`,
		Example:            `  collagesim calibrate --out out/profiles/local-cpu.toml`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if code := calibrateMain(args); code != 0 {
				return &exitError{code: code}
			}
			return nil
		},
	}
}

func versionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version, module version and VCS commit of this build",
		Long:    "Print collagesim's release, and the module version, VCS commit and Go version the binary was built from (from its build information).",
		Example: "  collagesim version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(stdout, versionString())
			return nil
		},
	}
}

// versionString is the release, then what the binary's build information
// says: module version, VCS commit (with its time, and whether the tree had
// changes) and the Go version.
func versionString() string {
	s := "collagesim " + version
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return s + " (no build information)"
	}
	mod := info.Main.Version
	if mod == "" {
		mod = "unknown"
	}
	vcs := map[string]string{}
	for _, kv := range info.Settings {
		vcs[kv.Key] = kv.Value
	}
	commit := vcs["vcs.revision"]
	if commit == "" {
		commit = "unknown"
	}
	if vcs["vcs.time"] != "" {
		commit += " " + vcs["vcs.time"]
	}
	if vcs["vcs.modified"] == "true" {
		commit += " (modified)"
	}
	return strings.Join([]string{s, "module " + info.Main.Path + " " + mod, "commit " + commit, info.GoVersion}, "\n")
}
