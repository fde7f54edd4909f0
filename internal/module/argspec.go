package module

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// ValidateArgSpec checks params against an argument spec as ansible-core
// 2.14's ArgumentSpecValidator does for validate_argument_spec (and a
// role's meta/argument_specs): spec maps each option to its required,
// type (str, int, bool, list, dict, float, path, raw), choices, default,
// elements and nested options. It returns every error message, in
// Ansible's order: missing required arguments, type errors, value errors,
// nested options, unsupported parameters; none when params pass.
//
// raw holds, for the keys of params, the value before templating: a
// string that was not a template is reported as Python's AnsibleUnicode in
// type errors, as Ansible does for a literal from a YAML file.
func ValidateArgSpec(spec, params, raw map[string]any) []string {
	v := &specValidator{supported: map[string][]string{}}
	v.validate(spec, params, raw, nil)
	if len(v.unsupported) > 0 {
		// Ansible lists the options of the spec of the last unsupported
		// parameter it iterates over (a set's order); here the last sorted.
		sort.Strings(v.unsupported)
		last := v.unsupported[len(v.unsupported)-1]
		v.add("%s. Supported parameters include: %s.", strings.Join(v.unsupported, ", "), strings.Join(v.supported[last], ", "))
	}
	return v.errs
}

type specValidator struct {
	errs []string
	// unsupported are the unknown parameters, nested ones as
	// "parent.name"; supported the options of the spec of each.
	unsupported []string
	supported   map[string][]string
}

func (v *specValidator) add(format string, a ...any) {
	v.errs = append(v.errs, fmt.Sprintf(format, a...))
}

// specKeys are the options of spec, sorted: Ansible goes in the file's
// order, which the decoded map does not keep, so messages of several
// options come in another order when the file's is not sorted.
func specKeys(spec map[string]any) []string {
	keys := make([]string, 0, len(spec))
	for k := range spec {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// found is Ansible's " found in 'a -> b'" suffix of nested options.
func found(ctx []string, dot bool) string {
	if len(ctx) == 0 {
		return ""
	}
	s := " found in '" + strings.Join(ctx, " -> ") + "'"
	if dot {
		s += "."
	}
	return s
}

func (v *specValidator) validate(spec, params, raw map[string]any, ctx []string) {
	keys := specKeys(spec)
	opt := func(k string) map[string]any { m, _ := spec[k].(map[string]any); return m }
	for k := range params {
		if _, ok := spec[k]; !ok {
			name := strings.Join(append(ctx[:len(ctx):len(ctx)], k), ".")
			v.unsupported = append(v.unsupported, name)
			v.supported[name] = keys
		}
	}
	// Defaults that are not None are set before the required check.
	for _, k := range keys {
		if d, ok := opt(k)["default"]; ok && d != nil {
			if _, set := params[k]; !set {
				params[k] = d
			}
		}
	}
	var missing []string
	for _, k := range keys {
		if req, _ := opt(k)["required"].(bool); req {
			if _, ok := params[k]; !ok {
				missing = append(missing, k)
			}
		}
	}
	if len(missing) > 0 {
		msg := "missing required arguments: " + strings.Join(missing, ", ")
		if len(ctx) > 0 {
			msg += " found in " + strings.Join(ctx, " -> ")
		}
		v.errs = append(v.errs, msg)
	}
	for _, k := range keys {
		val, ok := params[k]
		o := opt(k)
		if !ok || val == nil && o["required"] != true && o["default"] == nil {
			continue
		}
		typ, _ := o["type"].(string)
		if typ == "" {
			typ = "str"
		}
		conv, why := convertSpec(typ, val)
		if why != "" {
			at := ansibleType(val, raw[k])
			why = strings.ReplaceAll(why, pyType(val), at)
			v.add("argument '%s' is of type %s%s and we were unable to convert to %s: %s", k, at, found(ctx, true), typ, why)
			continue
		}
		params[k] = conv
		if et, _ := o["elements"].(string); et != "" {
			l, isList := conv.([]any)
			if typ != "list" || !isList {
				v.add("Invalid type %s for option '%v'%s, elements value check is supported only with 'list' type", typ, conv, found(ctx, true))
				continue
			}
			rl, _ := raw[k].([]any)
			for i, e := range l {
				var re any
				if i < len(rl) {
					re = rl[i]
				}
				c, why := convertSpec(et, e)
				if why != "" {
					at := ansibleType(e, re)
					why = strings.ReplaceAll(why, pyType(e), at)
					v.add("Elements value for option '%s'%s is of type %s and we were unable to convert to %s: %s", k, found(ctx, false), at, et, why)
					continue
				}
				l[i] = c
			}
		}
	}
	for _, k := range keys {
		ch, ok := opt(k)["choices"].([]any)
		val, set := params[k]
		if !ok || !set || val == nil {
			continue
		}
		vals := []any{val}
		if l, ok := val.([]any); ok {
			vals = l
		}
		for _, x := range vals {
			if !inChoices(x, ch) {
				names := make([]string, len(ch))
				for i, c := range ch {
					names[i] = pyStr(c)
				}
				v.add("value of %s must be one of: %s, got: %s%s", k, strings.Join(names, ", "), pyStr(val), found(ctx, false))
				break
			}
		}
	}
	for _, k := range keys {
		val, set := params[k]
		if !set {
			params[k] = nil
		}
		o := opt(k)
		sub, ok := o["options"].(map[string]any)
		if !ok || val == nil {
			continue
		}
		typ, _ := o["type"].(string)
		if typ != "dict" && (typ != "list" || o["elements"] != "dict") {
			continue
		}
		elems, rawElems := []any{val}, []any{raw[k]}
		if l, ok := val.([]any); ok {
			elems = l
			rawElems, _ = raw[k].([]any)
		}
		for i, e := range elems {
			m, ok := e.(map[string]any)
			if !ok {
				v.add("value of '%s' must be of type dict or list of dicts", k)
				continue
			}
			var rm map[string]any
			if i < len(rawElems) {
				rm, _ = rawElems[i].(map[string]any)
			}
			v.validate(sub, m, rm, append(ctx[:len(ctx):len(ctx)], k))
		}
	}
}

func inChoices(x any, choices []any) bool {
	for _, c := range choices {
		if fmt.Sprint(c) == fmt.Sprint(x) {
			return true
		}
	}
	return false
}

// pyStr is str() of a value as Python prints it.
func pyStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	}
	return fmt.Sprint(v)
}

