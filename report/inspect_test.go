package report

import (
	"flag"
	"strings"
	"testing"
)

var inspectDir = flag.String("inspect", "", "write the fixture reports to this directory to look at them")

// TestInspect writes full reports of the fixtures for a person to look at
// (go test -run Inspect -inspect /tmp/r).
func TestInspect(t *testing.T) {
	if *inspectDir == "" {
		t.Skip("no -inspect directory")
	}
	for name, res := range map[string]func() Options{
		"run":        func() Options { return Options{} },
		"run-2col":   func() Options { return Options{Width: TwoColumn} },
		"sweep":      func() Options { return Options{} },
		"sweep-2col": func() Options { return Options{Width: TwoColumn} },
		"long":       func() Options { return Options{Formats: []string{"png"}} },
	} {
		r := runFixture()
		switch {
		case strings.HasPrefix(name, "sweep"):
			r = sweepFixture()
		case strings.HasPrefix(name, "long"):
			r = longNamesFixture()
		}
		files, err := Write(r, *inspectDir+"/"+name, res())
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d files", name, len(files))
	}
}
