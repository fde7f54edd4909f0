package render

import "strings"

// pyEscapes are the characters a backslash escapes in a Python string
// literal; after any other character Python keeps the backslash.
const pyEscapes = "\\'\"abfnrtv01234567xuUN\n"

// pythonEscapes rewrites the string literals inside {{ }} and {% %} so that
// a backslash before a character Python does not treat as an escape stays a
// backslash ('\d' is backslash-d in Jinja, as in Python), which gonja
// would otherwise reject. Text outside the blocks is left alone.
func pythonEscapes(src string) string {
	if !strings.Contains(src, `\`) {
		return src
	}
	var b strings.Builder
	b.Grow(len(src) + 8)
	inBlock := false
	var quote byte
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case !inBlock:
			if c == '{' && i+1 < len(src) && (src[i+1] == '{' || src[i+1] == '%') {
				inBlock = true
				b.WriteByte(c)
				b.WriteByte(src[i+1])
				i++
				continue
			}
		case quote == 0:
			switch {
			case c == '\'' || c == '"':
				quote = c
			case (c == '}' || c == '%') && i+1 < len(src) && src[i+1] == '}':
				inBlock = false
				b.WriteByte(c)
				b.WriteByte('}')
				i++
				continue
			}
		case c == '\\' && i+1 < len(src):
			if strings.IndexByte(pyEscapes, src[i+1]) < 0 {
				b.WriteString(`\\`)
				continue
			}
			b.WriteByte(c)
			b.WriteByte(src[i+1])
			i++
			continue
		case c == quote:
			quote = 0
		}
		b.WriteByte(c)
	}
	return b.String()
}
