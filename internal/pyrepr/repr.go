package pyrepr

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Float is a number that is a float in Python: it prints with a decimal
// point even when integral (4.0), where a plain float64 prints as an
// integer.
type Float float64

// Mapping is an ordered mapping (a Python dict keeps insertion order). Repr
// prints it in its order; JSON sorts its keys like any map.
type Mapping interface {
	Keys() []string
	Get(key string) (any, bool)
}

// Str is Python's str(): a string as it is, anything else as Repr.
func Str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return Repr(v)
}

// Repr is Python's repr() of v.
func Repr(v any) string {
	var b strings.Builder
	writeRepr(&b, v)
	return b.String()
}

func writeRepr(b *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		b.WriteString(Quote(x))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		writeReprMapping(b, SortedKeys(x), func(k string) any { return x[k] })
	case Mapping:
		writeReprMapping(b, x.Keys(), func(k string) any { e, _ := x.Get(k); return e })
	default:
		if s, ok := scalar(v, false); ok {
			b.WriteString(s)
			return
		}
		if r, ok := reflected(v); ok {
			writeRepr(b, r)
			return
		}
		fmt.Fprint(b, v)
	}
}

func writeReprMapping(b *strings.Builder, keys []string, get func(string) any) {
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(Quote(k))
		b.WriteString(": ")
		writeRepr(b, get(k))
	}
	b.WriteByte('}')
}

// scalar renders a number, bool or None; jsonStyle selects JSON spelling
// (true, null, NaN, Infinity) over Python's (True, None, nan, inf). ok is
// false for anything else.
func scalar(v any, jsonStyle bool) (s string, ok bool) {
	switch x := v.(type) {
	case nil:
		if jsonStyle {
			return "null", true
		}
		return "None", true
	case bool:
		switch {
		case jsonStyle && x:
			return "true", true
		case jsonStyle:
			return "false", true
		case x:
			return "True", true
		default:
			return "False", true
		}
	case json.Number:
		return x.String(), true
	case Float:
		return formatFloat(float64(x), true, jsonStyle), true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10), true
	case reflect.Float32, reflect.Float64:
		return formatFloat(rv.Float(), false, jsonStyle), true
	case reflect.Bool:
		return scalar(rv.Bool(), jsonStyle)
	}
	return "", false
}

// reflected turns a slice, array or string-keyed map of another type
// ([]string, map[string]int) into []any or map[string]any, and a string
// or bool kind into its plain type; ok is false for anything else.
func reflected(v any) (any, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return rv.String(), true
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil, true
		}
		l := make([]any, rv.Len())
		for i := range l {
			l[i] = rv.Index(i).Interface()
		}
		return l, true
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, false
		}
		m := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			m[it.Key().String()] = it.Value().Interface()
		}
		return m, true
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, true
		}
		return rv.Elem().Interface(), true
	}
	return nil, false
}

// FormatFloat is Python's repr of a float, except that an integral value
// below 1e16 prints as an integer (see the package comment).
func FormatFloat(f float64) string { return formatFloat(f, false, false) }

// formatFloat renders f like Python's float repr: shortest round-trip
// digits, fixed notation when the decimal point falls within
// -4 < decpt <= 16, else d.ddde+XX. Unless keepPoint, an integral value
// below 1e16 prints as an integer.
func formatFloat(f float64, keepPoint, jsonStyle bool) string {
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
	case !keepPoint && f == math.Trunc(f) && math.Abs(f) < 1e16:
		return strconv.FormatInt(int64(f), 10)
	}
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

// Quote is Python's repr of a str: single quotes unless the string holds a
// single quote and no double quote; \\, \n, \r, \t and the quote escaped;
// other non-printable characters as \xhh, \uhhhh or \Uhhhhhhhh.
func Quote(s string) string {
	q := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
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

// SortedKeys returns m's keys in Python's sort order (code points, which is
// UTF-8 byte order).
func SortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
