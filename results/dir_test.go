package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// No scenario name leads outside out/.
func TestDefaultDir(t *testing.T) {
	for name, want := range map[string]string{
		"default":                "out/default",
		"../../escaped":          "out/_.._escaped",
		"/etc/passwd":            "out/_etc_passwd",
		"..":                     "out/scenario",
		"a b\x00c":               "out/a_b_c",
		"ünïcode":                "out/_n_code",
		strings.Repeat("x", 300): "out/" + strings.Repeat("x", 100),
	} {
		got := DefaultDir(name)
		if got != want {
			t.Errorf("DefaultDir(%q) = %q, want %q", name, got, want)
		}
		if rel, err := filepath.Rel("out", got); err != nil || strings.HasPrefix(rel, "..") || strings.Contains(rel, "/") {
			t.Errorf("DefaultDir(%q) = %q leaves out/", name, got)
		}
	}
}

func TestPrepareDir(t *testing.T) {
	res := &Results{Version: ResultsVersion, Tool: "collagesim test", Scenario: "a", Points: []Point{{Strategies: smallResults(t).Points[0].Strategies}}}
	dir := filepath.Join(t.TempDir(), "new")
	if err := PrepareDir(dir, "a", false); err != nil {
		t.Fatalf("new folder: %v", err)
	}
	if _, err := Write(dir, res); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "trace-x-rep0.csv"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "mine.txt"), nil, 0o644)
	if err := PrepareDir(dir, "b", false); err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "--force") {
		t.Errorf("another scenario's folder: %v", err)
	}
	if err := PrepareDir(dir, "a", false); err != nil {
		t.Errorf("same scenario: %v", err)
	}
	for _, gone := range []string{"results.json", "summary.csv", "trace-x-rep0.csv"} {
		if _, err := os.Stat(filepath.Join(dir, gone)); err == nil {
			t.Errorf("%s of the earlier run left to mix with the new one", gone)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "mine.txt")); err != nil {
		t.Errorf("a file collagesim did not write was removed")
	}
	if err := PrepareDir(dir, "a", false); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("folder of other files: %v", err)
	}
	if err := PrepareDir(dir, "a", true); err != nil {
		t.Errorf("--force: %v", err)
	}
	points := t.TempDir()
	os.Mkdir(filepath.Join(points, "points"), 0o755)
	if err := PrepareDir(points, "a", false); err != nil {
		t.Errorf("a sweep's shared folder: %v", err)
	}
	os.WriteFile(filepath.Join(points, "points", "point-00000.json"), []byte(`{"version":1,"header":{"scenario":"b"}}`), 0o644)
	if err := PrepareDir(points, "b", false); err != nil {
		t.Errorf("the same sweep's shared folder: %v", err)
	}
	if err := PrepareDir(points, "a", false); err == nil || !strings.Contains(err.Error(), `sweep points of scenario "b"`) {
		t.Errorf("another sweep's points: %v", err)
	}
	ro := filepath.Join(t.TempDir(), "ro")
	os.Mkdir(ro, 0o555)
	if os.Getuid() != 0 {
		if err := PrepareDir(ro, "a", false); err == nil || !strings.Contains(err.Error(), "not writable") {
			t.Errorf("read-only folder: %v", err)
		}
	}
}

// A strategy's name cannot send its trace file outside the folder.
func TestTraceFileNameIsSafe(t *testing.T) {
	dir := t.TempDir()
	sink, err := TraceFiles(filepath.Join(dir, "run"))("../../../x/y", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "run", "trace-*-rep0.csv")); len(m) != 1 {
		t.Errorf("trace file not in the output folder: %v", m)
	}
}
