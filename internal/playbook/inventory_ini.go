package playbook

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

var (
	iniSectionRE   = regexp.MustCompile(`^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$`)
	iniGroupNameRE = regexp.MustCompile(`^([^:\]\s]+)\s*(?:#.*)?$`)
)

// pendingDecl is a group named in a [x:vars] or [x:children] section before
// it was defined.
type pendingDecl struct {
	line    int
	state   string
	parents []string
}

// iniFile parses an INI inventory as Ansible's ini plugin does.
func (inv *Inventory) iniFile(path string, data []byte) error {
	pending := map[string]*pendingDecl{}
	var pendingOrder []string
	group, state := "ungrouped", "hosts"
	fail := func(line int, format string, args ...any) error {
		return errorf(Pos{File: path, Line: line}, ErrInventory, format, args...)
	}
	var addPending func(g string) error
	addPending = func(g string) error {
		decl := pending[g]
		delete(pending, g)
		for _, parent := range decl.parents {
			if err := inv.addChild(parent, g); err != nil {
				return err
			}
			if pd, ok := pending[parent]; ok && pd.state == "children" {
				if err := addPending(parent); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for i, raw := range strings.Split(string(data), "\n") {
		lineno := i + 1
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if m := iniSectionRE.FindStringSubmatch(line); m != nil {
			group, state = m[1], m[2]
			if state == "" {
				state = "hosts"
			}
			if state != "hosts" && state != "children" && state != "vars" {
				return fail(lineno, "Section [%s:%s] has unknown type: %s", m[1], m[2], state)
			}
			if _, ok := inv.Groups[group]; !ok {
				if _, ok := pending[group]; state == "vars" && !ok {
					pending[group] = &pendingDecl{line: lineno, state: state}
					pendingOrder = append(pendingOrder, group)
				}
				inv.group(group)
			}
			if pd, ok := pending[group]; ok && state != "vars" {
				if pd.state == "children" {
					if err := addPending(group); err != nil {
						return fail(lineno, "%v", err)
					}
				} else {
					delete(pending, group)
				}
			}
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			return fail(lineno, "Invalid section entry: '%s'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters", line)
		}
		switch state {
		case "hosts":
			if err := inv.iniHostLine(line, group); err != nil {
				return fail(lineno, "%v", err)
			}
		case "vars":
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				return fail(lineno, "Expected key=value, got: %s", line)
			}
			inv.group(group).fileVars[strings.TrimSpace(k)] = iniValue(strings.TrimSpace(v))
		case "children":
			m := iniGroupNameRE.FindStringSubmatch(line)
			if m == nil {
				return fail(lineno, "Expected group name, got: %s", line)
			}
			child := m[1]
			if _, ok := inv.Groups[child]; ok {
				if err := inv.addChild(group, child); err != nil {
					return fail(lineno, "%v", err)
				}
				continue
			}
			if pd, ok := pending[child]; ok {
				pd.parents = append(pd.parents, group)
			} else {
				pending[child] = &pendingDecl{line: lineno, state: "children", parents: []string{group}}
				pendingOrder = append(pendingOrder, child)
			}
		}
	}
	for _, g := range pendingOrder {
		pd, ok := pending[g]
		if !ok {
			continue
		}
		if pd.state == "vars" {
			return fail(pd.line, "Section [%s:vars] not valid for undefined group: %s", g, g)
		}
		return fail(pd.line, "Section [%s:children] includes undefined group: %s", pd.parents[len(pd.parents)-1], g)
	}
	return nil
}

// iniHostLine parses "host[range][:port] key=value ..." into group.
func (inv *Inventory) iniHostLine(line, group string) error {
	tokens, err := shlexSplit(line)
	if err != nil {
		return fmt.Errorf("Error parsing host definition '%s': %v", line, err)
	}
	if len(tokens) == 0 {
		return nil
	}
	pattern := tokens[0]
	vars := map[string]any{}
	for _, t := range tokens[1:] {
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			return fmt.Errorf("Expected key=value host variable assignment, got: %s", t) //nolint:staticcheck // Ansible's message, word for word
		}
		vars[k] = iniValue(v)
	}
	name, port, err := splitPort(pattern)
	if err != nil {
		return err
	}
	if strings.HasSuffix(strings.TrimSpace(pattern), ":") && port == 0 {
		return fmt.Errorf("Invalid host pattern '%s' supplied, ending in ':' is not allowed, this character is reserved to provide a port.", pattern) //nolint:staticcheck // Ansible's message, word for word
	}
	hosts, err := expandHostRange(name)
	if err != nil {
		return err
	}
	for _, h := range hosts {
		if strings.TrimSpace(h) == "---" {
			return fmt.Errorf("Invalid host pattern '%s' supplied, '---' is normally a sign this is a YAML file.", pattern) //nolint:staticcheck // Ansible's message, word for word
		}
		if err := inv.addHost(h, group, vars, port); err != nil {
			return err
		}
	}
	return nil
}

// iniValue converts an INI value as Ansible does: a Python literal if it is
// one (22, True, "x", [1, 2]), the string as written otherwise.
func iniValue(s string) any {
	if v, ok := pyLiteral(s); ok {
		return v
	}
	return s
}

// shlexSplit splits a line like Python's shlex.split(line, comments=True).
func shlexSplit(s string) ([]string, error) {
	var (
		out    []string
		cur    strings.Builder
		inWord bool
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '\t', '\r', '\n':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		case '#':
			if inWord {
				out = append(out, cur.String())
			}
			return out, nil
		case '\\':
			if i+1 >= len(s) {
				return nil, errors.New("No escaped character") //nolint:staticcheck // Python's shlex message, word for word
			}
			i++
			cur.WriteByte(s[i])
			inWord = true
		case '\'', '"':
			inWord = true
			j := i + 1
			for ; j < len(s) && s[j] != c; j++ {
				if c == '"' && s[j] == '\\' && j+1 < len(s) && (s[j+1] == '"' || s[j+1] == '\\') {
					j++
				}
				cur.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, errors.New("No closing quotation") //nolint:staticcheck // Python's shlex message, word for word
			}
			i = j
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out, nil
}
