package results

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	res, err := Load("testdata/run.json")
	if err != nil {
		t.Fatal(err)
	}
	// A round trip gives the same file, NaNs (null) included.
	got, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile("testdata/run.json")
	if !bytes.Equal(append(got, '\n'), want) {
		t.Errorf("Load then marshal differs from testdata/run.json")
	}
	if res.Scenario != "paper-3x3" || len(res.Points[0].Strategies) != 5 {
		t.Errorf("loaded %q with %d strategies", res.Scenario, len(res.Points[0].Strategies))
	}
}

// An output folder stands for the results.json in it; a folder without
// one is an error that says so.
func TestLoadFolder(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile("testdata/run.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), dir+" is a folder with no results.json in it") {
		t.Errorf("an empty folder: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), good, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Load(dir)
	if err != nil || res.Scenario != "paper-3x3" {
		t.Fatalf("the folder of a results.json: %v", err)
	}
	if Path(dir) != filepath.Join(dir, "results.json") || Path("testdata/run.json") != "testdata/run.json" {
		t.Errorf("Path(%s) = %s, Path(testdata/run.json) = %s", dir, Path(dir), Path("testdata/run.json"))
	}
}

func TestLoadBadFiles(t *testing.T) {
	good, err := os.ReadFile("testdata/run.json")
	if err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(string(good), `"version": 1,`, `"version": 99,`, 1)
	if other == string(good) {
		t.Fatal("testdata/run.json has no version 1 field to change")
	}
	typeErr := strings.Replace(string(good), `"seed": 1,`, `"seed": "one",`, 1)
	dir := t.TempDir()
	for _, c := range []struct {
		name, content string
		want          []string // all must appear in the error
	}{
		{"empty", "", []string{"empty file", "not a collagesim results file"}},
		{"truncated", string(good[:len(good)/2]), []string{"truncated JSON, the file ends early", "truncated.json:" + lineCol(good[:len(good)/2], len(good)/2) + ": "}},
		{"invalid", "{\n  \"version\": 1,\n  \"tool\": collagesim\n}", []string{"invalid.json:3:11: invalid JSON"}},
		{"other version", other, []string{"version 99", "reads version 1"}},
		{"another program", `{"name": "x", "points": []}`, []string{"not a collagesim results file"}},
		{"array", `[1, 2]`, []string{"not a collagesim results file", "not a JSON object"}},
		{"wrong type", typeErr, []string{`wrong-type.json:5:16: field "seed"`}},
		{"no points", `{"version": 1, "tool": "collagesim v0", "points": []}`, []string{"no points"}},
		{"null summary", strings.Replace(string(good), `"summary": {`, `"summary": null, "x": {`, 1), []string{"summary: no requests: the summary is missing, null or empty"}},
		{"negative p99", negP99(good), []string{"summary: p99_ms: -5 is out of range"}},
		{"within of no strategy", `{"version": 1, "tool": "collagesim v0", "slo": {"objective": "p99<=1ms", "within_ms": 1}, "points": [{"index": 0, "strategies": [{"name": "a", "summary": {"requests": {"mean": 1}}}], "within": {"b": {"mean": 1}}}]}`, []string{`points[0].within: strategy "b"`}},
		{"within without slo", `{"version": 1, "tool": "collagesim v0", "points": [{"index": 0, "strategies": [{"name": "a", "summary": {"requests": {"mean": 1}}}], "within": {"a": {"mean": 1}}}]}`, []string{"results name no slo"}},
		{"no strategies", `{"version": 1, "tool": "collagesim v0", "points": [{"index": 0, "strategies": []}]}`, []string{"points[0]: no strategies"}},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".json")
		if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
		if !strings.HasPrefix(err.Error(), "results: "+path+":") {
			t.Errorf("%s: error %q does not name the file", c.name, err)
		}
	}
	_, err = Load(filepath.Join(dir, "missing.json"))
	if err == nil || !strings.Contains(err.Error(), "does not exist") || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("missing file: %v", err)
	}
}

func TestDecodeNamesPosition(t *testing.T) {
	_, err := Decode([]byte("{\n  \"version\": 1,\n  \"tool\": collagesim\n}"))
	if err == nil || !strings.HasPrefix(err.Error(), "results: line 3, column 11: invalid JSON") {
		t.Errorf("Decode: %v", err)
	}
}

// lineCol is where offset off of b is, counted by hand.
func lineCol(b []byte, off int) string {
	line, col := 1, 1
	for _, c := range b[:off] {
		col++
		if c == '\n' {
			line, col = line+1, 1
		}
	}
	return strconv.Itoa(line) + ":" + strconv.Itoa(col)
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

func TestPosition(t *testing.T) {
	b := []byte("ab\ncd\n")
	for _, c := range []struct {
		off       int64
		line, col int
	}{{0, 1, 1}, {1, 1, 2}, {3, 2, 1}, {4, 2, 2}, {6, 3, 1}, {99, 3, 1}} {
		if l, col := position(b, c.off); l != c.line || col != c.col {
			t.Errorf("position(%d) = %d:%d, want %d:%d", c.off, l, col, c.line, c.col)
		}
	}
}

// negP99 is the file with the first strategy's mean p99 made negative.
func negP99(good []byte) string {
	var res Results
	if err := json.Unmarshal(good, &res); err != nil {
		panic(err)
	}
	res.Points[0].Strategies[0].Summary.P99Ms.Mean = -5
	b, _ := json.Marshal(&res)
	return string(b)
}
