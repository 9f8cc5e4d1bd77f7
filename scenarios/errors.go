package scenarios

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is a problem with one value of a scenario or profile file.
type Error struct {
	File string // file name as given, or "builtin:NAME"
	Line int    // 1-based; 0 when unknown
	Path string // key path, e.g. "pools[1].servers"; empty for the whole file
	Msg  string
	Err  error // underlying error, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("scenarios: ")
	b.WriteString(cleanText(e.File, maxPath))
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(cleanText(e.Path, maxPath))
		b.WriteString(": ")
	}
	b.WriteString(cleanText(e.Msg, maxMessage))
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorList holds every problem found in one file, in line order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap lets errors.As find the individual errors.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// SyntaxError is a TOML syntax error; Error shows the offending line with a
// caret under the problem.
type SyntaxError struct {
	File    string
	Line    int
	Col     int
	Msg     string
	Context string // the lines around the error, with a caret line
	Err     error  // the toml.ParseError
}

func (e *SyntaxError) Error() string {
	s := fmt.Sprintf("scenarios: %s:%d:%d: %s", cleanText(e.File, maxPath), e.Line, e.Col, cleanText(e.Msg, maxMessage))
	if e.Context != "" {
		s += "\n\n" + e.Context
	}
	return s
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// printableError wraps an error from outside this package (the file system's,
// which echoes the path as given) so that its message is safe to print.
type printableError struct{ err error }

func (e *printableError) Error() string { return "scenarios: " + cleanText(e.err.Error(), maxMessage) }
func (e *printableError) Unwrap() error { return e.err }

// maxErrors caps how many problems one file reports.
const maxErrors = 20

// sortErrors puts the errors in line order, line-less ones last, drops exact
// repeats and keeps the first maxErrors, followed by a line saying how many
// more there were.
func sortErrors(l ErrorList) ErrorList {
	sort.SliceStable(l, func(i, j int) bool {
		li, lj := l[i].Line, l[j].Line
		if (li == 0) != (lj == 0) {
			return lj == 0
		}
		return li < lj
	})
	out := l[:0:0]
	seen := map[string]bool{}
	for _, e := range l {
		k := e.Error()
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, e)
	}
	if len(out) > maxErrors {
		more := len(out) - maxErrors
		file := out[0].File
		out = append(out[:maxErrors:maxErrors], &Error{File: file,
			Msg: fmt.Sprintf("and %d more problem(s) not shown; fix these first", more)})
	}
	return out
}

// Echoed text is cut to these many runes: a value quoted in a message, and a
// whole message.
const (
	maxEcho    = 60
	maxPath    = 400
	maxMessage = 600
)

// echo quotes a value taken from the user's input for a message: Go-quoted
// (control characters, invalid UTF-8 and quotes escaped) and cut to maxEcho
// characters, saying how long it was.
func echo(s string) string {
	r := []rune(s)
	if len(r) <= maxEcho {
		return strconv.Quote(s)
	}
	return strconv.Quote(string(r[:maxEcho])) + fmt.Sprintf("... (%d bytes)", len(s))
}

// cleanText makes text safe to print on a terminal: control characters
// (other than newline in a multi-line message) and invalid UTF-8 are escaped,
// and it is cut to limit runes per line.
func cleanText(s string, limit int) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			n = -1
			b.WriteRune(r)
		case r == '\t':
			b.WriteRune(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 || r == 0xfeff:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
		i += size
		n++
		if n == limit {
			if rest := strings.IndexByte(s[i:], '\n'); rest >= 0 {
				b.WriteString("...")
				i += rest
				continue
			}
			if i < len(s) {
				fmt.Fprintf(&b, "... (%d bytes more)", len(s)-i)
			}
			break
		}
	}
	return b.String()
}

// sourceContext shows line (1-based) of text with a caret under column col
// (1-based, in bytes as the TOML decoder counts): the line before it too, tabs
// and control characters made visible, long lines cut around the caret. It
// takes any text: CR, CRLF, no final newline, NUL bytes, invalid UTF-8.
func sourceContext(text string, line, col int) string {
	lines := strings.Split(text, "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	const width = 100
	render := func(s string) (string, []int) {
		s = strings.TrimSuffix(s, "\r")
		var b strings.Builder
		// at[i]: the display column of byte i.
		at := make([]int, len(s)+1)
		w := 0
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			for k := 0; k < size; k++ {
				at[i+k] = w
			}
			var v string
			switch {
			case r == utf8.RuneError && size <= 1:
				v = fmt.Sprintf(`\x%02x`, s[i])
			case r == '\t':
				v = " "
			case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 || r == 0xfeff:
				q := strconv.QuoteRune(r)
				v = q[1 : len(q)-1]
			default:
				v = string(r)
			}
			b.WriteString(v)
			w += utf8.RuneCountInString(v)
			i += size
		}
		at[len(s)] = w
		return b.String(), at
	}
	cut := func(s string, from int) string {
		r := []rune(s)
		from = max(0, min(from, len(r)))
		end := min(len(r), from+width)
		out := string(r[from:end])
		if from > 0 {
			out = "..." + out
		}
		if end < len(r) {
			out += "..."
		}
		return out
	}
	cur, at := render(lines[line-1])
	c := at[max(0, min(col-1, len(at)-1))]
	from := 0
	if c > width-20 {
		from = c - width/2
	}
	var b strings.Builder
	num := strconv.Itoa(line)
	pad := strings.Repeat(" ", len(num))
	if line > 1 {
		prev, _ := render(lines[line-2])
		fmt.Fprintf(&b, "  %s | %s\n", fmt.Sprintf("%*d", len(num), line-1), cut(prev, from))
	}
	fmt.Fprintf(&b, "  %s | %s\n", num, cut(cur, from))
	shift := c - from
	if from > 0 {
		shift += 3
	}
	fmt.Fprintf(&b, "  %s | %s^", pad, strings.Repeat(" ", max(0, shift)))
	return b.String()
}

// suggest returns the known key closest to key, or "" if none is close.
func suggest(key string, known []string) string {
	best, bestD := "", 1<<30
	for _, k := range known {
		d := editDistance(strings.ToLower(key), k)
		if d < bestD {
			best, bestD = k, d
		}
	}
	limit := 2
	if len(key) <= 3 {
		limit = 1
	}
	if bestD <= limit || (min(len(key), len(best)) >= 3 && (strings.Contains(best, key) || strings.Contains(key, best))) {
		return best
	}
	return ""
}

// editDistance is the Damerau-Levenshtein (optimal string alignment) distance.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
