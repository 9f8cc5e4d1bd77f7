package scenarios

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/collagesim/collagesim/sim"
)

const durationUnits = `ns, us (or µs), ms, s, m, h; e.g. "250ms", "1.5h"`

// parseDuration reads a non-negative duration with a unit into nanoseconds.
func parseDuration(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("empty duration: want a number with a unit: %s", durationUnits)
	}
	if _, err := strconv.ParseFloat(t, 64); err == nil {
		return 0, fmt.Errorf("duration %s has no unit: allowed units are %s", echo(s), durationUnits)
	}
	if strings.HasPrefix(t, "-") {
		return 0, fmt.Errorf("duration %s must not be negative", echo(s))
	}
	d, err := time.ParseDuration(t)
	if err != nil {
		if ns, ok := roughDuration(t); ok && ns > float64(MaxVirtualTime) {
			return 0, fmt.Errorf("duration %s is above the limit of %s (MaxVirtualTime: the clock is int64 nanoseconds)", echo(s), humanDuration(float64(MaxVirtualTime)))
		}
		return 0, fmt.Errorf("bad duration %s: allowed units are %s", echo(s), durationUnits)
	}
	if d < 0 {
		return 0, fmt.Errorf("duration %s must not be negative", echo(s))
	}
	if int64(d) > MaxVirtualTime {
		return 0, fmt.Errorf("duration %s is above the limit of %s (MaxVirtualTime: the clock is int64 nanoseconds)", echo(s), humanDuration(float64(MaxVirtualTime)))
	}
	return int64(d), nil
}

// roughDuration reads "NUMBER UNIT" as a float of nanoseconds, to tell a
// duration too large for time.ParseDuration from a malformed one.
func roughDuration(s string) (float64, bool) {
	for _, u := range []struct {
		unit  string
		scale float64
	}{{"ns", 1}, {"us", 1e3}, {"µs", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}} {
		if num, ok := strings.CutSuffix(s, u.unit); ok {
			if v, err := strconv.ParseFloat(num, 64); err == nil {
				return v * u.scale, true
			}
		}
	}
	return 0, false
}

var rateUnits = map[string]float64{
	"ns": 1e9, "us": 1e6, "µs": 1e6, "ms": 1e3, "s": 1, "m": 1.0 / 60, "min": 1.0 / 60, "h": 1.0 / 3600,
}

const rateForm = `a number (per second) or "N/unit" with unit ns, us, ms, s, m (or min), h; e.g. "60/s", "3600/h"`

// parseRate reads "N/unit" into events per second.
func parseRate(s string) (float64, error) {
	num, unit, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return 0, fmt.Errorf("bad rate %s: want %s", echo(s), rateForm)
	}
	per, ok := rateUnits[strings.TrimSpace(unit)]
	if !ok {
		return 0, fmt.Errorf("bad rate unit %s in %s: want %s", echo(unit), echo(s), rateForm)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || math.IsInf(v*per, 0) {
		return 0, fmt.Errorf("bad rate %s: want %s", echo(s), rateForm)
	}
	return v * per, nil
}

// fileReader reads a file named in a scenario or profile: relative names are
// resolved against the referring file's location.
type fileReader func(name string) ([]byte, error)

// fileOpener opens a file named in a scenario or profile as fileReader
// reads it; the caller closes it.
type fileOpener func(name string) (*os.File, error)

// distParser parses distribution strings, reading and caching the files they
// name: through open where it is set, else read.
type distParser struct {
	read  fileReader
	open  fileOpener
	cache map[string][]float64
	// checks caches what checked gave for each string: a sample list's
	// checks go over every value, once however many models name it.
	checks map[string]checkedDist
	// profiles caches the profiles scenarios name, for the points of a sweep.
	profiles map[string]*sim.Profile
}

type checkedDist struct {
	d   sim.Dist
	err error
}

// checked is parse, then checkTail, of s.
func (p *distParser) checked(s string) (sim.Dist, error) {
	if c, ok := p.checks[s]; ok {
		return c.d, c.err
	}
	d, err := p.parse(s)
	if err == nil {
		err = checkTail(d)
	}
	if p.checks == nil {
		p.checks = map[string]checkedDist{}
	}
	p.checks[s] = checkedDist{d, err}
	return d, err
}

func (p *distParser) keepProfile(ref string, prof *sim.Profile) {
	if p.profiles == nil {
		p.profiles = map[string]*sim.Profile{}
	}
	p.profiles[ref] = copyProfile(prof)
}

// copyProfile copies a profile deeply enough that laying a scenario's models
// over the copy leaves the original as it was.
func copyProfile(p *sim.Profile) *sim.Profile {
	c := *p
	c.Models = append([]sim.Model(nil), p.Models...)
	return &c
}

