package results

import "io"

// indentTo writes to w the compact JSON src (json.Marshal's output) indented
// as json.MarshalIndent(v, "", "  ") writes it, byte for byte: a newline and
// two spaces per level after '{', '[' and ',', a space after ':', and '{}'
// and '[]' kept whole. It is json.Indent without its validation, which
// json.Marshal's output does not need: over half the time of writing a
// results.json of a few hundred KB went to it (TestIndentAsJSON checks the
// two agree). It writes in blocks of about 64 KB: the indented text (three
// times the compact one) is never held whole.
func indentTo(w io.Writer, src []byte) error {
	const block = 64 << 10
	dst := make([]byte, 0, block+block/8)
	depth := 0
	newline := func(dst []byte) []byte {
		dst = append(dst, '\n')
		for range depth {
			dst = append(dst, ' ', ' ')
		}
		return dst
	}
	for i := 0; i < len(src); i++ {
		if len(dst) >= block {
			if _, err := w.Write(dst); err != nil {
				return err
			}
			dst = dst[:0]
		}
		c := src[i]
		switch c {
		case '"': // a string, copied whole: up to its closing quote
			j := i + 1
			for ; j < len(src) && src[j] != '"'; j++ {
				if src[j] == '\\' {
					j++
				}
			}
			dst = append(dst, src[i:min(j+1, len(src))]...)
			i = j
		case '{', '[':
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, c, src[i+1])
				i++
				continue
			}
			dst = append(dst, c)
			depth++
			dst = newline(dst)
		case '}', ']':
			depth--
			dst = newline(dst)
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			dst = newline(dst)
		case ':':
			dst = append(dst, c, ' ')
		default:
			dst = append(dst, c)
		}
	}
	_, err := w.Write(dst)
	return err
}
