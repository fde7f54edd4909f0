package playbook

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxValues bounds how many values one file may expand to through YAML
// aliases, so that a "billion laughs" document fails instead of eating memory.
const maxValues = 1 << 20

// yamlLineRE picks the line number out of a parser error ("yaml: line 3: ...").
var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses data as a single YAML document and returns its root node,
// or nil when the document is empty. Errors are *Error with ErrSyntax.
func parseYAML(file string, data []byte) (root *yaml.Node, err error) {
	defer func() {
		// The parser is third-party code fed with user input: turn an
		// unexpected panic into a load error rather than a crash.
		if r := recover(); r != nil {
			root, err = nil, errorf(Pos{File: file}, ErrSyntax, "malformed YAML: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, yamlError(file, data, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, errorf(Pos{File: file, Line: extra.Line, Col: extra.Column}, ErrSyntax,
			"malformed YAML: expected a single document in the stream but found another document")
	case !errors.Is(err, io.EOF):
		return nil, yamlError(file, data, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	root = doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil
	}
	return root, nil
}

// yamlError turns a parser error into a one-line *Error at the line of the
// problem.
func yamlError(file string, data []byte, err error) *Error {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	pos := Pos{File: file}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
		pos.Line = problemLine(data, pos.Line, msg)
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	return errorf(pos, ErrSyntax, "malformed YAML: %s", msg)
}

// problemLine finds the line of a syntax error. The parser names the line
// where the enclosing construct starts, which can be well above the
// problem; the problem is on the first line from there whose prefix of the
// document fails with the same message.
func problemLine(data []byte, from int, msg string) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if from < 1 || from > len(lines) {
		return from
	}
	for n := from; n <= len(lines) && n < from+200; n++ {
		prefix := bytes.Join(lines[:n], nil)
		var doc yaml.Node
		dec := yaml.NewDecoder(bytes.NewReader(prefix))
		err := dec.Decode(&doc)
		for err == nil {
			err = dec.Decode(&doc)
		}
		if errors.Is(err, io.EOF) {
			continue
		}
		if m := yamlLineRE.FindStringSubmatch(strings.ReplaceAll(err.Error(), "\n", " ")); m != nil && m[2] == msg {
			return n
		}
	}
	return from
}

// decoder turns yaml.Nodes of one file into Go values, checking templates
// on the way.
type decoder struct {
	file   string
	opts   *Options
	budget int
	active map[*yaml.Node]bool // anchors being expanded, to catch recursive aliases
	warn   func(string)
}

func newDecoder(file string, opts *Options, warn func(string)) *decoder {
	return &decoder{file: file, opts: opts, budget: maxValues, active: map[*yaml.Node]bool{}, warn: warn}
}

func (d *decoder) pos(n *yaml.Node) Pos { return Pos{File: d.file, Line: n.Line, Col: n.Column} }

// spend counts one value against the alias expansion budget.
func (d *decoder) spend(n *yaml.Node) error {
	d.budget--
	if d.budget < 0 {
		return errorf(d.pos(n), ErrInvalid, "YAML aliases expand to more than %d values", maxValues)
	}
	return nil
}

// deref follows an alias to its anchored node.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 8; i++ {
		n = n.Alias
	}
	return n
}

// kindName names a node's kind in error messages.
func kindName(n *yaml.Node) string {
	switch deref(n).Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return "a scalar"
	}
	return "an unknown node"
}

func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// value converts n to a Go value: map[string]any, []any, string, int,
// float64, bool or nil. With check, strings that contain a template are
// passed to Options.CheckTemplate.
func (d *decoder) value(n *yaml.Node, check bool) (any, error) {
	if err := d.spend(n); err != nil {
		return nil, err
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, errorf(d.pos(n), ErrSyntax, "malformed YAML: unknown anchor")
		}
		if d.active[n.Alias] {
			return nil, errorf(d.pos(n), ErrInvalid, "YAML alias %q refers to a value that contains it", n.Value)
		}
		d.active[n.Alias] = true
		defer delete(d.active, n.Alias)
		return d.value(n.Alias, check)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return d.value(n.Content[0], check)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := d.value(c, check)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		ps, err := d.pairs(n)
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, len(ps))
		for _, p := range ps {
			v, err := d.value(p.v, check)
			if err != nil {
				return nil, err
			}
			out[p.key] = v
		}
		return out, nil
	case yaml.ScalarNode:
		return d.scalar(n, check)
	}
	return nil, errorf(d.pos(n), ErrSyntax, "malformed YAML: unexpected node")
}

// yaml11Bools are the YAML 1.1 booleans PyYAML (and so Ansible) knows.
var yaml11Bools = map[string]bool{
	"yes": true, "Yes": true, "YES": true, "no": false, "No": false, "NO": false,
	"on": true, "On": true, "ON": true, "off": false, "Off": false, "OFF": false,
	"true": true, "True": true, "TRUE": true, "false": false, "False": false, "FALSE": false,
}