const distForms = `"250ms", "const:250ms", "exp:2s", "uniform:100ms,200ms", "normal:100ms,10ms", ` +
	`"lognormal:100ms,0.5", "gamma:2,50ms", "weibull:1.5,100ms", "pareto:100ms,2.5", ` +
	`"quantiles:FILE", "samples:FILE", "builtin:paper-cloud"`

// parse reads a duration distribution (values in ns) written as a string.
func (p *distParser) parse(s string) (sim.Dist, error) {
	d := sim.Dist{Text: s}
	t := strings.TrimSpace(s)
	family, args, ok := strings.Cut(t, ":")
	if !ok {
		v, err := parseDuration(t)
		if err != nil {
			return d, fmt.Errorf("%v (or a distribution: %s)", err, distForms)
		}
		d.Kind, d.A = sim.DistConst, float64(v)
		return d, nil
	}
	family = strings.TrimSpace(family)
	parts := strings.Split(args, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	// Each family's parameters: 'd' is a duration, 'n' a plain number.
	var shape string
	switch family {
	case "const", "exp":
		shape = "d"
	case "uniform", "normal":
		shape = "dd"
	case "lognormal", "pareto":
		shape = "dn"
	case "gamma", "weibull":
		shape = "nd"
	case "quantiles", "samples":
		name := strings.TrimSpace(args)
		if name == "" {
			return d, fmt.Errorf("%s: needs a file name, e.g. %q", family, family+":latency.csv")
		}
		vals, err := p.values(name, family == "quantiles")
		if err != nil {
			return d, err
		}
		d.Kind, d.Values = sim.DistKind(family), vals
		return d, d.Validate()
	case "builtin":
		vals, err := builtinQuantiles(strings.TrimSpace(args))
		if err != nil {
			return d, err
		}
		d.Kind, d.Values = sim.DistQuantiles, vals
		return d, nil
	default:
		msg := fmt.Sprintf("unknown distribution %s: want one of %s", echo(family), distForms)
		if k := suggest(family, []string{"const", "exp", "uniform", "normal", "lognormal", "gamma", "weibull", "pareto", "quantiles", "samples", "builtin"}); k != "" {
			msg += fmt.Sprintf("; did you mean `%s`?", k)
		}
		return d, fmt.Errorf("%s", msg)
	}
	if len(parts) != len(shape) {
		return d, fmt.Errorf("%s takes %d parameter(s), got %d in %s", family, len(shape), len(parts), echo(s))
	}
	vals := make([]float64, len(shape))
	for i, c := range shape {
		if c == 'd' {
			v, err := parseDuration(parts[i])
			if err != nil {
				return d, fmt.Errorf("%s parameter %d: %v", family, i+1, err)
			}
			vals[i] = float64(v)
		} else {
			v, err := strconv.ParseFloat(parts[i], 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return d, fmt.Errorf("%s parameter %d: %s is not a number", family, i+1, echo(parts[i]))
			}
			vals[i] = v
		}
	}
	d.Kind, d.A = sim.DistKind(family), vals[0]
	if len(vals) > 1 {
		d.B = vals[1]
	}
	return d, d.Validate()
}

// values reads a latency file (see the README, Values) into nanoseconds. For a
// quantile table, a quantile column, if present, is resampled to evenly
// spaced probabilities.
func (p *distParser) values(name string, quantiles bool) ([]float64, error) {
	key := fmt.Sprintf("%t:%s", quantiles, name)
	if v, ok := p.cache[key]; ok {
		return v, nil
	}
	data, v, err := p.load(name, quantiles)
	if err != nil {
		return nil, err
	}
	if v == nil {
		v, err = parseValues(data, quantiles)
	}
	if err != nil {
		if strings.HasPrefix(err.Error(), "line ") {
			// "FILE:LINE: ..." like the scenario's own errors.
			return nil, fmt.Errorf("%s:%s", name, strings.TrimPrefix(err.Error(), "line "))
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if p.cache == nil {
		p.cache = map[string][]float64{}
	}
	p.cache[key] = v
	return v, nil
}

// load reads file name for values: a regular file of plain decimals on disk
// is parsed as it is read (plainValuesFrom), never held whole, and its
// values returned; any other file's bytes (a pipe's too: it is read once)
// are returned for parseValues.
func (p *distParser) load(name string, quantiles bool) ([]byte, []float64, error) {
	if p.open == nil || quantiles {
		data, err := p.read(name)
		return data, nil, err
	}
	f, err := p.open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		data, err := readOpened(f, MaxDataFileBytes)
		return data, nil, err
	}
	vs, ok, err := plainValuesFrom(f, MaxDataFileBytes)
	if err != nil || ok {
		return nil, vs, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, nil, err
	}
	data, err := readOpened(f, MaxDataFileBytes)
	return data, nil, err
}

var columnUnits = map[string]float64{"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}

// parseValues reads one value per line, or CSV "quantile,latency_ms" when
// quantiles is set. Lines starting with '#' and blank lines are skipped; a
// first line that is not numeric is a header whose last column's name may end
// in _ns, _us, _ms or _s to give the unit (default ms).
func parseValues(data []byte, quantiles bool) ([]float64, error) {
	if !quantiles {
		if vs, ok := plainValues(data); ok {
			return vs, nil
		}
	}
	return parseValuesGeneral(data, quantiles)
}

// plainValues is parseValues for the common sample file, one plain decimal
// in milliseconds per line (plainDecimal) and nothing else, with the same
// result; ok is false for any other file, which parseValuesGeneral then
// reads (and reports on).
func plainValues(data []byte) (vs []float64, ok bool) {
	vs = make([]float64, 0, bytes.Count(data, []byte{'\n'})+1)
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		v, ok := plainLine(line)
		if !ok {
			return nil, false
		}
		vs = append(vs, v)
	}
	return vs, len(vs) > 0
}

// plainLine is the value (ns) of one line of a plain sample file, without
// its newline; false if it is not a plain decimal within MaxVirtualTime.
func plainLine(line []byte) (float64, bool) {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	v, ok := plainDecimal(unsafe.String(unsafe.SliceData(line), len(line)))
	if !ok || v*1e6 > float64(MaxVirtualTime) {
		return 0, false
	}
	return math.Round(v * 1e6), true
}

// plainBuffer is the buffer plainValuesFrom reads a file through.
var plainBuffer = 64 << 10

// plainValuesFrom is plainValues(the contents of f) for a regular file of at
// most limit bytes, read twice through a small buffer (its lines counted, then
// parsed) instead of held whole: the values' memory is all a large trace
// takes. An error is a read error or a file over the limit; ok is false for
// a file that is not plain (the caller then reads it whole).
func plainValuesFrom(f *os.File, limit int64) (vs []float64, ok bool, err error) {
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, false, fmt.Errorf("%s is a directory, not a file", f.Name())
	}
	buf := make([]byte, plainBuffer)
	var size int64
	lines := 0
	for {
		n, err := f.Read(buf)
		lines += bytes.Count(buf[:n], []byte{'\n'})
		if size += int64(n); size > limit {
			return nil, false, tooLarge(f.Name(), limit)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false, err
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, false, err
	}
	vs = make([]float64, 0, lines+1)
	carry := 0 // the bytes of a line begun in the previous read, at buf's start
	size = 0
	for {
		n, err := f.Read(buf[carry:])
		if size += int64(n); size > limit {
			return nil, false, tooLarge(f.Name(), limit)
		}
		data := buf[:carry+n]
		for {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				break
			}
			v, ok := plainLine(data[:i])
			if !ok {
				return nil, false, nil
			}
			vs = append(vs, v)
			data = data[i+1:]
		}
		carry = copy(buf, data)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false, err
		}
		if carry == len(buf) { // a line longer than the buffer: no plain decimal
			return nil, false, nil
		}
	}
	if carry > 0 {
		v, ok := plainLine(buf[:carry])
		if !ok {
			return nil, false, nil
		}
		vs = append(vs, v)
	}
	return vs, len(vs) > 0, nil
}

