package scenarios

import (
	"strconv"
	"strings"
)

// lineIndex maps key paths as this package writes them ("pools[1].servers",
// "arrivals.rate", `sweep."pools.scnn.servers"`) to the line that sets them.
// BurntSushi/toml keeps key positions private and does not tell the elements of
// an array of tables apart, so the document is scanned here: table headers
// (with [[array]] element counts), dotted keys, multi-line arrays and strings.
type lineIndex map[string]int

// line returns the line of path, or of its nearest enclosing key or table
// that has one; 0 when none does.
func (ix lineIndex) line(path string) int {
	for path != "" {
		if l, ok := ix[path]; ok {
			return l
		}
		path = parentPath(path)
	}
	return 0
}

// parentPath drops the last component ("a.b[2]" -> "a.b", "a.b" -> "a").
func parentPath(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i > 0 {
			return path[:i]
		}
	}
	inQuote := false
	for i := len(path) - 1; i >= 0; i-- {
		switch path[i] {
		case '"':
			inQuote = !inQuote
		case '.':
			if !inQuote {
				return path[:i]
			}
		}
	}
	return ""
}

// keyPart formats one key the way TOML would need it: bare if possible.
func keyPart(k string) string {
	if k == "" {
		return `""`
	}
	for _, r := range k {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return strconv.Quote(k)
		}
	}
	return k
}

func joinPath(parent, key string) string {
	if parent == "" {
		return keyPart(key)
	}
	return parent + "." + keyPart(key)
}

func indexPath(parent string, i int) string {
	return parent + "[" + strconv.Itoa(i) + "]"
}

func indexLines(text string) lineIndex {
	ix := lineIndex{}
	var (
		context   string             // resolved path of the current table
		arrays    = map[string]int{} // resolved array-of-tables path -> last index
		depth     int                // open [ and { of a multi-line value
		multiline string             // closing delimiter of an open multi-line string
	)
	// resolve turns header keys into a path, indexing arrays of tables
	// already seen so that [pools.x] after [[pools]] lands in the last element.
	resolve := func(keys []string) string {
		p := ""
		for _, k := range keys {
			p = joinPath(p, k)
			if n, ok := arrays[p]; ok {
				p = indexPath(p, n)
			}
		}
		return p
	}
	for n, line := range strings.Split(text, "\n") {
		lineNo := n + 1
		if multiline != "" {
			if i := strings.Index(line, multiline); i >= 0 {
				rest := line[i+3:]
				multiline = ""
				depth, multiline = scanValue(rest, depth)
			}
			continue
		}
		s := strings.TrimSpace(line)
		if depth > 0 {
			depth, multiline = scanValue(s, depth)
			continue
		}
		if s == "" || s[0] == '#' {
			continue
		}
		if strings.HasPrefix(s, "[[") {
			keys, _ := scanKeys(s[2:], "]]")
			if keys == nil {
				continue
			}
			parent := resolve(keys[:len(keys)-1])
			p := joinPath(parent, keys[len(keys)-1])
			i := 0
			if last, ok := arrays[p]; ok {
				i = last + 1
			}
			arrays[p] = i
			// A new element forgets the arrays nested in the previous one.
			for k := range arrays {
				if strings.HasPrefix(k, p+"[") {
					delete(arrays, k)
				}
			}
			context = indexPath(p, i)
			if _, ok := ix[p]; !ok {
				ix[p] = lineNo
			}
			ix[context] = lineNo
			continue
		}
		if s[0] == '[' {
			keys, _ := scanKeys(s[1:], "]")
			if keys == nil {
				continue
			}
			context = resolve(keys)
			if _, ok := ix[context]; !ok {
				ix[context] = lineNo
			}
			continue
		}
		keys, rest := scanKeys(s, "=")
		if keys == nil {
			continue
		}
		p := context
		for _, k := range keys {
			p = joinPath(p, k)
			if _, ok := ix[p]; !ok {
				ix[p] = lineNo
			}
		}
		depth, multiline = scanValue(rest, 0)
	}
	return ix
}

// scanKeys reads a dotted key up to the terminator and returns its parts and
// the text after the terminator; nil when the line is not a key.
func scanKeys(s, term string) ([]string, string) {
	var keys []string
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return nil, ""
		}
		var k string
		switch s[0] {
		case '"':
			end := 1
			for end < len(s) && s[end] != '"' {
				if s[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(s) {
				return nil, ""
			}
			u, err := strconv.Unquote(s[:end+1])
			if err != nil {
				u = s[1:end]
			}
			k, s = u, s[end+1:]
		case '\'':
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				return nil, ""
			}
			k, s = s[1:end+1], s[end+2:]
		default:
			end := 0
			for end < len(s) && (s[end] >= 'A' && s[end] <= 'Z' || s[end] >= 'a' && s[end] <= 'z' || s[end] >= '0' && s[end] <= '9' || s[end] == '_' || s[end] == '-') {
				end++
			}
			if end == 0 {
				return nil, ""
			}
			k, s = s[:end], s[end:]
		}
		keys = append(keys, k)
		s = strings.TrimLeft(s, " \t")
		if strings.HasPrefix(s, term) {
			return keys, s[len(term):]
		}
		if !strings.HasPrefix(s, ".") {
			return nil, ""
		}
		s = s[1:]
	}
}

// scanValue follows a value's brackets and strings to the end of the line and
// returns the bracket depth left open and the delimiter of a multi-line
// string left open.
func scanValue(s string, depth int) (int, string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '#':
			return depth, ""
		case '[', '{':
			depth++
		case ']', '}':
			if depth > 0 {
				depth--
			}
		case '"', '\'':
			delim := string([]byte{c, c, c})
			if strings.HasPrefix(s[i:], delim) {
				end := strings.Index(s[i+3:], delim)
				if end < 0 {
					return depth, delim
				}
				i += 3 + end + 2
				continue
			}
			for i++; i < len(s) && s[i] != c; i++ {
				if c == '"' && s[i] == '\\' {
					i++
				}
			}
		}
	}
	return depth, ""
}
