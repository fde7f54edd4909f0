package payload

import "strings"

// dep is one module_utils name a file imports, split on dots: the module
// itself for "import a.b.c", the module plus the imported name for "from
// a.b import c" (c may be a module or an attribute: the caller tries both).
type dep struct {
	parts    []string
	optional bool
}

// deps returns the module_utils names the import statements of the file
// named fqn refer to, as ansible-core 2.14's ModuleDepFinder collects them:
// imports of ansible.module_utils.* and ansible_collections.* (from imports
// only below a plugins.module_utils package), relative ones resolved
// against fqn (one level less in a package __init__, isPkg). A name is
// optional when any of its imports is nested. Names come out in first-seen
// order, each once.
func deps(stmts []importStmt, fqn string, isPkg bool) []dep {
	var out []dep
	seen := map[string]int{}
	add := func(parts []string, nested bool) {
		key := strings.Join(parts, ".")
		if i, ok := seen[key]; ok {
			out[i].optional = out[i].optional || nested
			return
		}
		seen[key] = len(out)
		out = append(out, dep{parts: parts, optional: nested})
	}
	for _, s := range stmts {
		if !s.from {
			for _, n := range s.names {
				if strings.HasPrefix(n, "ansible.module_utils.") || strings.HasPrefix(n, "ansible_collections.") {
					add(strings.Split(n, "."), s.nested)
				}
			}
			continue
		}
		mod := s.module
		if s.level > 0 {
			mod = relativeModule(fqn, isPkg, s.level, s.module)
		}
		if s.names[0] == "_six" {
			// Ansible records ("_six",), which it then skips.
			continue
		}
		switch {
		case strings.HasPrefix(mod, "ansible.module_utils"):
		case strings.HasPrefix(mod, "ansible_collections."):
			if !strings.HasSuffix(mod, "plugins.module_utils") && !strings.Contains(mod, ".plugins.module_utils.") {
				continue
			}
		default:
			continue
		}
		base := strings.Split(mod, ".")
		for _, n := range s.names {
			add(append(base[:len(base):len(base)], n), s.nested)
		}
	}
	return out
}

// relativeModule resolves "from <level dots><module> import" in the file
// named fqn: level dots drop level names from fqn, one less in a package
// __init__; a fqn shorter than that leaves none.
func relativeModule(fqn string, isPkg bool, level int, module string) string {
	if fqn == "" {
		return module
	}
	parts := strings.Split(fqn, ".")
	keep := len(parts) - level
	if isPkg {
		keep++
	}
	keep = max(0, min(keep, len(parts)))
	parts = parts[:keep]
	if module != "" {
		parts = append(parts, module)
	}
	return strings.Join(parts, ".")
}
