package report

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// pyJSON renders v like Python's json.dumps(v, sort_keys=True, indent=indent,
// ensure_ascii=ascii): with indent 0 on one line with ", " and ": ", else
// one value per line indented by indent spaces with "," and ": ".
func pyJSON(v any, indent int, ascii bool) string {
	var b strings.Builder
	writePyJSON(&b, normalize(v), indent, 0, ascii)
	return b.String()
}

func writePyJSON(b *strings.Builder, v any, indent, level int, ascii bool) {
	newline := func(l int) {
		b.WriteByte('\n')
		b.WriteString(strings.Repeat(" ", indent*l))
	}
	sep := ", "
	if indent > 0 {
		sep = ","
	}
	switch x := v.(type) {
	case map[string]any:
		writePyJSONObject(b, sortedKeys(x), func(k string) any { return x[k] }, indent, level, ascii, sep, newline)
	case Dict:
		keys := x.Keys()
		sort.Strings(keys)
		writePyJSONObject(b, keys, func(k string) any { e, _ := x.Get(k); return e }, indent, level, ascii, sep, newline)
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(sep)
			}
			if indent > 0 {
				newline(level + 1)
			}
			writePyJSON(b, e, indent, level+1, ascii)
		}
		if indent > 0 {
			newline(level)
		}
		b.WriteByte(']')
	case string:
		writePyJSONString(b, x, ascii)
	default:
		b.WriteString(pyScalar(x, true))
	}
}

func writePyJSONObject(b *strings.Builder, keys []string, get func(string) any, indent, level int, ascii bool, sep string, newline func(int)) {
	if len(keys) == 0 {
		b.WriteString("{}")
		return
	}
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(sep)
		}
		if indent > 0 {
			newline(level + 1)
		}
		writePyJSONString(b, k, ascii)
		b.WriteString(": ")
		writePyJSON(b, get(k), indent, level+1, ascii)
	}
	if indent > 0 {
		newline(level)
	}
	b.WriteByte('}')
}

// writePyJSONString quotes s as Python's json module does.
func writePyJSONString(b *strings.Builder, s string, ascii bool) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			switch {
			case r < 0x20 || (ascii && r > 0x7e):
				if r > 0xffff {
					r -= 0x10000
					fmt.Fprintf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
				} else {
					fmt.Fprintf(b, `\u%04x`, r)
				}
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// pyScalar renders a number, bool or None; json selects JSON spelling
// (true, null, NaN, Infinity) over Python's (True, None, nan, inf).
func pyScalar(v any, jsonStyle bool) string {
	switch x := v.(type) {
	case nil:
		if jsonStyle {
			return "null"
		}
		return "None"
	case bool:
		switch {
		case jsonStyle && x:
			return "true"
		case jsonStyle:
			return "false"
		case x:
			return "True"
		default:
			return "False"
		}
	case json.Number:
		return x.String()
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return pyFloat(x, jsonStyle)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// pyFloat renders f like Python's float repr. An integral value below 1e16
// prints as an integer: the engine most likely decoded an integer.
func pyFloat(f float64, jsonStyle bool) string {
	switch {
	case math.IsNaN(f):
		if jsonStyle {
			return "NaN"
		}
		return "nan"
	case math.IsInf(f, 1):
		if jsonStyle {
			return "Infinity"
		}
		return "inf"
	case math.IsInf(f, -1):
		if jsonStyle {
			return "-Infinity"
		}
		return "-inf"
	case f == math.Trunc(f) && math.Abs(f) < 1e16:
		return strconv.FormatInt(int64(f), 10)
	}
	// Shortest round-trip digits, then Python's layout: fixed notation when
	// the decimal point falls within -4 < decpt <= 16, else d.ddde+XX.
	e := strconv.FormatFloat(f, 'e', -1, 64)
	sign := ""
	if e[0] == '-' {
		sign, e = "-", e[1:]
	}
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	n, _ := strconv.Atoi(exp)
	decpt := n + 1
	if decpt > -4 && decpt <= 16 {
		switch {
		case decpt <= 0:
			return sign + "0." + strings.Repeat("0", -decpt) + digits
		case decpt >= len(digits):
			return sign + digits + strings.Repeat("0", decpt-len(digits)) + ".0"
		default:
			return sign + digits[:decpt] + "." + digits[decpt:]
		}
	}
	m := digits[:1]
	if len(digits) > 1 {
		m += "." + digits[1:]
	}
	es := "+"
	if n < 0 {
		es, n = "-", -n
	}
	return fmt.Sprintf("%s%se%s%02d", sign, m, es, n)
}

// pyStr renders v like Python's str(): strings as they are, everything else
// as repr.
func pyStr(v any) string {
	v = normalize(v)
	if s, ok := v.(string); ok {
		return s
	}
	return pyRepr(v)
}

// pyRepr renders v like Python's repr(). A map[string]any has no order and
// prints with sorted keys; a Dict prints in its order.
func pyRepr(v any) string {
	var b strings.Builder
	writePyRepr(&b, v)
	return b.String()
}

func writePyRepr(b *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		b.WriteString(pyQuote(x))
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyQuote(k))
			b.WriteString(": ")
			writePyRepr(b, x[k])
		}
		b.WriteByte('}')
	case Dict:
		b.WriteByte('{')
		for i, kv := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyQuote(kv.Key))
			b.WriteString(": ")
			writePyRepr(b, kv.Value)
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writePyRepr(b, e)
		}
		b.WriteByte(']')
	case float64:
		// repr keeps the ".0" of an integral float; integral values here
		// most likely were integers (see pyFloat).
		b.WriteString(pyFloat(x, false))
	default:
		b.WriteString(pyScalar(x, false))
	}
}

// pyQuote is Python's repr of a str: single quotes unless the string holds a
// single quote and no double quote; \\, \n, \r, \t and the quote escaped;
// other non-printable characters as \xhh, \uhhhh or \Uhhhhhhhh.
func pyQuote(s string) string {
	q := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError || unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte(q)
	return b.String()
}
