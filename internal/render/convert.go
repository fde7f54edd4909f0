package render

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
)

// reprFilter is added to every {{ }} of a template at parse time so that
// values print as Ansible prints them (Python's str/repr) instead of gonja's
// own format.
const reprFilter = "__render_repr"

// rewrite fixes up a parse tree, reaching nodes through exported fields:
//   - the expression of every output node is wrapped in the repr filter;
//   - a test called with several arguments, which the library parses as one
//     tuple argument (`is version('1.2', '>=')`), gets them spread out.
func rewrite(root *nodes.Template) {
	seen := map[uintptr]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			if tc, ok := v.Interface().(*nodes.TestCall); ok {
				if len(tc.Args) == 1 {
					if tuple, ok := tc.Args[0].(*nodes.Tuple); ok {
						tc.Args = tuple.Val
					}
				}
			}
			if out, ok := v.Interface().(*nodes.Output); ok {
				out.Expression = wrapRepr(out.Expression, out)
				if out.Alternative != nil {
					out.Alternative = wrapRepr(out.Alternative, out)
				}
			}
			walk(v.Elem())
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			t := v.Type()
			for i := range t.NumField() {
				if t.Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Map:
			iter := v.MapRange()
			for iter.Next() {
				walk(iter.Value())
			}
		}
	}
	walk(reflect.ValueOf(root))
}

func wrapRepr(expr nodes.Expression, out *nodes.Output) nodes.Expression {
	return &nodes.FilteredExpression{
		Expression: expr,
		Filters:    []*nodes.FilterCall{{Token: out.Start, Name: reprFilter}},
	}
}

// filterRepr renders a value as Ansible prints it inside a string.
func filterRepr(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	return exec.AsValue(str(toGo(in)))
}

// str is Python's str() of a value as Ansible's templar finalizes it: None
// becomes "", strings are unquoted, containers use repr.
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	default:
		return repr(v)
	}
}

// pyStr is Python's str(): like str but None is "None".
func pyStr(v any) string {
	if v == nil {
		return "None"
	}
	return str(v)
}

// repr is Python's repr() of a native value. Map keys are sorted since Go
// maps have no order.
func repr(v any) string {
	var b strings.Builder
	writeRepr(&b, v)
	return b.String()
}

func writeRepr(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		b.WriteString(formatFloat(x))
	case string:
		b.WriteString(quotePy(x))
	case []any:
		b.WriteByte('[')
		for i, item := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, item)
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quotePy(k))
			b.WriteString(": ")
			writeRepr(b, x[k])
		}
		b.WriteByte('}')
	default:
		fmt.Fprintf(b, "%v", x)
	}
}

// formatFloat prints a float as Python does, except that an integral value
// prints without ".0" (see toGo).
func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10)
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if exp := strings.IndexByte(s, 'e'); exp >= 0 {
		// Python writes at least two exponent digits: 1e-05, 1e+16.
		mant, e := s[:exp], s[exp+1:]
		sign := e[0]
		digits := e[1:]
		if len(digits) < 2 {
			digits = "0" + digits
		}
		s = mant + "e" + string(sign) + digits
	}
	return s
}

// quotePy is Python's repr() of a str.
func quotePy(s string) string {
	q := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// toGo converts a gonja value into plain Go data: map[string]any, []any,
// int, float64, bool, string or nil. Every container is copied. An integral
// float64 becomes int: JSON decoding gives float64 for every number, and
// Ansible shows those as integers.
func toGo(v *exec.Value) any {
	if v == nil || v.IsNil() {
		return nil
	}
	if !v.Val.IsValid() {
		return nil
	}
	return native(v.Val.Interface())
}

func native(x any) any {
	switch t := x.(type) {
	case nil:
		return nil
	case *exec.Value:
		return toGo(t)
	case string:
		return t
	case bool:
		return t
	case int:
		return t
	case int64:
		return int(t)
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
			return int(t)
		}
		return t
	case []any:
		out := make([]any, len(t))
		for i, item := range t {
			out[i] = native(item)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, item := range t {
			out[k] = native(item)
		}
		return out
	case *exec.Dict:
		out := make(map[string]any, len(t.Pairs))
		for _, p := range t.Pairs {
			out[keyString(p.Key)] = toGo(p.Value)
		}
		return out
	case exec.Dict:
		return native(&t)
	case error:
		return t.Error()
	}
	rv := reflect.ValueOf(x)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return native(rv.Elem().Interface())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return int(rv.Uint())
	case reflect.Float32:
		return native(rv.Float())
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return rv.Bool()
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = native(rv.Index(i).Interface())
		}
		return out
	case reflect.Map:
		out := make(map[string]any, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			out[keyString(iter.Key().Interface())] = native(iter.Value().Interface())
		}
		return out
	}
	return x
}

// keyString is the string form of a map key.
func keyString(k any) string {
	switch t := k.(type) {
	case string:
		return t
	case *exec.Value:
		return keyString(toGo(t))
	default:
		return pyStr(native(k))
	}
}

// Truthy is Python's truth value of a value (as Jinja and Ansible's
// conditionals see it).
func Truthy(v any) bool { return truthy(v) }

// truthy is Python's truth value of a native value.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int:
		return x != 0
	case int64:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Map, reflect.Array, reflect.String:
		return rv.Len() > 0
	}
	return true
}

func truthyValue(v *exec.Value) bool {
	return truthy(toGo(v))
}

// quote shortens a template for an error message and quotes it.
func quote(s string) string {
	const max = 120
	if len(s) > max {
		s = s[:max] + "..."
	}
	return strconv.Quote(s)
}