// scalar resolves a scalar the way PyYAML's YAML 1.1 resolver does for the
// cases that matter: yes/no/on/off are booleans, dates and "1e3" stay strings.
func (d *decoder) scalar(n *yaml.Node, check bool) (any, error) {
	tagged := n.Style&yaml.TaggedStyle != 0
	switch {
	case tagged && n.Tag == "!unsafe":
		return n.Value, nil
	case tagged && n.Tag == "!vault":
		return d.vault(n)
	}
	plain := n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0
	if plain && !tagged {
		if b, ok := yaml11Bools[n.Value]; ok {
			return b, nil
		}
		switch n.Tag {
		case "!!timestamp":
			return n.Value, nil
		case "!!float":
			// PyYAML's float needs a dot ("1e3" is a string); one with a
			// dot, .inf and .nan too, decodes as yaml.v3 does below.
			if !strings.Contains(n.Value, ".") {
				return d.str(n, n.Value, check)
			}
		}
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, errorf(d.pos(n), ErrInvalid, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	switch x := v.(type) {
	case string:
		return d.str(n, x, check)
	case time.Time:
		return n.Value, nil
	case []byte:
		return string(x), nil
	}
	return v, nil
}

// vault decrypts an inline !vault value with Options.Decrypt, at load time
// (Ansible decrypts it at first use). Its errors name no file, as Ansible's.
func (d *decoder) vault(n *yaml.Node) (any, error) {
	if !IsVault([]byte(n.Value)) {
		return nil, errorf(d.pos(n), ErrInvalid, "the !vault value is not vault encrypted data")
	}
	out, err := Unvault(d.opts.Decrypt, "", []byte(n.Value))
	if err != nil {
		return nil, err
	}
	return string(out), nil
}

// str returns s after passing it to CheckTemplate when it holds a template.
func (d *decoder) str(n *yaml.Node, s string, check bool) (string, error) {
	if check && isTemplate(s) {
		if err := d.checkTemplate(n, s); err != nil {
			return "", err
		}
	}
	return s, nil
}

func (d *decoder) checkTemplate(n *yaml.Node, s string) error {
	if d.opts.CheckTemplate == nil {
		return nil
	}
	if err := d.opts.CheckTemplate(s); err != nil {
		return wrapf(d.pos(n), ErrTemplate, err, "template error in %s", short(s))
	}
	return nil
}

func (d *decoder) checkExpr(n *yaml.Node, s string) error {
	if d.opts.CheckExpr == nil {
		return nil
	}
	if err := d.opts.CheckExpr(s); err != nil {
		return wrapf(d.pos(n), ErrTemplate, err, "conditional error in %s", short(s))
	}
	return nil
}

// isTemplate reports whether s holds a Jinja2 expression or statement.
func isTemplate(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "{%")
}

// short quotes s for an error message, on one line and at most 80 runes.
func short(s string) string {
	r := []rune(s)
	if len(r) > 80 {
		return strconv.Quote(string(r[:77])) + "..."
	}
	return strconv.Quote(s)
}

// pair is one key of a mapping, after merge keys are expanded.
type pair struct {
	key      string
	k, v     *yaml.Node
	explicit bool
}

// pairs returns the keys of mapping n in document order, with "<<" merge
// keys expanded and duplicate keys resolved as PyYAML does (the last wins,
// in the place of the first; explicit keys override merged ones).
func (d *decoder) pairs(n *yaml.Node) ([]pair, error) {
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return nil, errorf(d.pos(n), ErrSyntax, "malformed YAML: unknown anchor")
		}
		if d.active[n.Alias] {
			return nil, errorf(d.pos(n), ErrInvalid, "YAML alias %q refers to a value that contains it", n.Value)
		}
		d.active[n.Alias] = true
		defer delete(d.active, n.Alias)
		return d.pairs(n.Alias)
	}
	if n.Kind != yaml.MappingNode {
		return nil, errorf(d.pos(n), ErrInvalid, "expected a mapping, got %s", kindName(n))
	}
	var merged, explicit []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if err := d.spend(k); err != nil {
			return nil, err
		}
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			ps, err := d.mergePairs(v)
			if err != nil {
				return nil, err
			}
			merged = append(merged, ps...)
			continue
		}
		kk := deref(k)
		if kk.Kind != yaml.ScalarNode {
			return nil, errorf(d.pos(k), ErrInvalid, "mapping keys must be scalars, got %s", kindName(k))
		}
		explicit = append(explicit, pair{key: kk.Value, k: k, v: v, explicit: true})
	}
	out := make([]pair, 0, len(merged)+len(explicit))
	idx := make(map[string]int, len(merged)+len(explicit))
	for _, p := range append(merged, explicit...) {
		i, ok := idx[p.key]
		if !ok {
			idx[p.key] = len(out)
			out = append(out, p)
			continue
		}
		if p.explicit && out[i].explicit && d.warn != nil {
			d.warn(fmt.Sprintf("%s: found a duplicate dict key (%s); using last defined value only", d.pos(p.k), p.key))
		}
		out[i] = p
	}
	return out, nil
}

// mergePairs expands the value of a "<<" key: a mapping or a list of them,
// where earlier mappings win.
func (d *decoder) mergePairs(v *yaml.Node) ([]pair, error) {
	src := deref(v)
	switch src.Kind {
	case yaml.MappingNode:
		ps, err := d.pairs(v)
		return unexplicit(ps), err
	case yaml.SequenceNode:
		var out []pair
		for i := len(src.Content) - 1; i >= 0; i-- {
			if deref(src.Content[i]).Kind != yaml.MappingNode {
				return nil, errorf(d.pos(src.Content[i]), ErrInvalid, "a merge key takes a mapping or a list of mappings, got %s", kindName(src.Content[i]))
			}
			ps, err := d.pairs(src.Content[i])
			if err != nil {
				return nil, err
			}
			out = append(out, unexplicit(ps)...)
		}
		return out, nil
	}
	return nil, errorf(d.pos(v), ErrInvalid, "a merge key takes a mapping or a list of mappings, got %s", kindName(v))
}

func unexplicit(ps []pair) []pair {
	for i := range ps {
		ps[i].explicit = false
	}
	return ps
}
