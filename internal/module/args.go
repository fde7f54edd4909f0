package module

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// CheckArgs validates args for module name as Ansible's argument spec
// would: unknown parameters, missing required ones, wrong types, values
// outside the choices, mutually exclusive and required-one-of groups. The
// error wraps ErrBadArgs (or ErrUnknownModule) and its text after the
// prefix is Ansible's msg, e.g. "Unsupported parameters for (file) module:
// foo. Supported parameters include: ...". Use ArgsMsg to get the bare msg.
// Actions that take any key (set_fact) accept everything.
func CheckArgs(name string, args map[string]any) error {
	s, ok := lookup(name)
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownModule, name)
	}
	_, err := s.normalize(name, freeFormCmd(s, args))
	return err
}

// ArgsMsg returns Ansible's msg text of an error from CheckArgs (the error
// text without the "invalid module arguments: " prefix).
func ArgsMsg(err error) string {
	if e, ok := err.(*argsError); ok {
		return e.msg
	}
	return err.Error()
}

// argsError is an argument error with Ansible's message.
type argsError struct{ msg string }

func (e *argsError) Error() string { return ErrBadArgs.Error() + ": " + e.msg }
func (e *argsError) Unwrap() error { return ErrBadArgs }

func badArgs(format string, a ...any) error { return &argsError{msg: fmt.Sprintf(format, a...)} }

