package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

const help = `tool
Does things

What the tool does.

  tool x
---
x [N]
Does x

Does x, twice
over.

  tool x 3
  tool x --n 2`

func testRoot(run func(n int64) error) *cobra.Command {
	root := Command(help, "tool", cobra.NoArgs)
	root.RunE = func(*cobra.Command, []string) error { return &ExitError{Code: 2} }
	x := Command(help, "x", cobra.MaximumNArgs(1))
	n := IntVar(x.Flags(), "n", 1, 1, 9, "how many")
	var seed Uint64
	x.Flags().Var(&seed, "seed", "seed")
	x.RunE = func(*cobra.Command, []string) error { return run(n.V) }
	x.SetFlagErrorFunc(FlagError)
	root.AddCommand(x)
	return root
}

func TestCommandFromHelp(t *testing.T) {
	c := Command(help, "x", nil)
	if c.Use != "x [N]" || c.Short != "Does x" || c.Long != "Does x, twice\nover." || c.Example != "  tool x 3\n  tool x --n 2" {
		t.Errorf("Command = %q %q %q %q", c.Use, c.Short, c.Long, c.Example)
	}
	defer func() {
		if recover() == nil {
			t.Error("no panic for a command without help")
		}
	}()
	Command(help, "y", nil)
}

func TestExecuteExitCodes(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"x"}, 0, ""},
		{[]string{"x", "--help"}, 0, ""},
		{[]string{"x", "--n", "0"}, 2, "tool x: --n: must be an integer from 1 to 9, got 0"},
		{[]string{"x", "--seed", "-1"}, 2, "tool x: --seed: must be a non-negative integer, got -1"},
		{[]string{"x", "--m"}, 2, "unknown flag: --m"},
		{[]string{"x", "1", "2"}, 2, "accepts at most 1 arg"},
		{[]string{"z"}, 2, `unknown command "z"`},
		{[]string{"x", "--n", "5"}, 1, "five"},
		{[]string{"x", "--n", "6"}, 2, "six"},
	} {
		var errb bytes.Buffer
		root := testRoot(func(n int64) error {
			switch n {
			case 5:
				return Failed(errors.New("five"))
			case 6:
				return Usage("six")
			}
			return nil
		})
		root.SetOut(&bytes.Buffer{})
		if code := Execute(root, c.args, &errb); code != c.code || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args, code, errb.String(), c.code, c.want)
		}
	}
}

func TestVersion(t *testing.T) {
	v := Version("tool", "1.2.3")
	if !strings.HasPrefix(v, "tool 1.2.3\n") || !strings.Contains(v, "commit ") || !strings.Contains(v, "go1.") {
		t.Errorf("Version = %q", v)
	}
}
