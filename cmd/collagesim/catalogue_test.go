package main

import (
	"bufio"
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/collagesim/collagesim/models"
)

// TestCatalogue runs the binary on every bad or extreme input listed in
// testdata/catalogue/catalogue.txt, one line each:
//
//	ARGS | EXIT | FRAGMENT [&& FRAGMENT]... [| pending: REASON]
//
// ARGS are split on spaces; @NAME is the file testdata/catalogue/NAME, OUT
// the output folder, %REPO% the repository's root, and a Go-quoted argument
// ("\xff") is unquoted. A FRAGMENT must appear in stdout or stderr; !FRAGMENT
// must not. Each input runs in a fresh working directory, and the test checks
// that it exits with EXIT, prints no panic or Go stack, writes nothing outside
// the working directory's OUT folder and leaves no temporary files. Entries
// marked pending describe the behaviour wanted but not yet there; they are
// skipped with the reason.
func TestCatalogue(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "collagesim")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir, err := filepath.Abs(filepath.Join("testdata", "catalogue"))
	if err != nil {
		t.Fatal(err)
	}
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	// calibrate needs ONNX Runtime; the fresh working directories cannot
	// find the repository's cache on their own.
	ort, _ := models.FindLibrary("")
	entries := readCatalogue(t, filepath.Join(dir, "catalogue.txt"))
	if len(entries) < 80 {
		t.Errorf("the catalogue has %d entries; keep at least 80", len(entries))
	}
	for _, e := range entries {
		t.Run(strconv.Itoa(e.line)+"_"+e.name(), func(t *testing.T) {
			if e.pending != "" {
				t.Skip("pending: " + e.pending)
			}
			if e.args[0] == "calibrate" && ort == "" {
				t.Skip("no ONNX Runtime library (make ort)")
			}
			t.Parallel()
			e.run(t, bin, dir, repo, ort)
		})
	}
}

type catalogueEntry struct {
	line      int
	args      []string
	exit      int
	want, not []string
	pending   string
}

func (e *catalogueEntry) name() string {
	var parts []string
	for _, a := range e.args {
		if strings.HasPrefix(a, "@") {
			parts = append(parts, strings.TrimSuffix(filepath.Base(a[1:]), filepath.Ext(a)))
		} else if !strings.HasPrefix(a, "-") && a != "OUT" {
			parts = append(parts, a)
		}
	}
	s := strings.Join(parts, "_")
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}

func readCatalogue(t *testing.T, path string) []*catalogueEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []*catalogueEntry
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, " | ")
		if len(fields) < 3 || len(fields) > 4 {
			t.Fatalf("%s:%d: want ARGS | EXIT | FRAGMENT [| pending: REASON], got %q", path, n, line)
		}
		exit, err := strconv.Atoi(strings.TrimSpace(fields[1]))
		if err != nil {
			t.Fatalf("%s:%d: exit code %q: %v", path, n, fields[1], err)
		}
		e := &catalogueEntry{line: n, args: strings.Fields(fields[0]), exit: exit}
		for _, frag := range strings.Split(fields[2], " && ") {
			frag = strings.TrimSpace(frag)
			if neg, ok := strings.CutPrefix(frag, "!"); ok {
				e.not = append(e.not, neg)
			} else if frag != "" {
				e.want = append(e.want, frag)
			}
		}
		if len(fields) == 4 {
			reason, ok := strings.CutPrefix(strings.TrimSpace(fields[3]), "pending:")
			if !ok {
				t.Fatalf("%s:%d: the fourth field must be \"pending: REASON\"", path, n)
			}
			e.pending = strings.TrimSpace(reason)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// maxOutput bounds what one bad input may print: echoed values are cut.
const maxOutput = 32 << 10

func (e *catalogueEntry) run(t *testing.T, bin, dir, repo, ort string) {
	// The working directory sits three levels down so that a path escaping
	// it ("../../x") still lands inside the temporary tree, where it is seen.
	root := t.TempDir()
	wd := filepath.Join(root, "a", "b", "work")
	if err := os.MkdirAll(wd, 0o755); err != nil {
		t.Fatal(err)
	}
	args := make([]string, len(e.args))
	for i, a := range e.args {
		if q, err := strconv.Unquote(a); err == nil && strings.HasPrefix(a, `"`) {
			a = q // a Go-quoted argument: bytes a line cannot hold
		}
		switch {
		case strings.HasPrefix(a, "@"):
			args[i] = filepath.Join(dir, a[1:])
		case a == "OUT":
			args[i] = "out"
		default:
			a = strings.ReplaceAll(a, "%REPO%", repo)
			args[i] = strings.ReplaceAll(a, "@", dir+string(filepath.Separator))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = wd
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	if ort != "" {
		cmd.Env = append(cmd.Env, models.LibraryEnv+"="+ort)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("collagesim %s: still running after 60 s", strings.Join(e.args, " "))
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	all := stdout.String() + stderr.String()
	show := all
	if len(show) > 2000 {
		show = show[:2000] + "..."
	}
	for _, bad := range []string{"panic:", "goroutine ", "fatal error", "runtime error", "[recovered]"} {
		if strings.Contains(all, bad) {
			t.Errorf("prints %q:\n%s", bad, show)
		}
	}
	if code != e.exit {
		t.Errorf("exit %d, want %d; output:\n%s", code, e.exit, show)
	}
	for _, w := range e.want {
		if !strings.Contains(all, w) {
			t.Errorf("output does not contain %q:\n%s", w, show)
		}
	}
	for _, w := range e.not {
		if strings.Contains(all, w) {
			t.Errorf("output contains %q:\n%s", w, show)
		}
	}
	if len(all) > maxOutput {
		t.Errorf("prints %d bytes, more than %d: echoed input must be cut", len(all), maxOutput)
	}
	// Nothing but the output folder appears, and no temporary files; a
	// command that fails leaves no output folder behind.
	if code != 0 {
		if ents, err := os.ReadDir(filepath.Join(wd, "out")); err == nil && len(ents) > 0 {
			t.Errorf("exit %d but left %d file(s) in the output folder", code, len(ents))
		}
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(wd, p)
		switch {
		case p == root || p == wd || rel == "out" || rel == ".." || rel == filepath.Join("..", ".."):
			return nil
		case !strings.HasPrefix(rel, "out"+string(filepath.Separator)):
			t.Errorf("wrote %s outside the output folder", rel)
		case strings.Contains(d.Name(), ".tmp") || strings.HasPrefix(d.Name(), ".") || strings.HasSuffix(d.Name(), "~"):
			t.Errorf("left a temporary file %s", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
