// Command collagesim simulates coded redundancy (Collage-CNN, parity models)
// against replication, hedging and no redundancy for image-classification
// serving, calibrates real ONNX models, and reports the results. It parses
// flags, calls the packages that do the work, and sets the exit code: 0 done,
// 1 bad input or a failure, 2 a usage error.
package main

import (
	_ "embed"
	"fmt"
	"io"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"

	"github.com/collagesim/collagesim/internal/cli"
	"github.com/collagesim/collagesim/scenarios"
)

// version is the tool's release, written into every results file as
// "collagesim <version>"; `collagesim version` adds the module version and
// VCS commit the binary was built from.
const version = "0.1.0"

// helpText holds each command's synopsis, summary, description and examples.
//
//go:embed help.txt
var helpText string

// simulates names the commands that simulate, whose heap is worth huge
// pages (hugeHeap): a command that only prints would pay for them.
var simulates = map[string]bool{"run": true, "sweep": true, "plan": true}

var (
	failed   = cli.Failed
	usageErr = cli.Usage
)

func main() {
	if len(os.Args) > 1 && simulates[os.Args[1]] {
		hugeHeap()
	}
	// COLLAGESIM_CPUPROFILE=FILE writes a CPU profile of the whole command to
	// FILE (make pgo builds the profile-guided build's default.pgo with it).
	if path := os.Getenv("COLLAGESIM_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "collagesim: COLLAGESIM_CPUPROFILE: %v\n", err)
			os.Exit(1)
		}
		code := realMain(os.Args[1:], os.Stdout, os.Stderr)
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil && code == 0 {
			fmt.Fprintf(os.Stderr, "collagesim: COLLAGESIM_CPUPROFILE: %v\n", err)
			code = 1
		}
		os.Exit(code)
	}
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	return cli.Execute(newRoot(stdout, stderr), args, stderr)
}

func command(name string, args cobra.PositionalArgs) *cobra.Command {
	return cli.Command(helpText, name, args)
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := command("collagesim", cobra.NoArgs)
	root.Version = cli.Version("collagesim", version)
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.RunE = func(cmd *cobra.Command, args []string) error {
		cmd.SetOut(stderr)
		cmd.Usage()
		return &cli.ExitError{Code: 2}
	}
	calibrate := command("calibrate", nil)
	calibrate.DisableFlagParsing = true // calibrateCmd parses its flags, --help included
	calibrate.RunE = func(cmd *cobra.Command, args []string) error {
		if code := calibrateCmd(args, stdout, stderr); code != 0 {
			return &cli.ExitError{Code: code}
		}
		return nil
	}
	ver := command("version", cobra.NoArgs)
	ver.Run = func(*cobra.Command, []string) { fmt.Fprintln(stdout, cli.Version("collagesim", version)) }
	root.AddCommand(runCmd(stdout, stderr), validateCmd(stdout, stderr), scenariosCmd(stdout), sweepCmd(stdout, stderr),
		mergeCmd(stdout), planCmd(stdout), reportCmd(stdout), calibrate, testbedCmd(stdout, stderr), compareCmd(stdout),
		testbedWorkerCmd(stdout), ver)
	cli.WrapFlags(root, 100)
	for _, c := range append(root.Commands(), root) {
		c.SetFlagErrorFunc(cli.FlagError)
		switch c.Name() {
		case "run", "sweep", "plan", "validate":
			c.ValidArgsFunction = completeScenario
		}
	}
	return root
}

// completeScenario offers the bundled scenarios' names, and files.
func completeScenario(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var names []cobra.Completion
	for _, b := range scenarios.Bundled() {
		names = append(names, cobra.CompletionWithDesc(b.Name, b.Summary))
	}
	return names, cobra.ShellCompDirectiveDefault
}
