package playbook

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// pyLiteral evaluates s as a Python literal, as Ansible's INI inventory does
// with ast.literal_eval: numbers, True/False/None, quoted strings, lists,
// tuples (as lists) and dicts. ok is false when s is not a literal, in which
// case Ansible keeps the string as written.
func pyLiteral(s string) (v any, ok bool) {
	p := &pyParser{s: s}
	v, err := p.expr(0)
	if err != nil {
		return nil, false
	}
	p.space()
	if p.i != len(p.s) {
		return nil, false
	}
	return v, true
}

type pyParser struct {
	s string
	i int
}

var errNotLiteral = fmt.Errorf("not a literal")

// space skips whitespace and comments.
func (p *pyParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\r', '\n', '\f':
			p.i++
		case '#':
			for p.i < len(p.s) && p.s[p.i] != '\n' {
				p.i++
			}
		default:
			return
		}
	}
}

func (p *pyParser) peek() byte {
	p.space()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *pyParser) expr(depth int) (any, error) {
	if depth > 100 {
		return nil, errNotLiteral
	}
	switch c := p.peek(); {
	case c == '[':
		p.i++
		return p.seq(']', depth)
	case c == '(':
		p.i++
		return p.seq(')', depth)
	case c == '{':
		p.i++
		return p.dict(depth)
	case c == '\'' || c == '"':
		return p.strings()
	case c == '-' || c == '+':
		p.i++
		v, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case int:
			if c == '-' {
				return -x, nil
			}
			return x, nil
		case float64:
			if c == '-' {
				return -x, nil
			}
			return x, nil
		}
		return nil, errNotLiteral
	case c >= '0' && c <= '9' || c == '.':
		return p.number()
	case c == 'T' || c == 'F' || c == 'N':
		for _, w := range []struct {
			s string
			v any
		}{{"True", true}, {"False", false}, {"None", nil}} {
			if strings.HasPrefix(p.s[p.i:], w.s) && !identChar(p.s, p.i+len(w.s)) {
				p.i += len(w.s)
				return w.v, nil
			}
		}
	}
	return nil, errNotLiteral
}

