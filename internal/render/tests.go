package render

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"

	"github.com/jetplay/jetplay/internal/pyrepr"
)

// testFunc is the library's test signature.
type testFunc = func(*exec.Evaluator, *exec.Value, *exec.VarArgs) (bool, error)

// simpleTest adapts a test on native values. An undefined input or argument
// is an error, as in Ansible, where these tests reject an undefined value.
func simpleTest(fn func(in any, a args) (bool, error)) testFunc {
	return func(_ *exec.Evaluator, in *exec.Value, p *exec.VarArgs) (bool, error) {
		if in.IsError() {
			return false, valueError(in)
		}
		a, bad := nativeArgs(p)
		if bad != nil {
			return false, valueError(bad)
		}
		return fn(toGo(in), a)
	}
}

// valueError returns the error an error value holds.
func valueError(v *exec.Value) error {
	if err, ok := v.Interface().(error); ok {
		return err
	}
	return errors.New(v.Error())
}

func ansibleTests() map[string]exec.TestFunction {
	tests := map[string]testFunc{
		"defined":         func(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) (bool, error) { return !isUndefined(in), nil },
		"undefined":       func(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) (bool, error) { return isUndefined(in), nil },
		"none":            simpleTest(func(in any, _ args) (bool, error) { return in == nil, nil }),
		"failed":          simpleTest(resultKey("failed")),
		"failure":         simpleTest(resultKey("failed")),
		"succeeded":       simpleTest(not(resultKey("failed"))),
		"success":         simpleTest(not(resultKey("failed"))),
		"successful":      simpleTest(not(resultKey("failed"))),
		"changed":         simpleTest(tChanged),
		"change":          simpleTest(tChanged),
		"skipped":         simpleTest(resultKey("skipped")),
		"skip":            simpleTest(resultKey("skipped")),
		"unreachable":     simpleTest(resultKey("unreachable")),
		"reachable":       simpleTest(not(resultKey("unreachable"))),
		"finished":        simpleTest(asyncKey("finished")),
		"started":         simpleTest(asyncKey("started")),
		"match":           simpleTest(regexTest("match")),
		"search":          simpleTest(regexTest("search")),
		"regex":           simpleTest(regexTest("")),
		"version":         simpleTest(tVersion),
		"version_compare": simpleTest(tVersion),
		"contains":        simpleTest(func(in any, a args) (bool, error) { return inContainer(a.get(0, "value", nil), in) }),
		"in":              simpleTest(func(in any, a args) (bool, error) { return inContainer(in, a.get(0, "seq", nil)) }),
		"subset":          simpleTest(tSubset),
		"superset":        simpleTest(func(in any, a args) (bool, error) { return tSubset(a.get(0, "b", nil), args{pos: []any{in}}) }),
		"any":             simpleTest(func(in any, _ args) (bool, error) { return anyAll(in, true) }),
		"all":             simpleTest(func(in any, _ args) (bool, error) { return anyAll(in, false) }),
		"truthy":          simpleTest(func(in any, a args) (bool, error) { return truthyTest(in, a), nil }),
		"falsy":           simpleTest(func(in any, a args) (bool, error) { return !truthyTest(in, a), nil }),
		"abs":             simpleTest(func(in any, _ args) (bool, error) { return strings.HasPrefix(pyrepr.Str(in), "/"), nil }),
		"mapping":         simpleTest(func(in any, _ args) (bool, error) { _, ok := in.(map[string]any); return ok, nil }),
		"string":          simpleTest(func(in any, _ args) (bool, error) { _, ok := in.(string); return ok, nil }),
		"number": simpleTest(func(in any, _ args) (bool, error) {
			_, ok := number(in)
			return ok, nil
		}),
		"iterable": simpleTest(func(in any, _ args) (bool, error) {
			switch in.(type) {
			case string, []any, map[string]any:
				return true, nil
			}
			return false, nil
		}),
		"sequence": simpleTest(func(in any, _ args) (bool, error) {
			switch in.(type) {
			case string, []any, map[string]any:
				return true, nil
			}
			return false, nil
		}),
	}
	out := make(map[string]exec.TestFunction, len(tests))
	for k, v := range tests {
		out[k] = v
	}
	return out
}

func not(fn func(any, args) (bool, error)) func(any, args) (bool, error) {
	return func(in any, a args) (bool, error) {
		ok, err := fn(in, a)
		return !ok, err
	}
}

// resultKey is Ansible's failed/skipped/unreachable test: the key of a
// task result is truthy.
func resultKey(key string) func(any, args) (bool, error) {
	return func(in any, _ args) (bool, error) {
		m, ok := in.(map[string]any)
		if !ok {
			return false, fmt.Errorf("the '%s' test expects a dictionary", key)
		}
		return pyrepr.Truthy(m[key]), nil
	}
}

