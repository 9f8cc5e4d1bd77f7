package scenarios

import (
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"

	"github.com/collagesim/collagesim/sim"
)

// WriteProfile writes p as profile TOML that LoadProfile reads back to an
// identical sim.Profile. Latency tables are written in milliseconds; NaN
// accuracy or coverage is left out (it reads back as NaN).
func WriteProfile(w io.Writer, p *sim.Profile) error {
	pw := &profileWriter{}
	pw.kv("name", quote(p.Name))
	if p.Source != "" {
		pw.kv("source", quote(p.Source))
	}
	meta := [][2]string{
		{"hardware", p.Meta.Hardware}, {"cpu", p.Meta.CPU}, {"gpu", p.Meta.GPU},
		{"runtime", p.Meta.Runtime}, {"runtime_version", p.Meta.RuntimeVersion},
		{"provider", p.Meta.Provider}, {"threads", p.Meta.Threads},
		{"date", p.Meta.Date}, {"command", p.Meta.Command},
	}
	header := false
	for _, kv := range meta {
		if kv[1] == "" {
			continue
		}
		if !header {
			pw.line("\n[meta]")
			header = true
		}
		pw.kv(kv[0], quote(kv[1]))
	}
	for i := range p.Models {
		m := &p.Models[i]
		pw.line("\n[[models]]")
		pw.kv("name", quote(m.Name))
		pw.kv("role", quote(m.Role))
		if m.Grid != 0 {
			pw.kv("grid", strconv.Itoa(m.Grid))
		}
		if m.InputShape != nil {
			s := make([]string, len(m.InputShape))
			for j, v := range m.InputShape {
				s[j] = strconv.Itoa(v)
			}
			pw.kv("input_shape", "["+strings.Join(s, ", ")+"]")
		}
		for _, f := range []struct {
			k string
			v float64
		}{{"accuracy", m.Accuracy}, {"coverage", m.Coverage}} {
			if !math.IsNaN(f.v) {
				pw.kv(f.k, formatFloat(f.v))
			}
		}
		if m.Source != "" {
			pw.kv("source", quote(m.Source))
		}
		pw.dist("models", "latency", m.Latency)
		pw.dist("models", "encode", m.Encode)
		pw.dist("models", "decode", m.Decode)
		for _, bl := range m.BatchLatency {
			pw.line("\n[[models.batch_latency]]")
			pw.kv("batch", strconv.Itoa(bl.Batch))
			pw.dist("models.batch_latency", "latency", bl.Latency)
		}
	}
	if pw.err != nil {
		return fmt.Errorf("scenarios: writing profile %q: %w", p.Name, pw.err)
	}
	_, err := io.WriteString(w, pw.b.String())
	return err
}

type profileWriter struct {
	b   strings.Builder
	err error
}

func (pw *profileWriter) line(s string) { pw.b.WriteString(s + "\n") }

func (pw *profileWriter) kv(k, v string) { pw.line(k + " = " + v) }

// dist writes a distribution: as its text when the text parses back to the
// same distribution, else as a table [parent.key] in ms (or ns where a value
// has no exact ms form).
func (pw *profileWriter) dist(parent, key string, d sim.Dist) {
	if d.Kind == sim.DistNone {
		return
	}
	if d.Text != "" && textRoundTrips(d) {
		pw.kv(key, quote(d.Text))
		return
	}
	if math.IsInf(d.A, 0) || math.IsNaN(d.A) || math.IsInf(d.B, 0) || math.IsNaN(d.B) {
		pw.err = fmt.Errorf("%s: parameters must be finite", key)
		return
	}
	unit, scale := "ms", 1e6
	var all []float64
	all = append(all, d.Values...)
	switch d.Kind {
	case sim.DistConst, sim.DistExponential, sim.DistUniform, sim.DistNormal:
		all = append(all, d.A, d.B)
	case sim.DistLogNormal, sim.DistPareto:
		all = append(all, d.A)
	case sim.DistGamma, sim.DistWeibull:
		all = append(all, d.B)
	}
	for _, v := range all {
		if _, ok := exactMs(v); !ok {
			unit, scale = "ns", 1
			break
		}
	}
	num := func(v float64) string {
		if scale == 1 {
			return formatFloat(v)
		}
		s, _ := exactMs(v)
		return s
	}
	pw.line(fmt.Sprintf("\n[%s.%s]", parent, key))
	pw.kv("kind", quote(string(d.Kind)))
	pw.kv("unit", quote(unit))
	switch d.Kind {
	case sim.DistQuantiles, sim.DistSamples:
		pw.line("values = [")
		for i := 0; i < len(d.Values); i += 10 {
			row := d.Values[i:min(i+10, len(d.Values))]
			s := make([]string, len(row))
			for j, v := range row {
				s[j] = num(v)
			}
			pw.line("  " + strings.Join(s, ", ") + ",")
		}
		pw.line("]")
	case sim.DistConst, sim.DistExponential, sim.DistUniform, sim.DistNormal:
		pw.kv("a", num(d.A))
		pw.kv("b", num(d.B))
	case sim.DistLogNormal, sim.DistPareto:
		pw.kv("a", num(d.A))
		pw.kv("b", formatFloat(d.B))
	case sim.DistGamma, sim.DistWeibull:
		pw.kv("a", formatFloat(d.A))
		pw.kv("b", num(d.B))
	default:
		pw.err = fmt.Errorf("%s: unknown distribution kind %q", key, d.Kind)
	}
	if d.Text != "" {
		pw.kv("text", quote(d.Text))
	}
}

// textRoundTrips reports whether d.Text, a string without file references,
// parses back to exactly d.
func textRoundTrips(d sim.Dist) bool {
	fam, _, _ := strings.Cut(d.Text, ":")
	if fam == "quantiles" || fam == "samples" {
		return false
	}
	p := &distParser{read: func(string) ([]byte, error) { return nil, fs.ErrNotExist }}
	e, err := p.parse(d.Text)
	if err != nil || e.Kind != d.Kind || e.A != d.A || e.B != d.B || len(e.Values) != len(d.Values) {
		return false
	}
	for i := range e.Values {
		if e.Values[i] != d.Values[i] {
			return false
		}
	}
	return true
}

// exactMs formats ns in milliseconds if that reads back (ms*1e6, rounded) to
// exactly ns.
func exactMs(ns float64) (string, bool) {
	s := formatFloat(ns / 1e6)
	v, err := strconv.ParseFloat(s, 64)
	return s, err == nil && scaleValue(v, 1e6) == ns
}

// formatFloat writes the shortest TOML float that reads back exactly.
func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	case math.IsNaN(v):
		return "nan"
	}
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// quote writes a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
