// Package layout checks that the README's layout table tells the truth about
// which of this module's packages each package imports.
package layout

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/collagesim/collagesim/"

// TestLayout compares the "imports" column of the README's layout table with
// the imports of each package's non-test files.
func TestLayout(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "| folder | what it holds | imports (of this module) |")
	if !ok {
		t.Fatal("README.md has no layout table with an imports column")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	rows := 0
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 5 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		dir := strings.Trim(strings.TrimSpace(cells[1]), "`/")
		want := strings.TrimSpace(cells[3])
		if want == "all of the above" || want == "tests only" {
			continue
		}
		rows++
		var wantList []string
		if want != "none" {
			for _, w := range strings.Split(want, ",") {
				wantList = append(wantList, strings.Trim(strings.TrimSpace(w), "`"))
			}
		}
		got := imports(t, filepath.Join("../..", dir))
		slices.Sort(wantList)
		if !slices.Equal(got, wantList) {
			t.Errorf("README says %s/ imports %v; its code imports %v", dir, wantList, got)
		}
	}
	if rows < 8 {
		t.Fatalf("found %d rows of the layout table in README.md; the table's format changed?", rows)
	}
}

// imports lists the module's packages that the non-test Go files in dir import.
func imports(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s: %v", dir, err)
	}
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range af.Imports {
			p := strings.Trim(im.Path.Value, `"`)
			if rest, ok := strings.CutPrefix(p, module); ok && !slices.Contains(out, rest) {
				out = append(out, rest)
			}
		}
	}
	slices.Sort(out)
	return out
}
