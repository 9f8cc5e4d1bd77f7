// Package cli is the plumbing of collagesim's command line: exit codes
// carried by errors, flag values that say what they allow, commands built
// from a help text, and the version from the binary's build information.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
)

// ExitError carries an exit code out of a command; Err, when set, is printed.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return fmt.Sprint(e.Err) }
func (e *ExitError) Unwrap() error { return e.Err }

// Failed is bad input or a failure while running: exit 1.
func Failed(err error) error { return &ExitError{1, err} }

// Usage is a bad command line: exit 2.
func Usage(format string, args ...any) error { return &ExitError{2, fmt.Errorf(format, args...)} }

// Execute runs root with args and returns the exit code: 0, the code of an
// ExitError (its message printed to stderr), or 2 for cobra's own errors (an
// unknown command, a wrong argument count).
func Execute(root *cobra.Command, args []string, stderr io.Writer) int {
	root.SetArgs(args)
	root.SilenceErrors, root.SilenceUsage = true, true
	cmd, err := root.ExecuteC()
	var ee *ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ee.Err != nil {
			fmt.Fprintln(stderr, ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintf(stderr, "%s: %v\nRun '%s --help' for usage.\n", cmd.CommandPath(), err, cmd.CommandPath())
	return 2
}

// WrapFlags makes the help of cmd and its subcommands wrap flag
// descriptions at width columns.
func WrapFlags(cmd *cobra.Command, width int) {
	cobra.AddTemplateFunc("wrapFlags", func(fs *pflag.FlagSet) string { return fs.FlagUsagesWrapped(width) })
	t := cmd.UsageTemplate()
	t = strings.ReplaceAll(t, ".LocalFlags.FlagUsages", "wrapFlags .LocalFlags")
	t = strings.ReplaceAll(t, ".InheritedFlags.FlagUsages", "wrapFlags .InheritedFlags")
	cmd.SetUsageTemplate(t)
}

// FlagError turns a flag that did not parse into a usage error that names
// the flag: "collagesim run: --seed: must be a non-negative integer, got -1".
func FlagError(cmd *cobra.Command, err error) error {
	var bad *pflag.InvalidValueError
	if errors.As(err, &bad) {
		return Usage("%s: --%s: %v", cmd.CommandPath(), bad.GetFlag().Name, errors.Unwrap(err))
	}
	return Usage("%s: %v\nRun '%s --help' for usage.", cmd.CommandPath(), err, cmd.CommandPath())
}

// Command makes the command whose section of help starts with name. Sections
// are separated by a line "---"; each is the synopsis line, a one-line
// summary, the description, and last, after a blank line, the examples.
func Command(help, name string, args cobra.PositionalArgs) *cobra.Command {
	for _, sec := range strings.Split(help, "\n---\n") {
		use, rest, _ := strings.Cut(sec, "\n")
		if f := strings.Fields(use); len(f) == 0 || f[0] != name {
			continue
		}
		short, rest, _ := strings.Cut(rest, "\n")
		rest = strings.TrimRight(rest, "\n")
		i := strings.LastIndex(rest, "\n\n")
		if i < 0 {
			panic("cli: help of " + name + " has no examples")
		}
		return &cobra.Command{Use: use, Short: short, Long: strings.TrimSpace(rest[:i]), Example: rest[i+2:], Args: args}
	}
	panic("cli: no help text for " + name)
}

// Int is an integer flag within [Lo, Hi] whose error says what is allowed:
// "must be an integer from 1 to 4096, got 0".
type Int struct{ V, Lo, Hi int64 }

func (f *Int) String() string { return strconv.FormatInt(f.V, 10) }
func (f *Int) Type() string   { return "int" }
func (f *Int) Set(s string) error {
	x, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || x < f.Lo || x > f.Hi {
		return fmt.Errorf("must be an integer from %d to %d, got %s", f.Lo, f.Hi, s)
	}
	f.V = x
	return nil
}

// IntVar adds an Int flag to fs.
func IntVar(fs *pflag.FlagSet, name string, def, lo, hi int64, usage string) *Int {
	f := &Int{def, lo, hi}
	fs.Var(f, name, usage)
	return f
}

// Uint64 is a flag of any non-negative 64-bit integer (a seed).
type Uint64 struct{ V uint64 }

func (f *Uint64) String() string { return strconv.FormatUint(f.V, 10) }
func (f *Uint64) Type() string   { return "uint" }
func (f *Uint64) Set(s string) (err error) {
	if f.V, err = strconv.ParseUint(strings.TrimSpace(s), 10, 64); err != nil {
		return fmt.Errorf("must be a non-negative integer, got %s", s)
	}
	return nil
}

// Version is "<name> <release>", then what the binary's build information
// says: module path and version, VCS commit (its time, and whether the tree
// had changes) and the Go version.
func Version(name, release string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return name + " " + release + "\n(no build information)"
	}
	vcs := map[string]string{"vcs.revision": "unknown"}
	for _, kv := range info.Settings {
		vcs[kv.Key] = kv.Value
	}
	commit := strings.TrimSpace(vcs["vcs.revision"] + " " + vcs["vcs.time"])
	if vcs["vcs.modified"] == "true" {
		commit += " (modified)"
	}
	return fmt.Sprintf("%s %s\nmodule %s %s\ncommit %s\n%s", name, release, info.Main.Path, info.Main.Version, commit, info.GoVersion)
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// OnInterrupt removes the temporary files of unfinished atomic writes
// (".NAME.*.tmp") under dir, up to two folders deep, when the process is
// interrupted (SIGINT, SIGTERM), prints note and exits 130: what was
// complete stays, nothing half-written does. The returned function stops
// watching.
func OnInterrupt(dir string, stderr io.Writer, note string) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-ch:
			for _, pat := range []string{".*.tmp", "*/.*.tmp", "*/*/.*.tmp"} {
				m, _ := filepath.Glob(filepath.Join(dir, pat))
				for _, p := range m {
					os.Remove(p)
				}
			}
			fmt.Fprintln(stderr, "\ncollagesim: interrupted; "+note)
			os.Exit(130)
		case <-done:
		}
	}()
	return func() { signal.Stop(ch); close(done) }
}
