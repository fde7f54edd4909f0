package payload

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jetplay/jetplay/internal/collection"
	"github.com/jetplay/jetplay/internal/pyrepr"
)

// The closure: which files a module's zip holds.
//
// This is ansible-core 2.14's recursive_finder, step by step, so that the
// member list is the same for every module (a test compares the two over
// every installed module). A queue of names starts with every module_util
// the module imports (each "ambiguous": for "from a.b import c", c may be a
// module or a name in a.b) and ansible.module_utils.basic, which Ansible
// always ships. The smallest entry is taken each time (by name, then the
// three flags, as Python sorts its tuples). Its candidate names (c, then
// a.b when c is more than one level below module_utils; any six.* name is
// six) go to the Finder in turn; the first found is kept, its imports
// join the queue and so does every package above it, marked
// child-redirected when it was a redirect, since a redirected name's
// parents may exist nowhere (they become empty packages). A name found
// nowhere stops the build unless every import of it was nested (optional).
// ansible/__init__.py and ansible/module_utils/__init__.py are Ansible's
// namespace packages, written by the builder. Then the module goes in as
// <fqn as path>.py with an empty __init__.py in every package above it
// that is not there yet (for ansible.* modules from the third level on).

type entry struct {
	parts           []string
	ambiguous       bool
	childRedirected bool
	optional        bool
}

// compareEntries orders entries as Python orders recursive_finder's
// ModuleUtilsProcessEntry tuples: by name parts, then by the flags (false
// first).
func compareEntries(a, b entry) int {
	if c := slices.Compare(a.parts, b.parts); c != 0 {
		return c
	}
	for _, f := range [][2]bool{{a.ambiguous, b.ambiguous}, {a.childRedirected, b.childRedirected}, {a.optional, b.optional}} {
		if f[0] != f[1] {
			if f[0] {
				return 1
			}
			return -1
		}
	}
	return 0
}

// located is one name found.
type located struct {
	parts      []string
	pkg        bool
	redirected bool
	source     []byte
}

// closure returns the zip members of the module fqn with source src and
// the deprecations met.
func (b *Builder) closure(ctx context.Context, fqn string, src []byte) ([]member, []collection.Deprecation, error) {
	found := map[string]member{
		"ansible":              newMember("ansible/__init__.py", b.ansibleInit()),
		"ansible.module_utils": newMember("ansible/module_utils/__init__.py", []byte(namespaceInit)),
	}
	var deprecations []collection.Deprecation
	var queue []entry
	mod := newMember(strings.ReplaceAll(fqn, ".", "/")+".py", src)
	for _, d := range deps(b.scan(mod.sum, src), fqn, false) {
		queue = append(queue, entry{parts: d.parts, ambiguous: true, optional: d.optional})
	}
	queue = append(queue, entry{parts: []string{"ansible", "module_utils", "basic"}})
	for len(queue) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		i := 0
		for j := range queue {
			if compareEntries(queue[j], queue[i]) < 0 {
				i = j
			}
		}
		e := queue[i]
		queue = slices.Delete(queue, i, i+1)
		if _, ok := found[strings.Join(e.parts, ".")]; ok {
			continue
		}
		if !isLegacy(e.parts) && e.parts[0] != "ansible_collections" {
			// ansible.module_utilsX from a from import: Ansible warns and
			// skips it.
			continue
		}
		loc, ok, dep, err := b.locate(e, fqn)
		if err != nil {
			return nil, nil, err
		}
		deprecations = append(deprecations, dep...)
		if !ok {
			continue
		}
		name := strings.Join(loc.parts, ".")
		if _, ok := found[name]; ok {
			continue
		}
		path := strings.Join(loc.parts, "/")
		if loc.pkg {
			path += "/__init__.py"
		} else {
			path += ".py"
		}
		m := newMember(path, loc.source)
		for _, d := range deps(b.scan(m.sum, loc.source), name, loc.pkg) {
			if _, ok := found[strings.Join(d.parts, ".")]; !ok {
				queue = append(queue, entry{parts: d.parts, ambiguous: true, optional: d.optional})
			}
		}
		found[name] = m
		for n := 1; n < len(loc.parts); n++ {
			if _, ok := found[strings.Join(loc.parts[:n], ".")]; !ok {
				queue = append(queue, entry{parts: slices.Clone(loc.parts[:n]), childRedirected: loc.redirected, optional: e.optional})
			}
		}
	}
	members := make([]member, 0, len(found)+8)
	names := map[string]bool{}
	for _, m := range found {
		members = append(members, m)
		names[m.name] = true
	}
	members = append(members, mod)
	parts := strings.Split(fqn, ".")
	start := 1
	if parts[0] == "ansible" {
		start = 2
	}
	for n := start; n < len(parts); n++ {
		p := strings.Join(parts[:n], "/") + "/__init__.py"
		if !names[p] {
			names[p] = true
			members = append(members, newMember(p, nil))
		}
	}
	return members, deprecations, nil
}

