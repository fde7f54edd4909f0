package playbook

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

func isMapping(n *yaml.Node) bool { return deref(n).Kind == yaml.MappingNode }

// yamlFile parses a YAML inventory file.
func (inv *Inventory) yamlFile(path string, data []byte) error {
	root, err := parseYAML(path, data)
	if err != nil {
		return wrapInventory(err)
	}
	if root == nil {
		return errorf(Pos{File: path}, ErrInventory, "Parsed empty YAML file")
	}
	return inv.yamlRoot(path, root)
}

// wrapInventory adds ErrInventory to a load error.
func wrapInventory(err error) error {
	var e *Error
	if asError(err, &e) {
		e.Err = fmt.Errorf("%w: %w", ErrInventory, e.Err)
	}
	return err
}

// yamlRoot loads the groups of a parsed YAML inventory:
//
//	all:
//	  hosts: {web1: {ansible_host: 10.0.0.1}}
//	  vars: {ntp: pool.example.com}
//	  children: {db: {hosts: {db1: }}}
func (inv *Inventory) yamlRoot(path string, root *yaml.Node) error {
	d := newDecoder(path, &Options{Decrypt: inv.decrypt}, func(s string) { inv.Warnings = append(inv.Warnings, s) })
	if !isMapping(root) {
		return errorf(d.pos(root), ErrInventory, "YAML inventory has invalid structure, it should be a dictionary, got %s", kindName(root))
	}
	ps, err := d.pairs(root)
	if err != nil {
		return wrapInventory(err)
	}
	if p := findKey(ps, "plugin"); p != nil && p.key == "plugin" {
		return errorf(d.pos(p.k), ErrUnsupported, "inventory plugin configuration files are not supported")
	}
	for _, p := range ps {
		if err := inv.yamlGroup(d, p.key, p.k, p.v, 0); err != nil {
			return wrapInventory(err)
		}
	}
	return nil
}

// yamlGroup loads one group and, recursively, its children.
func (inv *Inventory) yamlGroup(d *decoder, name string, at, n *yaml.Node, depth int) error {
	if depth > 100 {
		return errorf(d.pos(at), ErrInventory, "groups nested deeper than 100")
	}
	if !isNull(n) && !isMapping(n) {
		inv.Warnings = append(inv.Warnings, fmt.Sprintf("%s: skipping '%s' as this is not a valid group definition", d.pos(at), name))
		return nil
	}
	inv.group(name)
	if isNull(n) {
		return nil
	}
	ps, err := d.pairs(n)
	if err != nil {
		return err
	}
	for _, p := range ps {
		switch p.key {
		case "vars", "children", "hosts":
		default:
			inv.Warnings = append(inv.Warnings, fmt.Sprintf("%s: skipping unexpected key (%s) in group (%s), only \"vars\", \"children\" and \"hosts\" are valid", d.pos(p.k), p.key, name))
			continue
		}
		section, err := d.section(name, p)
		if err != nil || section == nil {
			return err
		}
		for _, q := range section {
			switch p.key {
			case "vars":
				v, err := d.value(q.v, false)
				if err != nil {
					return err
				}
				inv.group(name).fileVars[q.key] = v
			case "children":
				if err := inv.yamlGroup(d, q.key, q.k, q.v, depth+1); err != nil {
					return err
				}
				if _, ok := inv.Groups[q.key]; !ok {
					continue // not a valid group definition: skipped
				}
				if err := inv.addChild(name, q.key); err != nil {
					return errorf(d.pos(q.k), ErrInventory, "%v", err)
				}
			case "hosts":
				if err := inv.yamlHost(d, name, q); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// section returns the entries of a group's vars, children or hosts: a
// mapping, or a single name.
func (d *decoder) section(group string, p pair) ([]pair, error) {
	switch n := deref(p.v); {
	case isNull(n):
		return nil, nil
	case n.Kind == yaml.ScalarNode:
		return []pair{{key: n.Value, k: n, v: &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}}}, nil
	case n.Kind != yaml.MappingNode:
		return nil, errorf(d.pos(p.v), ErrInventory, "Invalid \"%s\" entry for \"%s\" group, requires a dictionary, found %s instead.", p.key, group, kindName(p.v))
	}
	return d.pairs(p.v)
}

// yamlHost loads one entry of a hosts section.
func (inv *Inventory) yamlHost(d *decoder, group string, q pair) error {
	var vars map[string]any
	if !isNull(q.v) {
		if !isMapping(q.v) {
			return errorf(d.pos(q.v), ErrInventory, "host '%s' must have a mapping of variables, got %s", q.key, kindName(q.v))
		}
		v, err := d.value(q.v, false)
		if err != nil {
			return err
		}
		vars = v.(map[string]any)
	}
	name, port, err := splitPort(q.key)
	if err != nil {
		return errorf(d.pos(q.k), ErrInventory, "%v", err)
	}
	hosts, err := expandHostRange(name)
	if err != nil {
		return errorf(d.pos(q.k), ErrInventory, "%v", err)
	}
	for _, h := range hosts {
		if err := inv.addHost(h, group, vars, port); err != nil {
			return errorf(d.pos(q.k), ErrInventory, "%v", err)
		}
	}
	return nil
}
