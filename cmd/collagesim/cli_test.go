package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/scenarios"
)

// Every command's --help (and -h) exits 0 and shows a description, an
// example and its flags with two dashes.
func TestHelpExitsZero(t *testing.T) {
	for _, cmd := range []string{"run", "validate", "scenarios", "sweep", "merge", "plan", "report", "version", "completion"} {
		for _, h := range []string{"--help", "-h"} {
			code, out, errs := run(t, cmd, h)
			if code != 0 {
				t.Errorf("%s %s exited %d: %s", cmd, h, code, errs)
			}
			checkWidth(t, cmd+" "+h, out)
			for _, want := range []string{"Usage:", "Examples:", "collagesim " + cmd, "--help"} {
				if cmd == "completion" && want == "Examples:" {
					continue
				}
				if !strings.Contains(out, want) {
					t.Errorf("%s %s: no %q in\n%s", cmd, h, want, out)
				}
			}
		}
	}
	for _, c := range [][]string{{"run", "--help"}, {"sweep", "--help"}, {"plan", "--help"}} {
		_, out, _ := run(t, c...)
		for _, flag := range []string{"--out", "--profile", "--quiet", "--slo", "--requests"} {
			if !strings.Contains(out, flag) {
				t.Errorf("%s --help lists no %s", c[0], flag)
			}
		}
	}
	if code, out, _ := run(t, "validate", "--help"); code != 0 || !strings.Contains(out, "validate SCENARIO...") {
		t.Errorf("validate --help exited %d:\n%s", code, out)
	}
	if code, _, _ := run(t, "calibrate", "--help"); code != 0 {
		t.Errorf("calibrate --help exited %d", code)
	}
	if code, out, _ := run(t, "help", "run"); code != 0 || !strings.Contains(out, "Examples:") {
		t.Errorf("help run exited %d", code)
	}
	if code, _, errs := run(t); code != 2 || !strings.Contains(errs, "Available Commands") {
		t.Errorf("no command exited %d: %s", code, errs)
	}
}

func TestVersionAndCompletion(t *testing.T) {
	code, out, _ := run(t, "version")
	if code != 0 || !strings.HasPrefix(out, "collagesim "+version+"\n") || !strings.Contains(out, "commit ") || !strings.Contains(out, "go1.") {
		t.Errorf("version exited %d:\n%s", code, out)
	}
	if code, out, _ := run(t, "__complete", "run", ""); code != 0 || !strings.Contains(out, "default\t") || !strings.Contains(out, "mm1\t") {
		t.Errorf("completing a scenario name: exit %d:\n%s", code, out)
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, errs := run(t, "completion", shell)
		if code != 0 || !strings.Contains(out, "collagesim") || len(out) < 1000 {
			t.Errorf("completion %s exited %d: %s", shell, code, errs)
		}
	}
}

// Bad flags are refused before anything runs: the exit code, the flag named
// in the message, and no output folder.
func TestFlagRefusalsBeforeSimulation(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "default", "--workers", "0"}, 2, "--workers: must be an integer from 1 to"},
		{[]string{"run", "default", "--workers", "-3"}, 2, "--workers: must be an integer from 1 to"},
		{[]string{"run", "default", "--seed", "-1"}, 2, "--seed: must be a non-negative integer, got -1"},
		{[]string{"run", "default", "--requests", "0"}, 2, "--requests: must be an integer from 1 to"},
		{[]string{"run", "default", "--replications", "100000000"}, 2, "--replications: must be an integer from 1 to 1000,"},
		{[]string{"run", "default", "--format", "gif"}, 2, `--format "gif": want any of png, svg, pdf`},
		{[]string{"run", "default", "--width", "three"}, 2, `--width "three"`},
		{[]string{"run", "default", "--baseline", "nope"}, 2, `--baseline "nope": no such strategy (have none,`},
		{[]string{"run", "default", "--slo", "p98=1s"}, 2, "--slo"},
		{[]string{"run", "default", "--frobnicate"}, 2, "unknown flag: --frobnicate"},
		{[]string{"run", "a", "b"}, 2, "accepts at most 1 arg"},
		{[]string{"run", "no-such-scenario"}, 1, "no-such-scenario"},
		{[]string{"run", "default", "--profile", "nope.toml"}, 1, "nope.toml"},
		{[]string{"sweep", "capacity-sweep", "--baseline", "nope"}, 2, `--baseline "nope"`},
		{[]string{"sweep", "capacity-sweep", "--format", "gif"}, 2, `--format "gif"`},
		{[]string{"sweep", "capacity-sweep", "--shard", "3/3"}, 2, "--shard"},
		{[]string{"plan", "mm1", "--slo", "p99=1s", "--max-servers", "0"}, 2, "--max-servers: must be an integer from 1 to"},
		{[]string{"plan", "mm1"}, 2, "--slo is required"},
		{[]string{"plan", "mm1", "--slo", "p99"}, 2, "METRIC=DURATION"},
		{[]string{"report", filepath.Join(dir, "missing.json")}, 1, "does not exist"},
		{[]string{"report", dir}, 1, "is a folder with no results.json in it"},
	} {
		args := append(c.args, "--out", out)
		code, _, errs := run(t, args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args, code, errs, c.code, c.want)
		}
		if strings.Contains(errs, "panic") || strings.Contains(errs, "goroutine") {
			t.Errorf("%v: %s", c.args, errs)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("%v: wrote %s before refusing", c.args, out)
		}
	}
}

