package pyrepr

import (
	"fmt"
	"sort"
	"strings"
)

// JSON renders v like Python's json.dumps(v, sort_keys=True, indent=indent,
// ensure_ascii=ascii): with indent 0 on one line with ", " and ": ", else
// one value per line indented by indent spaces with "," and ": ". A value
// JSON cannot hold (a func, a map with non-string keys) is an error naming
// its type, as Python's "Object of type X is not JSON serializable".
func JSON(v any, indent int, ascii bool) (string, error) {
	w := jsonWriter{indent: indent, ascii: ascii}
	if err := w.value(v, 0); err != nil {
		return "", err
	}
	return w.b.String(), nil
}

type jsonWriter struct {
	b      strings.Builder
	indent int
	ascii  bool
}

func (w *jsonWriter) newline(level int) {
	if w.indent > 0 {
		w.b.WriteByte('\n')
		w.b.WriteString(strings.Repeat(" ", w.indent*level))
	}
}

func (w *jsonWriter) sep() string {
	if w.indent > 0 {
		return ","
	}
	return ", "
}

func (w *jsonWriter) value(v any, level int) error {
	switch x := v.(type) {
	case string:
		JSONString(&w.b, x, w.ascii)
		return nil
	case []any:
		return w.items('[', ']', len(x), level, func(i int) error { return w.value(x[i], level+1) })
	case map[string]any:
		return w.object(SortedKeys(x), func(k string) any { return x[k] }, level)
	case Mapping:
		keys := x.Keys()
		sort.Strings(keys)
		return w.object(keys, func(k string) any { e, _ := x.Get(k); return e }, level)
	}
	if s, ok := scalar(v, true); ok {
		w.b.WriteString(s)
		return nil
	}
	if r, ok := reflected(v); ok {
		return w.value(r, level)
	}
	return fmt.Errorf("Object of type %T is not JSON serializable", v) //nolint:staticcheck // Python's message, word for word
}

func (w *jsonWriter) object(keys []string, get func(string) any, level int) error {
	return w.items('{', '}', len(keys), level, func(i int) error {
		JSONString(&w.b, keys[i], w.ascii)
		w.b.WriteString(": ")
		return w.value(get(keys[i]), level+1)
	})
}

// items writes the n items of a list or object between open and end, item
// writing the i-th: "[]" or "{}" when there are none.
func (w *jsonWriter) items(open, end byte, n, level int, item func(i int) error) error {
	w.b.WriteByte(open)
	for i := range n {
		if i > 0 {
			w.b.WriteString(w.sep())
		}
		w.newline(level + 1)
		if err := item(i); err != nil {
			return err
		}
	}
	if n > 0 {
		w.newline(level)
	}
	w.b.WriteByte(end)
	return nil
}

// JSONString writes s quoted as Python's json module does; with ascii every
// character above U+007E is escaped (as a surrogate pair above U+FFFF).
func JSONString(b *strings.Builder, s string, ascii bool) {
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
