package module

import (
	"fmt"
	"regexp"
	"strings"
)

// Split splits s into words like Python's shlex.split(s) in POSIX mode
// (the splitter the command module uses for its free-form text): words are
// separated by space, tab, CR and LF; single quotes keep everything literal;
// inside double quotes a backslash escapes only " and \; outside quotes a
// backslash escapes any character; adjacent quoted and unquoted parts join
// into one word; ” and "" make an empty word. No comments are recognised.
// An unterminated quote gives ErrNoClosingQuotation, a trailing backslash
// ErrNoEscapedCharacter.
func Split(s string) ([]string, error) {
	const (
		stSpace = iota
		stWord
		stSingle
		stDouble
		stEscape
	)
	var (
		words  []string
		tok    strings.Builder
		quoted bool // the current word had quotes (so it exists even if empty)
		inWord bool
		state  = stSpace
		// escFrom is the state an escape returns to (stWord or stDouble).
		escFrom = stWord
	)
	emit := func() {
		if inWord || quoted {
			words = append(words, tok.String())
		}
		tok.Reset()
		quoted, inWord = false, false
	}
	for _, r := range s {
		switch state {
		case stSpace, stWord:
			switch r {
			case ' ', '\t', '\r', '\n':
				if state == stWord {
					emit()
				}
				state = stSpace
			case '\\':
				escFrom, state, inWord = stWord, stEscape, true
			case '\'':
				state, quoted, inWord = stSingle, true, true
			case '"':
				state, quoted, inWord = stDouble, true, true
			default:
				tok.WriteRune(r)
				state, inWord = stWord, true
			}
		case stSingle:
			if r == '\'' {
				state = stWord
			} else {
				tok.WriteRune(r)
			}
		case stDouble:
			switch r {
			case '"':
				state = stWord
			case '\\':
				escFrom, state = stDouble, stEscape
			default:
				tok.WriteRune(r)
			}
		case stEscape:
			if escFrom == stDouble && r != '"' && r != '\\' {
				tok.WriteByte('\\')
			}
			tok.WriteRune(r)
			state = escFrom
		}
	}
	switch state {
	case stSingle, stDouble:
		return nil, ErrNoClosingQuotation
	case stEscape:
		return nil, ErrNoEscapedCharacter
	}
	emit()
	return words, nil
}

var pySafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// PyQuote quotes one word like Python's shlex.quote: words made only of
// letters, digits and @%+=:,./-_ stay bare, others are single-quoted with
// an embedded ' written as '"'"'.
func PyQuote(s string) string {
	if s == "" {
		return "''"
	}
	if pySafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

// pyJoin joins argv the way Ansible shows a command it could not start:
// ' '.join(shlex.quote(a) for a in argv).
func pyJoin(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = PyQuote(a)
	}
	return strings.Join(q, " ")
}

// pyBytesRepr renders s like Python's repr() of a bytes value (b'...'), as
// Ansible prints paths in OSError messages.
func pyBytesRepr(s string) string {
	quote := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		quote = '"'
	}
	var b strings.Builder
	b.WriteString("b")
	b.WriteByte(quote)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == quote || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(quote)
	return b.String()
}
