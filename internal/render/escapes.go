package render

import (
	"regexp"
	"strconv"
	"strings"
)

// literals rewrites the string literals inside {{ }} and {% %} so that gonja
// reads each one as the value Jinja gives it inside Ansible:
//   - in {{ }} of a playbook string (rawVars), Ansible doubles every
//     backslash before Jinja sees it (Templar's _escape_backslashes), so the
//     literal is taken as written: '\d' and 'n\1' keep their backslashes;
//   - elsewhere (in {% %}, in template files, in conditionals) Jinja applies
//     Python's escapes: '\n' is a newline, '\1' is chr(1), and a backslash
//     before a character that is not an escape stays.
//
// gonja reads a literal with Go's escapes, which differ from Python's, so
// each literal is written back with its value's backslashes and quotes as
// \x escapes and nothing else escaped. Text outside the blocks, comments and
// {% raw %} sections are left alone.
func literals(src string, rawVars bool) string {
	if !strings.ContainsRune(src, '\\') {
		return src
	}
	var b strings.Builder
	b.Grow(len(src) + 8)
	for i := 0; i < len(src); {
		j := strings.IndexByte(src[i:], '{')
		if j < 0 || i+j+1 >= len(src) {
			b.WriteString(src[i:])
			break
		}
		j += i
		b.WriteString(src[i:j])
		switch src[j+1] {
		case '#':
			end := strings.Index(src[j:], "#}")
			if end < 0 {
				b.WriteString(src[j:])
				return b.String()
			}
			b.WriteString(src[j : j+end+2])
			i = j + end + 2
		case '{', '%':
			i = block(&b, src, j, src[j+1] == '{' && rawVars)
			if src[j+1] == '%' && isRawTag(src[j:i]) {
				if loc := endRawRE.FindStringIndex(src[i:]); loc != nil {
					b.WriteString(src[i : i+loc[1]])
					i += loc[1]
				} else {
					b.WriteString(src[i:])
					return b.String()
				}
			}
		default:
			b.WriteByte('{')
			i = j + 1
		}
	}
	return b.String()
}

var (
	rawTagRE = regexp.MustCompile(`^\{%[-+]?\s*raw\s*[-+]?%\}$`)
	endRawRE = regexp.MustCompile(`\{%[-+]?\s*endraw\s*[-+]?%\}`)
)

func isRawTag(s string) bool { return rawTagRE.MatchString(s) }

// block copies the block starting at src[start] ("{{" or "{%") to b with
// its string literals rewritten, and returns the index after its end (or
// len(src) when it does not end).
func block(b *strings.Builder, src string, start int, raw bool) int {
	closer := "}}"
	if src[start+1] == '%' {
		closer = "%}"
	}
	b.WriteString(src[start : start+2])
	i := start + 2
	for i < len(src) {
		c := src[i]
		switch {
		case strings.HasPrefix(src[i:], closer):
			b.WriteString(closer)
			return i + 2
		case c == '\'' || c == '"':
			end := literalEnd(src, i, raw)
			if end < 0 {
				b.WriteString(src[i:])
				return len(src)
			}
			body := src[i+1 : end]
			if !raw {
				body = pyUnescape(body)
			}
			b.WriteByte('\'')
			b.WriteString(goSafe(body))
			b.WriteByte('\'')
			i = end + 1
		default:
			b.WriteByte(c)
			i++
		}
	}
	return i
}

// literalEnd returns the index of the quote closing the literal opened at
// src[start], where a backslash escapes any character; -1 if none. With
// raw the literal ends at the next quote: Ansible's doubled backslashes
// escape each other, so "\'" no longer escapes the quote ('it\'s' is a
// syntax error in a playbook's {{ }}, as in Ansible).
func literalEnd(src string, start int, raw bool) int {
	q := src[start]
	for i := start + 1; i < len(src); i++ {
		switch src[i] {
		case '\\':
			if !raw {
				i++
			}
		case q:
			return i
		}
	}
	return -1
}

// goSafe writes s for gonja's parser: backslashes and quotes as \x escapes,
// which Go's escapes read back; everything else as it is.
func goSafe(s string) string {
	if !strings.ContainsAny(s, `\'"`) {
		return s
	}
	r := strings.NewReplacer(`\`, `\x5c`, `'`, `\x27`, `"`, `\x22`)
	return r.Replace(s)
}

// pyUnescape applies Python's string-literal escapes to s: \\ \' \" \a \b
// \f \n \r \t \v, \ooo (one to three octal digits), \xhh, \uhhhh,
// \Uhhhhhhhh and a backslash-newline (dropped). A backslash before anything
// else is kept, as Python keeps it.
func pyUnescape(s string) string {
	if !strings.ContainsRune(s, '\\') {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		n := s[i+1]
		if simple, ok := pySimpleEscapes[n]; ok {
			b.WriteString(simple)
			i++
			continue
		}
		switch {
		case n >= '0' && n <= '7':
			j := i + 1
			for j < len(s) && j < i+4 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(s[i+1:j], 8, 32)
			b.WriteRune(rune(v))
			i = j - 1
		case n == 'x' || n == 'u' || n == 'U':
			width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[n]
			if i+2+width <= len(s) {
				if v, err := strconv.ParseUint(s[i+2:i+2+width], 16, 32); err == nil {
					b.WriteRune(rune(v))
					i += 1 + width
					continue
				}
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

var pySimpleEscapes = map[byte]string{
	'\\': `\`, '\'': `'`, '"': `"`, 'a': "\a", 'b': "\b", 'f': "\f",
	'n': "\n", 'r': "\r", 't': "\t", 'v': "\v", '\n': "",
}
