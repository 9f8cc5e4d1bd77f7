package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	flag "github.com/spf13/pflag"

	"github.com/collagesim/collagesim/calibrate"
)

// calibrateCmd runs "collagesim calibrate"; it returns the exit code.
func calibrateCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("calibrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	fs.Usage = func() { fmt.Fprint(stderr, calibrate.Usage); fs.PrintDefaults() }
	c := calibrate.Config{Warn: stderr, Opt: calibrate.Options{Log: stderr, Command: "collagesim calibrate " + strings.Join(args, " ")}}
	quiet := calibrate.Flags(fs, &c)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "collagesim calibrate: %v\nRun 'collagesim calibrate --help' for usage.\n", err)
		return 2
	}
	bad := ""
	if fs.NArg() > 0 {
		bad = fmt.Sprintf("unexpected arguments %q (flags only)", fs.Args())
	}
	if err := calibrate.CheckFlags(fs); err != nil && bad == "" {
		bad = withoutPackage(err)
	}
	if bad != "" {
		fmt.Fprintln(stderr, "collagesim calibrate:", bad)
		return 2
	}
	if *quiet {
		c.Opt.Log = nil
	}
	if err := calibrate.Main(c, stdout); err != nil {
		fmt.Fprintln(stderr, "collagesim calibrate:", withoutPackage(err))
		if errors.Is(err, calibrate.ErrUsage) {
			return 2
		}
		return 1
	}
	return 0
}

// withoutPackage is err's message less the calibrate package's "calibrate: "
// prefix, which the package keeps for its callers: under "collagesim
// calibrate:" it would name the command twice.
func withoutPackage(err error) string {
	msg := err.Error()
	for {
		rest, ok := strings.CutPrefix(msg, "calibrate: ")
		if !ok {
			return msg
		}
		msg = rest
	}
}