// parseValuesGeneral is parseValues for every form of file.
func parseValuesGeneral(data []byte, quantiles bool) ([]float64, error) {
	n := bytes.Count(data, []byte{'\n'}) + 1
	vs := make([]float64, 0, n)
	firstLine := 0 // the line of the first value
	var qs []float64
	scale := 1e6
	cols := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		// A view of the scanner's buffer, not a copy: nothing keeps it past
		// this line (error messages format it at once).
		b := sc.Bytes()
		s := strings.TrimSpace(unsafe.String(unsafe.SliceData(b), len(b)))
		if s == "" || s[0] == '#' {
			continue
		}
		if !plainASCII(s) && (!utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f })) {
			return nil, fmt.Errorf("line %d: %s is not text: a latency file holds one number per line (or \"quantile,latency_ms\")", line, echo(s))
		}
		var fieldsBuf [2]string
		fields := fieldsBuf[:0]
		if i := strings.IndexByte(s, ','); i < 0 {
			fields = append(fields, s) // the common case: one value, no allocation
		} else {
			fields = strings.Split(s, ",")
		}
		if cols == 0 {
			cols = len(fields)
			if _, err := strconv.ParseFloat(strings.TrimSpace(fields[0]), 64); err != nil {
				last := strings.ToLower(strings.TrimSpace(fields[len(fields)-1]))
				if i := strings.LastIndexByte(last, '_'); i >= 0 {
					if u, ok := columnUnits[last[i+1:]]; ok {
						scale = u
					}
				}
				continue // header
			}
		}
		if len(fields) != cols {
			return nil, fmt.Errorf("line %d: %d columns, want %d like the first line", line, len(fields), cols)
		}
		if cols > 2 || (cols == 2 && !quantiles) {
			return nil, fmt.Errorf("line %d: want one value per line%s", line, map[bool]string{true: ` or "quantile,latency_ms"`, false: ""}[quantiles])
		}
		var nums [2]float64
		for i, f := range fields {
			f = strings.TrimSpace(f)
			v, ok := plainDecimal(f)
			var err error
			if !ok {
				v, err = strconv.ParseFloat(f, 64)
			}
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("line %d: %s is not a finite number", line, echo(strings.TrimSpace(f)))
			}
			nums[i] = v
		}
		v := nums[cols-1]
		switch {
		case v < 0:
			return nil, fmt.Errorf("line %d: latency %g is negative", line, v)
		case v*scale > float64(MaxVirtualTime):
			return nil, fmt.Errorf("line %d: latency %g is above the limit of %s (MaxVirtualTime)", line, v, humanDuration(float64(MaxVirtualTime)))
		}
		if cols == 2 {
			q := nums[0]
			switch {
			case q < 0 || q > 1:
				return nil, fmt.Errorf("line %d: quantile %g is outside [0, 1]", line, q)
			case len(qs) > 0 && q <= qs[len(qs)-1]:
				return nil, fmt.Errorf("line %d: quantile %g does not increase (the line before has %g)", line, q, qs[len(qs)-1])
			}
			qs = append(qs, q)
		}
		rv := math.Round(v * scale)
		if quantiles && len(vs) > 0 && rv < vs[len(vs)-1] {
			return nil, fmt.Errorf("line %d: latency %g is below the one before it: a quantile table must not decrease", line, v)
		}
		if len(vs) == 0 {
			firstLine = line
		}
		vs = append(vs, rv)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d: longer than 1 MB: a latency file holds one number per line", line+1)
		}
		return nil, err
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("no values: a latency file holds one number per line (ms unless a header says otherwise)")
	}
	if quantiles && len(vs) < 2 {
		return nil, fmt.Errorf("line %d: a quantile table needs at least 2 values, got 1", firstLine)
	}
	if qs == nil {
		return vs, nil
	}
	return resampleQuantiles(qs, vs)
}

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// plainDecimal parses the common form of a latency, digits with at most one
// point and at most 15 digits in all ("277.3616"), as strconv.ParseFloat
// does, to the same float64: the digits are an integer below 2^53 and the
// power of ten is exact, so the one division rounds the exact quotient as
// ParseFloat rounds it. Anything else reports false, for ParseFloat.
func plainDecimal(s string) (float64, bool) {
	var m uint64
	digits, frac, point := 0, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
			if point {
				frac++
			}
		case c == '.' && !point:
			point = true
		default:
			return 0, false
		}
	}
	if digits == 0 || digits > 15 {
		return 0, false
	}
	return float64(m) / pow10[frac], true
}

