package interpreter

import (
	"errors"
	"strings"
)

// shlexSplit splits s into words as Python's shlex.shlex in POSIX mode
// with whitespace_split does (shlex.split when comments is false; the
// os-release parser of the distro package when it is true): whitespace
// ' \t\r\n' ends a word, single quotes keep everything, double quotes let a
// backslash escape only '"' and '\', a backslash outside quotes escapes any
// character, and with comments a '#' skips to the end of its line (also in
// the middle of a word). Its errors are shlex's ("No closing quotation",
// "No escaped character").
func shlexSplit(s string, comments bool) ([]string, error) {
	const (
		stWhite = ' '
		stWord  = 'a'
	)
	var words []string
	var tok strings.Builder
	quoted := false
	state := rune(stWhite)
	escaped := rune(stWhite) // the state an escape returns to
	emit := func() {
		if tok.Len() > 0 || quoted {
			words = append(words, tok.String())
		}
		tok.Reset()
		quoted = false
	}
	rs := []rune(s)
	skipLine := func(i int) int {
		for i < len(rs) && rs[i] != '\n' {
			i++
		}
		return i // at the newline (consumed by the caller's i++) or the end
	}
	isSpace := func(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }
	for i := 0; ; i++ {
		if i >= len(rs) {
			switch state {
			case '\'', '"':
				return nil, errors.New("No closing quotation") //nolint:staticcheck // Python's wording
			case '\\':
				return nil, errors.New("No escaped character") //nolint:staticcheck // Python's wording
			}
			emit()
			return words, nil
		}
		r := rs[i]
		switch state {
		case stWhite:
			switch {
			case isSpace(r):
			case comments && r == '#':
				i = skipLine(i)
			case r == '\\':
				escaped, state = stWord, '\\'
			case r == '\'' || r == '"':
				state = r
			default:
				tok.WriteRune(r)
				state = stWord
			}
		case '\'', '"':
			quoted = true
			switch {
			case r == state:
				state = stWord
			case r == '\\' && state == '"':
				escaped, state = state, '\\'
			default:
				tok.WriteRune(r)
			}
		case '\\':
			if (escaped == '"' || escaped == '\'') && r != '\\' && r != escaped {
				tok.WriteRune('\\')
			}
			tok.WriteRune(r)
			state = escaped
		case stWord:
			switch {
			case isSpace(r):
				state = stWhite
				emit()
			case comments && r == '#':
				i = skipLine(i)
				state = stWhite
				emit()
			case r == '\'' || r == '"':
				state = r
			case r == '\\':
				escaped, state = stWord, '\\'
			default:
				tok.WriteRune(r)
			}
		}
	}
}