// normalize validates args and returns the full parameter set: every
// parameter of the spec under its canonical name, converted to its type,
// with defaults filled in and nil for the unset ones. called is the module
// name as the task wrote it, for messages.
func (s *spec) normalize(called string, args map[string]any) (map[string]any, error) {
	if s.anyParams {
		out := make(map[string]any, len(args))
		for k, v := range args {
			out[k] = v
		}
		return out, nil
	}
	report := called
	if s.reportName != "" {
		report = s.reportName
	}
	// Aliases and unsupported parameters.
	given := map[string]any{}
	var unknown []string
	for k, v := range args {
		if strings.HasPrefix(k, "_ansible_") {
			continue
		}
		canon := k
		if c, ok := s.alias[k]; ok {
			canon = c
		} else if _, ok := s.params[k]; !ok {
			unknown = append(unknown, k)
			continue
		}
		if _, dup := given[canon]; dup && canon != k {
			continue // the canonical name wins over an alias
		}
		given[canon] = v
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, badArgs("Unsupported parameters for (%s) module: %s. Supported parameters include: %s.",
			report, strings.Join(unknown, ", "), s.supportedList())
	}
	for _, group := range s.mutuallyExclusive {
		var set []string
		for _, k := range group {
			if given[k] != nil {
				set = append(set, k)
			}
		}
		if len(set) > 1 {
			return nil, badArgs("parameters are mutually exclusive: %s", strings.Join(group, "|"))
		}
	}
	var missing []string
	for k, p := range s.params {
		if p.required && given[k] == nil {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, badArgs("missing required arguments: %s", strings.Join(missing, ", "))
	}
	out := make(map[string]any, len(s.params))
	for k, p := range s.params {
		v, ok := given[k]
		if !ok || v == nil {
			out[k] = copyDefault(p.def)
			continue
		}
		cv, err := convert(k, p.typ, v)
		if err != nil {
			return nil, err
		}
		if len(p.choices) > 0 {
			if str, ok := cv.(string); ok && !slices.Contains(p.choices, str) {
				return nil, badArgs("value of %s must be one of: %s, got: %s", k, strings.Join(p.choices, ", "), str)
			}
		}
		out[k] = cv
	}
	for _, group := range s.requiredOneOf {
		found := false
		for _, k := range group {
			if given[k] != nil {
				found = true
			}
		}
		if !found {
			return nil, badArgs("one of the following is required: %s", strings.Join(group, ", "))
		}
	}
	return out, nil
}

func copyDefault(v any) any {
	if l, ok := v.([]any); ok {
		return slices.Clone(l)
	}
	return v
}

// pyType names a value's type as Python would print it.
func pyType(v any) string {
	switch v.(type) {
	case string:
		return "<class 'str'>"
	case bool:
		return "<class 'bool'>"
	case int, int64, int32, uint, uint64:
		return "<class 'int'>"
	case float64, float32:
		return "<class 'float'>"
	case []any, []string:
		return "<class 'list'>"
	case map[string]any:
		return "<class 'dict'>"
	}
	return fmt.Sprintf("<class '%T'>", v)
}

// convert turns v into the Go value of an Ansible argument type.
func convert(name, typ string, v any) (any, error) {
	fail := func(why string) error {
		return badArgs("argument '%s' is of type %s and we were unable to convert to %s: %s", name, pyType(v), typ, why)
	}
	switch typ {
	case "str", "path":
		switch x := v.(type) {
		case string:
			return x, nil
		case bool:
			if x {
				return "True", nil
			}
			return "False", nil
		case int, int64:
			return fmt.Sprint(x), nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1e15 {
				return strconv.FormatFloat(x, 'f', 1, 64), nil
			}
			return strconv.FormatFloat(x, 'g', -1, 64), nil
		}
		return nil, fail(fmt.Sprintf("%s cannot be converted to a str", pyType(v)))
	case "bool":
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "y", "yes", "on", "1", "true", "t":
				return true, nil
			case "n", "no", "off", "0", "false", "f":
				return false, nil
			}
		case int:
			if x == 0 || x == 1 {
				return x == 1, nil
			}
		case int64:
			if x == 0 || x == 1 {
				return x == 1, nil
			}
		case float64:
			if x == 0 || x == 1 {
				return x == 1, nil
			}
		}
		return nil, fail(fmt.Sprintf("The value '%v' is not a valid boolean.  Valid booleans include: 0, 'off', 'yes', 'n', 'y', 't', 'on', 'true', '0', '1', 'no', 'false', 1, 'f'", v))
	case "int":
		switch x := v.(type) {
		case int:
			return x, nil
		case int64:
			return int(x), nil
		case float64:
			if x == math.Trunc(x) {
				return int(x), nil
			}
		case string:
			if n, err := strconv.Atoi(strings.TrimSpace(x)); err == nil {
				return n, nil
			}
		}
		return nil, fail(fmt.Sprintf("%s cannot be converted to an int", pyType(v)))
	case "float":
		switch x := v.(type) {
		case int:
			return float64(x), nil
		case float64:
			return x, nil
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				return f, nil
			}
		}
		return nil, fail(fmt.Sprintf("%s cannot be converted to a float", pyType(v)))
	case "list":
		switch x := v.(type) {
		case []any:
			return x, nil
		case []string:
			out := make([]any, len(x))
			for i, s := range x {
				out[i] = s
			}
			return out, nil
		case string:
			var out []any
			for _, s := range strings.Split(x, ",") {
				out = append(out, s)
			}
			return out, nil
		case int, int64, float64, bool:
			return []any{fmt.Sprint(x)}, nil
		}
		return nil, fail(fmt.Sprintf("%s cannot be converted to a list", pyType(v)))
	case "dict":
		if m, ok := v.(map[string]any); ok {
			return m, nil
		}
		return nil, fail("dictionary requested, could not parse JSON or key=value")
	}
	return v, nil // raw
}

// Accessors for normalized parameters.

func pstr(p map[string]any, k string) string {
	s, _ := p[k].(string)
	return s
}

func pbool(p map[string]any, k string) bool {
	b, _ := p[k].(bool)
	return b
}

func pint(p map[string]any, k string) int {
	n, _ := p[k].(int)
	return n
}

// pstrs returns a list parameter as strings.
func pstrs(p map[string]any, k string) []string {
	l, _ := p[k].([]any)
	out := make([]string, 0, len(l))
	for _, v := range l {
		out = append(out, fmt.Sprint(v))
	}
	return out
}