// ansibleType is pyType, with a literal string (raw is the same string,
// not a template) as Ansible's AnsibleUnicode.
func ansibleType(v, raw any) string {
	if s, ok := v.(string); ok {
		if r, ok := raw.(string); ok && r == s && !strings.Contains(r, "{{") && !strings.Contains(r, "{%") {
			return "<class 'ansible.parsing.yaml.objects.AnsibleUnicode'>"
		}
	}
	return pyType(v)
}

// convertSpec converts v to an argument spec type, or says why it cannot.
func convertSpec(typ string, v any) (any, string) {
	switch typ {
	case "raw":
		return v, ""
	case "dict":
		switch x := v.(type) {
		case map[string]any:
			return x, ""
		case string:
			if strings.HasPrefix(strings.TrimSpace(x), "{") {
				var m map[string]any
				if err := json.Unmarshal([]byte(x), &m); err == nil {
					return m, ""
				}
			} else if strings.Contains(x, "=") {
				m := map[string]any{}
				for _, f := range strings.FieldsFunc(x, func(r rune) bool { return r == ',' || r == ' ' }) {
					k, val, _ := strings.Cut(f, "=")
					m[k] = val
				}
				return m, ""
			}
			return nil, "dictionary requested, could not parse JSON or key=value"
		}
		return nil, fmt.Sprintf("%s cannot be converted to a dict", pyType(v))
	case "bool":
		switch x := v.(type) {
		case bool:
			return x, ""
		case string, int, float64:
			if b, err := convert("", "bool", x); err == nil {
				return b, ""
			}
			return nil, fmt.Sprintf("The value '%s' is not a valid boolean.  Valid booleans include: 0, 'yes', 1, 'n', 'y', 'off', 'on', 'f', 'true', 't', '1', 'no', '0', 'false'", pyStr(x))
		}
		return nil, fmt.Sprintf("%s cannot be converted to a bool", pyType(v))
	case "int":
		if b, ok := v.(bool); ok { // a Python bool is an int
			return b, ""
		}
		if f, ok := v.(float64); ok {
			return nil, fmt.Sprintf("%s cannot be converted to an int", pyType(f))
		}
	case "str", "path":
		switch v.(type) {
		case []any, map[string]any:
			return fmt.Sprint(v), ""
		}
	}
	c, err := convert("", typ, v)
	if err != nil {
		msg := ArgsMsg(err)
		if _, why, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "argument ''") {
			// convert's message is "argument '' is of type ... to T: why".
			if i := strings.Index(msg, " to "+typ+": "); i >= 0 {
				return nil, msg[i+len(" to "+typ+": "):]
			}
			return nil, why
		}
		return nil, msg
	}
	return c, ""
}
