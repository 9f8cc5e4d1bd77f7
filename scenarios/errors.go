package scenarios

import (
	"fmt"
	"sort"
	"strings"
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
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
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
	s := fmt.Sprintf("scenarios: %s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	if e.Context != "" {
		s += "\n\n" + e.Context
	}
	return s
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// maxErrors caps how many problems one file reports.
const maxErrors = 20

func sortErrors(l ErrorList) ErrorList {
	sort.SliceStable(l, func(i, j int) bool { return l[i].Line < l[j].Line })
	if len(l) > maxErrors {
		l = l[:maxErrors]
	}
	return l
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