// The run tables fit a terminal of 100 columns for every bundled scenario,
// with and without an SLO.
func TestRunTableFits100Columns(t *testing.T) {
	for _, b := range scenarios.Bundled() {
		if _, _, err := scenarios.LoadBundled(b.Name); err != nil {
			t.Logf("%s: %v (skipped)", b.Name, err)
			continue
		}
		args := []string{"run", b.Name, "--requests", "400", "--replications", "2", "--no-plots", "--out", t.TempDir()}
		if b.Name == "default" {
			args = append(args, "--slo", "within=300ms@99.9%")
		}
		code, out, errs := run(t, args...)
		if code != 0 {
			t.Errorf("%s: exit %d: %s", b.Name, code, errs)
			continue
		}
		checkWidth(t, b.Name, out)
	}
}

func checkWidth(t *testing.T, name, out string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, os.TempDir()) {
			continue // a path the test chose
		}
		if n := utf8.RuneCountInString(line); n > results.Width {
			t.Errorf("%s: a line of %d columns:\n%s", name, n, line)
		}
	}
}

// The table at the end of every bundled sweep fits 100 columns.
func TestSweepTablesFit100Columns(t *testing.T) {
	for _, b := range scenarios.Bundled() {
		_, meta, err := scenarios.LoadBundled(b.Name)
		if err != nil || meta.Sweep == nil {
			continue
		}
		code, out, errs := run(t, "sweep", b.Name, "--requests", "200", "--replications", "2", "--no-plots", "--slo", "p99=1s", "--out", t.TempDir())
		if code != 0 {
			t.Errorf("%s: exit %d: %s", b.Name, code, errs)
			continue
		}
		checkWidth(t, b.Name, out)
	}
}

// run refuses a folder holding another scenario's results, names the folder
// and the ways out, and with --force replaces collagesim's files only.
func TestRunOutputFolder(t *testing.T) {
	dir := t.TempDir()
	small := []string{"--requests", "300", "--replications", "2", "--no-plots", "--out", dir}
	if code, _, errs := run(t, append([]string{"run", "mm1", "--trace"}, small...)...); code != 0 {
		t.Fatal(errs)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	code, _, errs := run(t, append([]string{"run", "default"}, small...)...)
	if code != 1 || !strings.Contains(errs, dir) || !strings.Contains(errs, `scenario "mm1"`) || !strings.Contains(errs, "--force") {
		t.Errorf("run into another scenario's folder: exit %d, %s", code, errs)
	}
	if code, _, errs := run(t, append([]string{"run", "mm1"}, small...)...); code != 0 {
		t.Errorf("rerun of the same scenario: %s", errs)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "trace-*.csv")); len(m) != 0 {
		t.Errorf("old traces left beside new results: %v", m)
	}
	if code, _, errs := run(t, append([]string{"run", "default", "--force"}, small...)...); code != 0 {
		t.Errorf("--force: %s", errs)
	}
	if res, err := results.Load(filepath.Join(dir, "results.json")); err != nil || res.Scenario != "default" {
		t.Errorf("after --force: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "notes.txt")); err != nil || string(b) != "mine" {
		t.Errorf("--force removed a file collagesim did not write")
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "thesis.tex"), nil, 0o644)
	if code, _, errs := run(t, "run", "mm1", "--requests", "300", "--no-plots", "--out", other); code != 1 || !strings.Contains(errs, "not empty") {
		t.Errorf("run into a folder of other files: exit %d, %s", code, errs)
	}
}

// A sweep ends with a table of every point, its summary.csv has numeric
// swept values in base units, and --slo adds the share within to both.
func TestSweepTableAndSummary(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, "sweep", "capacity-sweep", "--requests", "500", "--replications", "2", "--no-plots", "--out", dir, "--slo", "within=1s")
	if code != 0 {
		t.Fatalf("sweep exited %d: %s", code, errs)
	}
	checkWidth(t, "capacity-sweep", out)
	if !strings.Contains(out, "within 1000ms") || !strings.Contains(out, "servers") || !strings.Contains(out, "9 points merged") {
		t.Errorf("no sweep table:\n%s", out)
	}
	f, err := os.Open(filepath.Join(dir, "summary.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	for _, name := range []string{"point", "seed", "pools.scnn.servers", "arrivals.rate_per_s", "within_slo", "within_slo_ci_low", "p99_ms_ci_high"} {
		if _, ok := col[name]; !ok {
			t.Fatalf("summary.csv has no column %q: %v", name, rows[0])
		}
	}
	if r := rows[len(rows)-1]; r[col["arrivals.rate_per_s"]] != "40" || r[col["point"]] != "8" || r[col["slo_ms"]] != "1000" {
		t.Errorf("last row: rate %q point %q slo_ms %q", r[col["arrivals.rate_per_s"]], r[col["point"]], r[col["slo_ms"]])
	}
}

// The README's planning example finishes with a plan, not a panic, when the
// SLO cannot be met at any size or rate.
func TestPlanUnreachableSLO(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, "plan", "default", "--slo", "p99=300ms", "--requests", "1000", "--replications", "2", "--max-servers", "12", "--out", dir)
	if code != 0 {
		t.Fatalf("plan exited %d: %s", code, errs)
	}
	checkWidth(t, "plan", out)
	if !strings.Contains(out, "collage-3x3") || !strings.Contains(out, "within 300ms") {
		t.Errorf("plan table:\n%s", out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "plan.csv"))
	if err != nil || !strings.HasPrefix(string(b), "strategy,slo,met,") {
		t.Errorf("plan.csv: %v\n%s", err, b)
	}
}
