package main

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzArgs runs the command line in-process on fuzzed arguments: it must
// exit 0, 1 or 2 and never panic. The input is split into arguments on NUL
// bytes; commands that run simulations get small overrides appended (later
// flags win), and calibrate, which trains models, is left out. Run it with
//
//	go test ./cmd/collagesim -run '^$' -fuzz '^FuzzArgs$' -fuzztime 3m -parallel 2
func FuzzArgs(f *testing.F) {
	for _, s := range []string{
		"validate\x00default",
		"validate\x00mm1\x00sweep-load",
		"run\x00mm1\x00--seed\x003",
		"run\x00default\x00--profile\x00builtin:paper-cloud",
		"run\x00--seed\x00-1",
		"run\x00--workers\x000",
		"run\x00mm1\x00--format\x00gif",
		"sweep\x00sweep-load",
		"report\x00missing.json",
		"report\x00../../results/testdata/run.json\x00--baseline\x00x",
		"scenarios",
		"version",
		"frob",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		args := strings.Split(in, "\x00")
		if len(args) > 0 && (args[0] == "calibrate" || args[0] == "plan") {
			return
		}
		if len(args) > 0 && (args[0] == "run" || args[0] == "sweep" || args[0] == "merge" || args[0] == "report") {
			t.Chdir(t.TempDir())
		}
		if len(args) > 0 && (args[0] == "run" || args[0] == "sweep") {
			args = append(args, "--requests", "20", "--replications", "1", "--no-plots", "--workers", "1")
		}
		var stdout, stderr bytes.Buffer
		code := realMain(args, &stdout, &stderr)
		if code < 0 || code > 2 {
			t.Fatalf("exit %d for %q", code, args)
		}
		if code != 0 && stderr.Len() == 0 && stdout.Len() == 0 {
			t.Fatalf("exit %d with no message for %q", code, args)
		}
		// Messages about input files echo what they quote safely. (The flag
		// package's own messages, "flag provided but not defined: -NAME",
		// echo a flag name as given; they are not held to this here.)
		for _, line := range strings.Split(stderr.String(), "\n") {
			if strings.HasPrefix(line, "scenarios: ") && !utf8.ValidString(line) {
				t.Fatalf("message is not UTF-8 for %q: %q", args, line)
			}
		}
	})
}