func identChar(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	c := s[i]
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// seq parses the items of a list or tuple up to closing; "(x)" is x.
func (p *pyParser) seq(closing byte, depth int) (any, error) {
	out := []any{}
	comma := false
	for {
		if p.peek() == closing {
			p.i++
			if closing == ')' && len(out) == 1 && !comma {
				return out[0], nil
			}
			return out, nil
		}
		v, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		switch p.peek() {
		case ',':
			p.i++
			comma = true
		case closing:
		default:
			return nil, errNotLiteral
		}
	}
}

func (p *pyParser) dict(depth int) (any, error) {
	out := map[string]any{}
	first := true
	for {
		if p.peek() == '}' {
			p.i++
			return out, nil
		}
		k, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.peek() != ':' {
			// a set literal: {a, b}
			if !first {
				return nil, errNotLiteral
			}
			return p.set(k, depth)
		}
		first = false
		p.i++
		v, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		switch k.(type) {
		case map[string]any, []any:
			return nil, errNotLiteral // unhashable
		}
		out[fmt.Sprint(pyStr(k))] = v
		switch p.peek() {
		case ',':
			p.i++
		case '}':
		default:
			return nil, errNotLiteral
		}
	}
}

// set parses the rest of a set literal whose first item is first; a set
// becomes a list.
func (p *pyParser) set(first any, depth int) (any, error) {
	out := []any{first}
	for {
		switch p.peek() {
		case ',':
			p.i++
		case '}':
			p.i++
			return out, nil
		default:
			return nil, errNotLiteral
		}
		if p.peek() == '}' {
			p.i++
			return out, nil
		}
		v, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
}

// pyStr renders a dict key the way str() would for the common types.
func pyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// strings parses one or more adjacent string literals.
func (p *pyParser) strings() (any, error) {
	var b strings.Builder
	for {
		c := p.peek()
		if c != '\'' && c != '"' {
			break
		}
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

func (p *pyParser) str() (string, error) {
	q := p.s[p.i]
	triple := strings.HasPrefix(p.s[p.i:], strings.Repeat(string(q), 3))
	if triple {
		p.i += 3
	} else {
		p.i++
	}
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case triple && strings.HasPrefix(p.s[p.i:], strings.Repeat(string(q), 3)):
			p.i += 3
			return b.String(), nil
		case !triple && c == q:
			p.i++
			return b.String(), nil
		case !triple && c == '\n':
			return "", errNotLiteral
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return "", errNotLiteral
			}
			n, err := p.escape(&b)
			if err != nil {
				return "", err
			}
			p.i += n
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			b.WriteRune(r)
			p.i += size
		}
	}
	return "", errNotLiteral
}

// escape decodes the escape sequence at p.i into b and returns its length.
func (p *pyParser) escape(b *strings.Builder) (int, error) {
	rest := p.s[p.i:]
	c := rest[1]
	simple := map[byte]string{'\\': `\`, '\'': "'", '"': `"`, 'a': "\a", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t", 'v': "\v", '\n': ""}
	if s, ok := simple[c]; ok {
		b.WriteString(s)
		return 2, nil
	}
	hex := func(n int) (int, error) {
		if len(rest) < 2+n {
			return 0, errNotLiteral
		}
		v, err := strconv.ParseUint(rest[2:2+n], 16, 32)
		if err != nil || v > utf8.MaxRune {
			return 0, errNotLiteral
		}
		b.WriteRune(rune(v))
		return 2 + n, nil
	}
	switch {
	case c == 'x':
		return hex(2)
	case c == 'u':
		return hex(4)
	case c == 'U':
		return hex(8)
	case c >= '0' && c <= '7':
		n := 1
		for n < 3 && 1+n < len(rest) && rest[1+n] >= '0' && rest[1+n] <= '7' {
			n++
		}
		v, _ := strconv.ParseUint(rest[1:1+n], 8, 32)
		b.WriteRune(rune(v))
		return 1 + n, nil
	}
	b.WriteByte('\\') // unknown escapes keep their backslash
	return 1, nil
}

// number parses an int or float literal as Python 3 does.
func (p *pyParser) number() (any, error) {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '.' ||
			((c == '+' || c == '-') && p.i > start && (p.s[p.i-1] == 'e' || p.s[p.i-1] == 'E')) {
			p.i++
			continue
		}
		break
	}
	lit := p.s[start:p.i]
	if strings.Contains(lit, "__") || strings.HasSuffix(lit, "_") {
		return nil, errNotLiteral
	}
	clean := strings.ReplaceAll(lit, "_", "")
	low := strings.ToLower(clean)
	switch {
	case strings.HasPrefix(low, "0x") || strings.HasPrefix(low, "0o") || strings.HasPrefix(low, "0b"):
		v, err := strconv.ParseInt(clean, 0, 64)
		if err != nil {
			return nil, errNotLiteral
		}
		return int(v), nil
	case strings.ContainsAny(low, ".e"):
		if strings.ContainsAny(low, "abcdfghijklmnopqrstuvwxyz") || strings.HasPrefix(lit, "_") {
			return nil, errNotLiteral
		}
		v, err := strconv.ParseFloat(clean, 64)
		if err != nil || math.IsInf(v, 0) {
			return nil, errNotLiteral
		}
		return v, nil
	}
	if len(clean) > 1 && clean[0] == '0' && strings.Trim(clean, "0") != "" {
		return nil, errNotLiteral // 0755 is a syntax error in Python 3
	}
	v, err := strconv.ParseInt(clean, 10, 64)
	if err != nil {
		return nil, errNotLiteral
	}
	return int(v), nil
}
