package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

// indentAsJSON fails t unless indent gives json.Indent's bytes for the
// compact form of the JSON in b (skipped when b is not JSON).
func indentAsJSON(t *testing.T, b []byte) {
	t.Helper()
	var compact bytes.Buffer
	if json.Compact(&compact, b) != nil {
		return
	}
	var want bytes.Buffer
	if err := json.Indent(&want, compact.Bytes(), "", "  "); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := indentTo(&got, compact.Bytes()); err != nil || !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("indentTo(%q)\n= %q (%v)\nwant %q", compact.Bytes(), got.Bytes(), err, want.Bytes())
	}
}

// TestIndentAsJSON: indent writes what json.Indent writes, on a results file
// and on JSON with every kind of value, empty objects and arrays, and
// strings holding quotes, escapes and punctuation.
func TestIndentAsJSON(t *testing.T) {
	good, err := os.ReadFile("testdata/run.json")
	if err != nil {
		t.Fatal(err)
	}
	indentAsJSON(t, good)
	res, err := Decode(good)
	if err != nil {
		t.Fatal(err)
	}
	js, err := JSON(res)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(js, append(want, '\n')) {
		t.Error("JSON(res) is not json.MarshalIndent(res, \"\", \"  \") and a newline")
	}
	for _, s := range []string{
		`{}`, `[]`, `{"a":{}}`, `[[],[{}],{"b":[]}]`, `"x"`, `1.5e-7`, `null`, `true`,
		`{"a":"q\"uo{te}[],:","b\\":"\\","c":"\u00e9\n\t<&>"}`,
		`[{"p":0,"ms":89.0198},{"p":0.001,"ms":-1e+300}]`,
		`{"k":[1,2,3],"e":"","n":[null,false]}`,
	} {
		indentAsJSON(t, []byte(s))
	}
	// Longer than indentTo's blocks: written in several.
	var long bytes.Buffer
	long.WriteString(`{"cdf":[`)
	for i := range 20000 {
		if i > 0 {
			long.WriteByte(',')
		}
		fmt.Fprintf(&long, `{"p":%d,"ms":%d.5,"s":"a\"{,}"}`, i, i)
	}
	long.WriteString(`]}`)
	indentAsJSON(t, long.Bytes())
}

// FuzzIndent: on any JSON, indent writes what json.Indent writes.
func FuzzIndent(f *testing.F) {
	f.Add([]byte(`{"a":[1,{"b":"c\"}"}],"d":{}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) { indentAsJSON(t, b) })
}