// plainASCII reports whether s is printable ASCII and tabs only, as every
// line of a number file is: the common case, checked byte by byte.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c >= 0x7f {
			return false
		}
	}
	return true
}

// resampleQuantiles maps a (probability, value) table onto evenly spaced
// probabilities, keeping it as is when it already is evenly spaced.
func resampleQuantiles(qs, vs []float64) ([]float64, error) {
	n := len(qs)
	if n < 2 {
		return nil, fmt.Errorf("quantile table needs at least 2 rows")
	}
	if !sort.Float64sAreSorted(qs) {
		return nil, fmt.Errorf("quantile column must increase")
	}
	if math.Abs(qs[0]) > 1e-9 || math.Abs(qs[n-1]-1) > 1e-9 {
		return nil, fmt.Errorf("quantile column must run from 0 to 1, got %g to %g", qs[0], qs[n-1])
	}
	even := true
	for i, q := range qs {
		if math.Abs(q-float64(i)/float64(n-1)) > 1e-9 {
			even = false
			break
		}
	}
	if even {
		return vs, nil
	}
	const points = 1001
	out := make([]float64, points)
	j := 0
	for i := range out {
		p := float64(i) / (points - 1)
		for j < n-2 && qs[j+1] < p {
			j++
		}
		w := 0.0
		if qs[j+1] > qs[j] {
			w = (p - qs[j]) / (qs[j+1] - qs[j])
		}
		out[i] = math.Round(vs[j] + math.Max(0, math.Min(1, w))*(vs[j+1]-vs[j]))
	}
	return out, nil
}
