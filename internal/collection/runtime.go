package collection

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Deprecation is a deprecation or a removal (tombstone) that routing
// metadata records for a name.
type Deprecation struct {
	// Msg is the first sentence, e.g. "ns.coll.x has been deprecated. Use
	// ns.coll.y instead."
	Msg string
	// Date is the removal date as written, "" if none.
	Date string
	// Version is the removal version, "" if none. A deprecation with a Date
	// has no Version, as in Ansible.
	Version string
	// Collection is the collection whose metadata says it: "ansible.builtin"
	// for ansible-core's routing.
	Collection string
	// Removed is true for a tombstone.
	Removed bool
}

// String returns Ansible's text for the deprecation, unwrapped:
// "[DEPRECATION WARNING]: <msg> This feature will be removed from <coll> in
// version <v>. Deprecation warnings can be disabled by setting
// deprecation_warnings=False in ansible.cfg." or, for a removal,
// "[DEPRECATED]: <msg> This feature was removed from <coll> in version <v>.
// Please update your playbooks.".
func (d Deprecation) String() string {
	msg := strings.TrimSpace(d.Msg)
	if msg != "" && !strings.ContainsAny(msg[len(msg)-1:], "!?.") {
		msg += "."
	}
	coll := d.Collection
	if coll == "ansible.builtin" {
		coll = "ansible-core"
	}
	var parts []string
	if d.Removed {
		parts = append(parts, "[DEPRECATED]: "+msg, "This feature was removed")
	} else {
		parts = append(parts, "[DEPRECATION WARNING]: "+msg, "This feature will be removed")
	}
	if coll != "" {
		parts = append(parts, "from "+coll)
	}
	switch {
	case d.Date != "":
		parts = append(parts, "in a release after "+d.Date+".")
	case d.Version != "":
		parts = append(parts, "in version "+d.Version+".")
	default:
		parts = append(parts, "in a future release.")
	}
	if d.Removed {
		parts = append(parts, "Please update your playbooks.")
	} else {
		parts = append(parts, "Deprecation warnings can be disabled by setting deprecation_warnings=False in ansible.cfg.")
	}
	return strings.Join(parts, " ")
}

// meta is what a collection's meta/runtime.yml (or ansible-core's
// config/ansible_builtin_runtime.yml) says about routing.
type meta struct {
	// routing maps plugin type ("modules", "module_utils", ...) to the
	// entries by name (subdirs included: "system.ufw").
	routing map[string]map[string]route
}

// route is one plugin_routing entry.
type route struct {
	redirect     string
	hasRedirect  bool // the key is present, even if empty
	deprecation  *removal
	tombstone    *removal
	actionPlugin string
	empty        bool // the entry is an empty mapping or null: no routing
}

// removal is a deprecation or tombstone entry.
type removal struct {
	date, version, text string
}

// parseMeta reads runtime metadata. Only the parts routing needs are kept;
// entries of the wrong shape are skipped.
func parseMeta(data []byte) (*meta, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	m := &meta{routing: map[string]map[string]route{}}
	if len(doc.Content) == 0 {
		return m, nil
	}
	top := doc.Content[0]
	if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
		return m, nil
	}
	if top.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("collection metadata must be an instance of Python Mapping")
	}
	pr := mapGet(top, "plugin_routing")
	if pr == nil || pr.Kind != yaml.MappingNode {
		return m, nil
	}
	for i := 0; i+1 < len(pr.Content); i += 2 {
		typ, entries := pr.Content[i].Value, pr.Content[i+1]
		if entries.Kind != yaml.MappingNode {
			continue
		}
		byName := map[string]route{}
		for j := 0; j+1 < len(entries.Content); j += 2 {
			byName[scalar(entries.Content[j])] = parseRoute(entries.Content[j+1])
		}
		m.routing[typ] = byName
	}
	return m, nil
}

func parseRoute(n *yaml.Node) route {
	n = deref(n)
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return route{empty: true}
	}
	var r route
	if v := mapGet(n, "redirect"); v != nil {
		r.hasRedirect = true
		r.redirect = scalar(v)
	}
	r.deprecation = parseRemoval(mapGet(n, "deprecation"))
	r.tombstone = parseRemoval(mapGet(n, "tombstone"))
	if v := mapGet(n, "action_plugin"); v != nil {
		r.actionPlugin = scalar(v)
	}
	return r
}

// parseRemoval reads a deprecation or tombstone; nil when absent or empty
// (Ansible skips falsy values).
func parseRemoval(n *yaml.Node) *removal {
	if n == nil {
		return nil
	}
	n = deref(n)
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return nil
	}
	var r removal
	if v := mapGet(n, "removal_date"); v != nil {
		r.date = scalar(v)
	}
	if v := mapGet(n, "removal_version"); v != nil {
		r.version = scalar(v)
	}
	if v := mapGet(n, "warning_text"); v != nil && truthy(v) {
		r.text = scalar(v)
	}
	return &r
}

// mapGet returns the value of key in mapping n (the last one if repeated,
// as PyYAML keeps it), or nil.
func mapGet(n *yaml.Node, key string) *yaml.Node {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		return nil
	}
	var v *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			v = deref(n.Content[i+1])
		}
	}
	return v
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// truthy is Python's truth value of a scalar.
func truthy(n *yaml.Node) bool {
	n = deref(n)
	if n.Kind != yaml.ScalarNode {
		return len(n.Content) > 0
	}
	switch n.ShortTag() {
	case "!!null":
		return false
	case "!!bool":
		var b bool
		_ = n.Decode(&b)
		return b
	case "!!int", "!!float":
		return scalar(n) != "0" && scalar(n) != "0.0"
	}
	return n.Value != ""
}

// scalar returns a scalar as Python's str() of the value PyYAML loads:
// null is "", booleans are True/False, numbers are Python's form.
func scalar(n *yaml.Node) string {
	n = deref(n)
	if n.Kind != yaml.ScalarNode {
		return ""
	}
	switch n.ShortTag() {
	case "!!null":
		return ""
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			if b {
				return "True"
			}
			return "False"
		}
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return strconv.FormatInt(i, 10)
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil {
			return pyFloat(f)
		}
	}
	return n.Value
}

// pyFloat formats f as Python's repr of a float.
func pyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	if a := math.Abs(f); a != 0 && (a >= 1e16 || a < 1e-4) {
		return strconv.FormatFloat(f, 'e', -1, 64)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}
