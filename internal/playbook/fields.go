package playbook

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// The helpers below convert the value of one keyword, reporting errors at
// the value's position.

// stringOf returns a scalar as a string; null gives "".
func (d *decoder) stringOf(key string, n *yaml.Node, check bool) (string, error) {
	if isNull(n) {
		return "", nil
	}
	if deref(n).Kind != yaml.ScalarNode {
		return "", errorf(d.pos(n), ErrInvalid, "'%s' must be a string, got %s", key, kindName(n))
	}
	v, err := d.value(n, check)
	if err != nil {
		return "", err
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	return fmt.Sprint(v), nil
}

// boolWords are the strings Ansible's boolean() accepts.
var boolWords = map[string]bool{
	"yes": true, "on": true, "1": true, "true": true, "y": true, "t": true,
	"no": false, "off": false, "0": false, "false": false, "n": false, "f": false,
}

// toBool converts a YAML value to a bool as Ansible's boolean() does.
func toBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case int:
		if x == 0 || x == 1 {
			return x == 1, true
		}
	case float64:
		if x == 0 || x == 1 {
			return x == 1, true
		}
	case string:
		b, ok := boolWords[strings.ToLower(strings.TrimSpace(x))]
		return b, ok
	}
	return false, false
}

// boolPtr reads a keyword that must be a literal boolean; null gives nil.
func (d *decoder) boolPtr(key string, n *yaml.Node) (*bool, error) {
	if isNull(n) {
		return nil, nil
	}
	v, err := d.value(n, false)
	if err != nil {
		return nil, err
	}
	if b, ok := toBool(v); ok {
		return &b, nil
	}
	if s, ok := v.(string); ok && isTemplate(s) {
		return nil, errorf(d.pos(n), ErrUnsupported, "a template in '%s' is not supported; use a boolean", key)
	}
	return nil, errorf(d.pos(n), ErrInvalid, "'%s' must be a boolean, got %s", key, short(fmt.Sprint(v)))
}

// boolValue reads a keyword that must be a literal boolean; null gives false.
func (d *decoder) boolValue(key string, n *yaml.Node) (bool, error) {
	b, err := d.boolPtr(key, n)
	if err != nil || b == nil {
		return false, err
	}
	return *b, nil
}

// boolish reads a keyword that is a boolean or a template rendered later:
// the result is nil, a bool or a template string.
func (d *decoder) boolish(key string, n *yaml.Node) (any, error) {
	if isNull(n) {
		return nil, nil
	}
	v, err := d.value(n, true)
	if err != nil {
		return nil, err
	}
	if b, ok := toBool(v); ok {
		return b, nil
	}
	if s, ok := v.(string); ok && isTemplate(s) {
		return s, nil
	}
	return nil, errorf(d.pos(n), ErrInvalid, "'%s' must be a boolean or a template, got %s", key, short(fmt.Sprint(v)))
}

// intish reads a keyword that is an integer or a template rendered later:
// the result is nil, an int or a template string.
func (d *decoder) intish(key string, n *yaml.Node) (any, error) {
	if isNull(n) {
		return nil, nil
	}
	v, err := d.value(n, true)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case int:
		return x, nil
	case float64:
		if x == float64(int(x)) {
			return int(x), nil
		}
	case string:
		if isTemplate(x) {
			return x, nil
		}
		if i, err := strconv.Atoi(strings.TrimSpace(x)); err == nil {
			return i, nil
		}
	}
	return nil, errorf(d.pos(n), ErrInvalid, "'%s' must be an integer or a template, got %s", key, short(fmt.Sprint(v)))
}

