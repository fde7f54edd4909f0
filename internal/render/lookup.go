package render

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"

	"github.com/jetplay/jetplay/internal/pyrepr"
)

// ansibleGlobals are the functions and names added to every template:
// lookup, query/q, a list-building range and the lowercase none.
func ansibleGlobals() map[string]any {
	return map[string]any{
		"lookup": func(e *exec.Evaluator, p *exec.VarArgs) *exec.Value { return callLookup(e, p, false) },
		"query":  func(e *exec.Evaluator, p *exec.VarArgs) *exec.Value { return callLookup(e, p, true) },
		"q":      func(e *exec.Evaluator, p *exec.VarArgs) *exec.Value { return callLookup(e, p, true) },
		"range":  rangeFunc,
		"dict":   dictFunc,
		"none":   nil,
	}
}

// callLookup runs lookup(name, terms..., wantlist=False, errors='strict',
// default=...) or query(...). Supported: env, file, vars, list/items.
func callLookup(e *exec.Evaluator, p *exec.VarArgs, wantList bool) *exec.Value {
	a, bad := nativeArgs(p)
	if bad != nil {
		return bad
	}
	if len(a.pos) == 0 {
		return exec.AsValue(errors.New("lookup: plugin name is required"))
	}
	name, terms := pyrepr.Str(a.pos[0]), a.pos[1:]
	if a.bool(-1, "wantlist", false) {
		wantList = true
	}
	out, err := runLookup(e, name, terms, a)
	if err != nil {
		switch a.str(-1, "errors", "strict") {
		case "ignore", "warn":
			if wantList {
				return exec.AsValue([]any{})
			}
			return exec.AsValue(nil)
		}
		return exec.AsValue(fmt.Errorf("lookup %s: %w", name, err))
	}
	if wantList {
		return exec.AsValue(out)
	}
	if len(out) == 1 {
		return exec.AsValue(out[0])
	}
	parts := make([]string, len(out))
	for i, v := range out {
		parts[i] = pyrepr.Str(v)
	}
	return exec.AsValue(strings.Join(parts, ","))
}

func runLookup(e *exec.Evaluator, name string, terms []any, a args) ([]any, error) {
	out := make([]any, 0, len(terms))
	switch name {
	case "env", "ansible.builtin.env":
		for _, t := range terms {
			v, ok := os.LookupEnv(pyrepr.Str(t))
			if !ok {
				out = append(out, a.get(-1, "default", ""))
				continue
			}
			out = append(out, v)
		}
	case "file", "ansible.builtin.file":
		for _, t := range terms {
			b, err := os.ReadFile(searchFile(e, "files", pyrepr.Str(t)))
			if err != nil {
				return nil, fmt.Errorf("could not find or access %s", pyrepr.Quote(pyrepr.Str(t)))
			}
			s := string(b)
			if a.bool(-1, "rstrip", true) {
				s = strings.TrimRight(s, " \t\r\n")
			}
			if a.bool(-1, "lstrip", false) {
				s = strings.TrimLeft(s, " \t\r\n")
			}
			out = append(out, s)
		}
	case "vars", "ansible.builtin.vars":
		for _, t := range terms {
			v, ok := e.Environment.Context.Get(pyrepr.Str(t))
			if !ok {
				def, has := a.kw["default"]
				if !has {
					return nil, &undefinedError{msg: fmt.Sprintf("No variable found with this name: %s", pyrepr.Str(t))}
				}
				v = def
			}
			out = append(out, native(v))
		}
	case "list", "items", "ansible.builtin.list", "ansible.builtin.items":
		for _, t := range terms {
			if l, ok := t.([]any); ok && name != "list" && name != "ansible.builtin.list" {
				out = append(out, l...)
				continue
			}
			out = append(out, t)
		}
	default:
		return nil, fmt.Errorf("lookup plugin %q is not supported", name)
	}
	return out, nil
}
