package render

import (
	"math"
	"reflect"
	"strconv"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"

	"github.com/jetplay/jetplay/internal/pyrepr"
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
	if v == nil {
		return ""
	}
	return pyrepr.Str(v)
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
	case pyrepr.Float:
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
		return pyrepr.Str(native(k))
	}
}

// Truthy is Python's truth value of a value (as Jinja and Ansible's
// conditionals see it).
func Truthy(v any) bool { return pyrepr.Truthy(v) }

func truthyValue(v *exec.Value) bool {
	return pyrepr.Truthy(toGo(v))
}

// quote shortens a template for an error message and quotes it.
func quote(s string) string {
	const max = 120
	if len(s) > max {
		s = s[:max] + "..."
	}
	return strconv.Quote(s)
}
