package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DefaultDir is the output folder of a scenario named name: out/<name>, with
// every character other than letters, digits, '.', '_' and '-' replaced by
// '_' and no leading dot, so that no name ("../x", "/etc") leads outside out/.
func DefaultDir(name string) string { return filepath.Join("out", SafeName(name)) }

// SafeName is name as one file name: letters, digits, '.', '_' and '-' kept,
// everything else '_', no leading dot, at most 100 bytes, never empty.
func SafeName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	safe := strings.TrimLeft(b.String(), ".")
	if len(safe) > 100 {
		safe = safe[:100]
	}
	if safe == "" {
		safe = "scenario"
	}
	return safe
}

// ownFiles are the patterns of the files a run writes into its folder
// besides results.json.
var ownFiles = []string{"summary.csv", "trace-*.csv", "report.md", "table.csv", "table.tex", "index.html",
	"*.png", "*.svg", "*.pdf", "traces/point-*/trace-*.csv"}

// PrepareDir makes dir ready for the results of scenario before anything
// runs: it creates dir and checks that a file can be written there, so that
// no simulation is lost to an unwritable folder. A folder that holds the
// results of another scenario, or files but no results, is refused unless
// force; with force, or for the same scenario, the files an earlier run
// wrote there (results.json, summary.csv, traces, figures, tables) are
// removed so that old and new outputs do not mix; other files are never
// removed. A folder holding only a sweep's points/ is accepted (the sweep
// checks its point files).
func PrepareDir(dir, scenario string, force bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("results: output folder %s: %w", dir, err)
	}
	if len(entries) > 0 {
		prev, lerr := Load(filepath.Join(dir, "results.json"))
		switch {
		case lerr == nil && (prev.Scenario == scenario || force):
			if err := removeOwn(dir); err != nil {
				return err
			}
		case lerr == nil:
			return fmt.Errorf("results: output folder %s holds the results of scenario %q, not %q: choose another --out, or add --force to replace them", dir, prev.Scenario, scenario)
		case force:
		case onlyPoints(entries):
			// A sweep's shards share the folder; sweep checks the point files.
			if other := pointsScenario(dir); other != "" && other != scenario {
				return fmt.Errorf("results: output folder %s holds the sweep points of scenario %q, not %q: choose another --out, or add --force to write into it", dir, other, scenario)
			}
		default:
			return fmt.Errorf("results: output folder %s is not empty and holds no collagesim results: choose another --out, or add --force to write into it", dir)
		}
	}
	return Writable(dir)
}

// Writable creates dir if needed and checks that a file can be written there.
func Writable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("results: output folder: %w", err)
	}
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("results: output folder %s is not writable: %w", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// onlyPoints reports whether a folder holds only a sweep's points/ folder
// (and temporary files).
func onlyPoints(entries []fs.DirEntry) bool {
	for _, e := range entries {
		if e.Name() != "points" && !strings.HasPrefix(e.Name(), ".") {
			return false
		}
	}
	return true
}

// pointsScenario is the scenario of the first point file in dir/points, or
// "" when there is none that reads.
func pointsScenario(dir string) string {
	m, _ := filepath.Glob(filepath.Join(dir, "points", "point-*.json"))
	if len(m) == 0 {
		return ""
	}
	b, err := os.ReadFile(m[0])
	if err != nil {
		return ""
	}
	var f struct {
		Header struct {
			Scenario string `json:"scenario"`
		} `json:"header"`
	}
	if json.Unmarshal(b, &f) != nil {
		return ""
	}
	return f.Header.Scenario
}

// removeOwn removes the files an earlier run wrote into dir.
func removeOwn(dir string) error {
	for _, pat := range append([]string{"results.json"}, ownFiles...) {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			return fmt.Errorf("results: %w", err)
		}
		for _, p := range m {
			if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() {
				if err := os.Remove(p); err != nil {
					return fmt.Errorf("results: clearing the output folder: %w", err)
				}
			}
		}
	}
	return nil
}