func isLegacy(parts []string) bool {
	return len(parts) >= 2 && parts[0] == "ansible" && parts[1] == "module_utils"
}

// locate finds e as one of Ansible's module_util locators does; ok is
// false for an optional name found nowhere.
func (b *Builder) locate(e entry, fqn string) (loc located, ok bool, deprecations []collection.Deprecation, err error) {
	legacy := isLegacy(e.parts)
	var rest int // parts above the module_utils remainder
	if legacy {
		rest = 2
	} else {
		rest = 5
		if len(e.parts) >= 6 && (e.parts[3] != "plugins" || e.parts[4] != "module_utils") {
			return located{}, false, nil, fmt.Errorf("module_util %s is not below ansible_collections.(ns).(coll).plugins.module_utils", strings.Join(e.parts, "."))
		}
	}
	candidates := [][]string{e.parts}
	switch {
	case legacy && len(e.parts) > 2 && e.parts[2] == "six":
		// six makes its submodules at run time: ship six itself.
		candidates = [][]string{{"ansible", "module_utils", "six"}}
	case e.ambiguous && len(e.parts)-rest > 1:
		candidates = append(candidates, e.parts[:len(e.parts)-1])
	}
	if !legacy && len(e.parts) < 6 {
		// The packages down to plugins.module_utils: empty, never shipped
		// from the collection.
		return located{parts: e.parts, pkg: true}, true, nil, nil
	}
	for _, c := range candidates {
		name := strings.Join(c, ".")
		mu, err := b.finder.FindModuleUtil(name)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return located{}, false, nil, fmt.Errorf("find module_util %s: %w", name, err)
		}
		loc := located{parts: c, pkg: mu.Package, source: mu.Source}
		if mu.Redirect != "" {
			loc.pkg, loc.redirected = true, true
			loc.source = redirectShim(name, mu.Redirect)
		}
		return loc, true, mu.Deprecations, nil
	}
	last := candidates[len(candidates)-1]
	switch {
	case e.childRedirected:
		// A package above a redirected name: empty when it is nowhere.
		return located{parts: last, pkg: true}, true, nil, nil
	case e.optional:
		return located{}, false, nil, nil
	}
	joined := make([]string, len(candidates))
	for i, c := range candidates {
		joined[i] = strings.Join(c, ".")
	}
	return located{}, false, nil, &MissingError{Module: fqn, Candidates: joined}
}

// namespaceInit is the ansible.module_utils package of the zip: a namespace
// package, so that a module_utils package installed on the host can extend
// it.
const namespaceInit = "from pkgutil import extend_path\n__path__ = extend_path(__path__, __name__)\n"

// ansibleInit is the ansible package of the zip: a namespace package with
// the version.
func (b *Builder) ansibleInit() []byte {
	return []byte(namespaceInit + "__version__ = " + pyrepr.Quote(b.version) + "\n__author__ = 'Ansible, Inc.'\n")
}

// redirectShim is the module that stands for a redirected module_util: it
// imports the target and puts it in sys.modules under the old name.
func redirectShim(from, to string) []byte {
	return []byte("import sys\nimport " + to + " as _redirected\nsys.modules[" + pyrepr.Quote(from) + "] = _redirected\n")
}