// stringList reads tags, notify or listen: a string (split on commas when
// comma is true) or a list of scalars.
func (d *decoder) stringList(key string, n *yaml.Node, comma bool) ([]string, error) {
	if isNull(n) {
		return nil, nil
	}
	n2 := deref(n)
	var items []*yaml.Node
	switch n2.Kind {
	case yaml.ScalarNode:
		items = []*yaml.Node{n2}
	case yaml.SequenceNode:
		items = n2.Content
	default:
		return nil, errorf(d.pos(n), ErrInvalid, "'%s' must be a string or a list of strings, got %s", key, kindName(n))
	}
	var out []string
	for _, it := range items {
		s, err := d.stringOf(key, it, true)
		if err != nil {
			return nil, err
		}
		if !comma {
			out = append(out, s)
			continue
		}
		for _, part := range strings.Split(s, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out, nil
}

// condList reads when, changed_when or failed_when: one condition or a list;
// each string goes to CheckExpr.
func (d *decoder) condList(key string, n *yaml.Node) ([]any, error) {
	if isNull(n) {
		return nil, nil
	}
	n2 := deref(n)
	items := []*yaml.Node{n}
	if n2.Kind == yaml.SequenceNode {
		items = n2.Content
	}
	out := make([]any, 0, len(items))
	for _, it := range items {
		c, err := d.cond(key, it)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// cond reads one condition: a string expression, a bool or a number.
func (d *decoder) cond(key string, n *yaml.Node) (any, error) {
	if deref(n).Kind != yaml.ScalarNode {
		return nil, errorf(d.pos(n), ErrInvalid, "'%s' conditions must be strings or booleans, got %s", key, kindName(n))
	}
	v, err := d.value(n, false)
	if err != nil {
		return nil, err
	}
	if s, ok := v.(string); ok {
		if err := d.checkExpr(n, s); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// varsMap reads vars: a mapping or a list of mappings (merged in order),
// whose keys must be valid variable names.
func (d *decoder) varsMap(owner string, n *yaml.Node) (map[string]any, error) {
	if isNull(n) {
		return nil, nil
	}
	n2 := deref(n)
	var maps []*yaml.Node
	switch n2.Kind {
	case yaml.MappingNode:
		maps = []*yaml.Node{n}
	case yaml.SequenceNode:
		for _, c := range n2.Content {
			if deref(c).Kind != yaml.MappingNode {
				return nil, errorf(d.pos(c), ErrInvalid, "Vars in a %s must be specified as a dictionary, or a list of dictionaries", owner)
			}
			maps = append(maps, c)
		}
	default:
		return nil, errorf(d.pos(n), ErrInvalid, "Vars in a %s must be specified as a dictionary, or a list of dictionaries", owner)
	}
	out := map[string]any{}
	for _, m := range maps {
		ps, err := d.pairs(m)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if !validVarName(p.key) {
				return nil, errorf(d.pos(p.k), ErrInvalid, "Invalid variable name in vars specified for %s: '%s' is not a valid variable name", owner, p.key)
			}
			v, err := d.value(p.v, true)
			if err != nil {
				return nil, err
			}
			out[p.key] = v
		}
	}
	return out, nil
}

// EnvTemplates is the key of an Environment map that holds the templates
// given for a whole environment (environment: "{{ env }}", or such a list
// element), as a []any of strings in file order. Each must render to a
// mapping; the engine merges them first, then the other keys. No
// environment variable can have this name.
const EnvTemplates = "{{ templates }}"

// envMap reads environment: a mapping, a template of one, or a list of
// those, merged in order.
func (d *decoder) envMap(n *yaml.Node) (map[string]any, error) {
	if isNull(n) {
		return nil, nil
	}
	n2 := deref(n)
	var maps []*yaml.Node
	switch n2.Kind {
	case yaml.MappingNode, yaml.ScalarNode:
		maps = []*yaml.Node{n}
	case yaml.SequenceNode:
		maps = n2.Content
	}
	out := map[string]any{}
	for _, m := range maps {
		if m2 := deref(m); m2.Kind == yaml.ScalarNode && isTemplate(m2.Value) {
			l, _ := out[EnvTemplates].([]any)
			out[EnvTemplates] = append(l, m2.Value)
			continue
		}
		if deref(m).Kind != yaml.MappingNode {
			return nil, errorf(d.pos(m), ErrUnsupported, "'environment' must be a mapping, a template or a list of those, got %s", kindName(m))
		}
		v, err := d.value(m, true)
		if err != nil {
			return nil, err
		}
		for k, x := range v.(map[string]any) {
			out[k] = x
		}
	}
	return out, nil
}

// pythonKeywords cannot be variable names.
var pythonKeywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true, "async": true,
	"await": true, "break": true, "class": true, "continue": true, "def": true, "del": true, "elif": true,
	"else": true, "except": true, "finally": true, "for": true, "from": true, "global": true, "if": true,
	"import": true, "in": true, "is": true, "lambda": true, "nonlocal": true, "not": true, "or": true,
	"pass": true, "raise": true, "return": true, "try": true, "while": true, "with": true, "yield": true,
}

// validVarName reports whether s is a valid Ansible variable name: a Python
// identifier that is not a keyword.
func validVarName(s string) bool {
	if s == "" || pythonKeywords[s] {
		return false
	}
	for i, r := range s {
		if r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r)) {
			continue
		}
		return false
	}
	return true
}
