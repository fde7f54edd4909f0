package render

import (
	"errors"
	"fmt"
	"maps"

	"github.com/nikolalohinski/gonja/v2/exec"

	"github.com/jetplay/jetplay/internal/pyrepr"
)

// maxRange bounds the list range() builds, since it is not lazy here.
const maxRange = 1 << 20

// undefinedAttr is the value of a missing attribute inside select and map:
// undefined for the tests, an error if used.
func undefinedAttr(attr string) *exec.Value {
	return exec.AsValue(&undefinedError{msg: fmt.Sprintf("'dict object' has no attribute '%s'", attr)})
}

// filterSelect is select/reject (byAttr false) and selectattr/rejectattr
// (byAttr true): keep the items for which the named test (or truthiness)
// holds, or for reject does not.
func filterSelect(reject, byAttr bool) exec.FilterFunction {
	return func(e *exec.Evaluator, in *exec.Value, p *exec.VarArgs) *exec.Value {
		if in.IsError() {
			return in
		}
		list, err := asList(toGo(in), "select")
		if err != nil {
			return exec.AsValue(err)
		}
		rest := p.Args
		attr := ""
		if byAttr {
			if len(rest) == 0 {
				return exec.AsValue(errors.New("selectattr: missing attribute name"))
			}
			attr = rest[0].String()
			rest = rest[1:]
		}
		test := ""
		if len(rest) > 0 {
			test = rest[0].String()
			rest = rest[1:]
		}
		out := []any{}
		for _, item := range list {
			val := exec.AsValue(item)
			if byAttr {
				v, ok := attribute(item, attr)
				if ok {
					val = exec.AsValue(v)
				} else {
					val = undefinedAttr(attr)
				}
			}
			var keep bool
			if test == "" {
				keep = !val.IsError() && truthyValue(val)
			} else {
				r := e.ExecuteTestByName(test, val, &exec.VarArgs{Args: rest, KwArgs: p.KwArgs})
				if r.IsError() {
					return r
				}
				keep = truthyValue(r)
			}
			if keep != reject {
				out = append(out, item)
			}
		}
		return exec.AsValue(out)
	}
}

// filterMap is map(attribute=, default=) or map(filter, args...).
func filterMap(e *exec.Evaluator, in *exec.Value, p *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	list, err := asList(toGo(in), "map")
	if err != nil {
		return exec.AsValue(err)
	}
	out := make([]any, 0, len(list))
	if attrVal, ok := p.KwArgs["attribute"]; ok && len(p.Args) == 0 {
		attr := attrVal.String()
		def, hasDef := p.KwArgs["default"]
		for _, item := range list {
			v, ok := attribute(item, attr)
			switch {
			case ok:
				out = append(out, v)
			case hasDef:
				out = append(out, toGo(def))
			default:
				return undefinedAttr(attr)
			}
		}
		return exec.AsValue(out)
	}
	if len(p.Args) == 0 {
		return exec.AsValue(errors.New("map: a filter name or attribute= is required"))
	}
	name := p.Args[0].String()
	for _, item := range list {
		r := e.ExecuteFilterByName(name, exec.AsValue(item), &exec.VarArgs{Args: p.Args[1:], KwArgs: p.KwArgs})
		if r.IsError() {
			return r
		}
		out = append(out, toGo(r))
	}
	return exec.AsValue(out)
}

// rangeFunc is Python's range(), returning a list.
// dictFunc is Python's dict(mapping_or_pairs={}, **kwargs): a mapping or a
// list of [key, value] pairs (dict(keys | zip(values))), then the keyword
// arguments.
func dictFunc(_ *exec.Evaluator, p *exec.VarArgs) *exec.Value {
	a, bad := nativeArgs(p)
	if bad != nil {
		return bad
	}
	if len(a.pos) > 1 {
		return exec.AsValue(fmt.Errorf("dict expected at most 1 argument, got %d", len(a.pos)))
	}
	out := map[string]any{}
	if len(a.pos) == 1 {
		m, err := fDict(a.pos[0], args{})
		if err != nil {
			return exec.AsValue(err)
		}
		maps.Copy(out, m.(map[string]any))
	}
	maps.Copy(out, a.kw)
	return exec.AsValue(out)
}

func rangeFunc(_ *exec.Evaluator, p *exec.VarArgs) *exec.Value {
	a, bad := nativeArgs(p)
	if bad != nil {
		return bad
	}
	nums := make([]int, len(a.pos))
	for i, v := range a.pos {
		n, ok := v.(int)
		if !ok {
			return exec.AsValue(fmt.Errorf("range: '%s' object cannot be interpreted as an integer", pyrepr.TypeName(v)))
		}
		nums[i] = n
	}
	start, stop, step := 0, 0, 1
	switch len(nums) {
	case 1:
		stop = nums[0]
	case 2:
		start, stop = nums[0], nums[1]
	case 3:
		start, stop, step = nums[0], nums[1], nums[2]
	default:
		return exec.AsValue(errors.New("range expects 1 to 3 integer arguments"))
	}
	if step == 0 {
		return exec.AsValue(errors.New("range: step must not be zero"))
	}
	out := []any{}
	for i := start; (step > 0 && i < stop) || (step < 0 && i > stop); i += step {
		if len(out) >= maxRange {
			return exec.AsValue(fmt.Errorf("range: more than %d items", maxRange))
		}
		out = append(out, i)
	}
	return exec.AsValue(out)
}