// tChanged is Ansible's changed test: the changed key, or without it any
// loop item's changed key.
func tChanged(in any, _ args) (bool, error) {
	m, ok := in.(map[string]any)
	if !ok {
		return false, errors.New("the 'changed' test expects a dictionary")
	}
	if c, ok := m["changed"]; ok {
		return pyrepr.Truthy(c), nil
	}
	if results, ok := m["results"].([]any); ok {
		for _, r := range results {
			if rm, ok := r.(map[string]any); ok && pyrepr.Truthy(rm["changed"]) {
				return true, nil
			}
		}
	}
	return false, nil
}

// asyncKey is Ansible's finished/started test: true without the key (not an
// async result), else the key equals 1.
func asyncKey(key string) func(any, args) (bool, error) {
	return func(in any, _ args) (bool, error) {
		m, ok := in.(map[string]any)
		if !ok {
			return false, fmt.Errorf("the '%s' test expects a dictionary", key)
		}
		v, ok := m[key]
		if !ok {
			return true, nil
		}
		f, ok := number(v)
		return ok && f == 1, nil
	}
}

func regexTest(matchType string) func(any, args) (bool, error) {
	return func(in any, a args) (bool, error) {
		pattern := a.str(0, "pattern", "")
		mt := matchType
		if mt == "" {
			mt = a.str(3, "match_type", "search")
		}
		switch mt {
		case "match":
			pattern = `\A(?:` + pattern + `)`
		case "fullmatch":
			pattern = `\A(?:` + pattern + `)\z`
		case "search":
		default:
			return false, fmt.Errorf("regex: unknown match_type %q", mt)
		}
		re, err := compilePy(pattern, a.bool(1, "ignorecase", false), a.bool(2, "multiline", false))
		if err != nil {
			return false, err
		}
		return re.MatchString(pyrepr.Str(in)), nil
	}
}

func inContainer(v, container any) (bool, error) {
	switch c := container.(type) {
	case string:
		return strings.Contains(c, pyrepr.Str(v)), nil
	case []any:
		return contains(c, v), nil
	case map[string]any:
		_, ok := c[keyString(v)]
		return ok, nil
	}
	return false, fmt.Errorf("argument of type '%s' is not iterable", pyrepr.TypeName(container))
}

func tSubset(in any, a args) (bool, error) {
	x, err := asList(in, "subset")
	if err != nil {
		return false, err
	}
	y, err := asList(a.get(0, "b", nil), "subset")
	if err != nil {
		return false, err
	}
	for _, v := range x {
		if !contains(y, v) {
			return false, nil
		}
	}
	return true, nil
}

func anyAll(in any, wantAny bool) (bool, error) {
	list, err := asList(in, "any")
	if err != nil {
		return false, err
	}
	for _, v := range list {
		if pyrepr.Truthy(v) == wantAny {
			return wantAny, nil
		}
	}
	return !wantAny, nil
}

func truthyTest(in any, a args) bool {
	if a.bool(0, "convert_bool", false) {
		if b, _ := fBool(in, args{}); b == true {
			return true
		}
		if s, ok := in.(string); ok {
			switch strings.ToLower(s) {
			case "no", "off", "0", "false", "n":
				return false
			}
		}
	}
	return pyrepr.Truthy(in)
}

var reVersionPart = regexp.MustCompile(`\d+|[a-zA-Z]+`)

// looseVersion splits a version like Python's LooseVersion.
func looseVersion(s string) []any {
	var out []any
	for _, p := range reVersionPart.FindAllString(s, -1) {
		if n, err := strconv.Atoi(p); err == nil {
			out = append(out, n)
		} else {
			out = append(out, p)
		}
	}
	return out
}

func compareVersions(a, b string) int {
	x, y := looseVersion(a), looseVersion(b)
	for i := range min(len(x), len(y)) {
		xi, xInt := x[i].(int)
		yi, yInt := y[i].(int)
		switch {
		case xInt && yInt:
			if xi != yi {
				return xi - yi
			}
		case xInt != yInt:
			// Python 3 cannot order int and str; put numbers after letters.
			if xInt {
				return 1
			}
			return -1
		default:
			if c := strings.Compare(x[i].(string), y[i].(string)); c != 0 {
				return c
			}
		}
	}
	return len(x) - len(y)
}

// tVersion is Ansible's version(version, operator='eq', strict=False).
func tVersion(in any, a args) (bool, error) {
	want := a.get(0, "version", nil)
	if want == nil {
		return false, errors.New("version: version to compare against is required")
	}
	c := compareVersions(pyrepr.Str(in), pyrepr.Str(want))
	switch op := a.str(1, "operator", "eq"); op {
	case "==", "=", "eq":
		return c == 0, nil
	case "<", "lt":
		return c < 0, nil
	case "<=", "le":
		return c <= 0, nil
	case ">", "gt":
		return c > 0, nil
	case ">=", "ge":
		return c >= 0, nil
	case "!=", "<>", "ne":
		return c != 0, nil
	default:
		return false, fmt.Errorf("version: invalid operator %q", op)
	}
}
