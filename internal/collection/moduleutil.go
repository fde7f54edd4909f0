package collection

import (
	"fmt"
	"path/filepath"
	"strings"
)

// ModuleUtil is a located module_utils module or package.
type ModuleUtil struct {
	// Name is the dotted Python name located, e.g.
	// ansible.module_utils.basic; any ansible.module_utils.six.* name is
	// ansible.module_utils.six, as in Ansible.
	Name string
	// Path is the source file: the module's .py or the package's
	// __init__.py. It is "" when the package has no file of its own (the
	// payload gets an empty __init__.py) or the name is redirected.
	Path string
	// Package is true for a package (its zip member is
	// <name as path>/__init__.py) and for every redirect.
	Package bool
	// Redirect is the Python package the name is redirected to by routing
	// metadata (ansible_collections.ns.coll.plugins.module_utils.x), "" if
	// none. The payload gets a shim that imports it in the name's place.
	Redirect string
	// Collection is the collection whose module_utils it is, or whose
	// routing redirected it: "ansible.builtin" for ansible.module_utils
	// names.
	Collection string
	// Deprecations are the routing metadata's deprecations for the name.
	Deprecations []Deprecation
}

// FindModuleUtil locates the module_utils module or package called name, a
// dotted Python name below ansible.module_utils or
// ansible_collections.<ns>.<coll>.plugins.module_utils, as ansible-core's
// module_utils locators do for its payload builder.
//
// ansible.module_utils names are searched in the playbook and role
// module_utils/ directories, ModuleUtils and ansible-core's module_utils/
// in order (a package directory with __init__.py or a .py file), and only
// then in ansible-core's routing. Collection names are routed first, then
// looked up in their collection; a collection package down to
// plugins.module_utils is always found, with no file. "ansible" and
// "ansible.module_utils" are packages the payload builder writes itself:
// they are returned found, with no Path.
//
// Trying the parent of an ambiguous "from x import y" name is left to the
// caller: call again with the parent on ErrNotFound. Errors:
// *NotFoundError (ErrNotFound); *RemovedError (ErrRemoved) for a tombstone;
// an error for a name outside both trees or a redirect that is not valid.
func (r *Resolver) FindModuleUtil(name string) (ModuleUtil, error) {
	parts := strings.Split(name, ".")
	switch {
	case name == "ansible" || name == "ansible.module_utils":
		return ModuleUtil{Name: name, Package: true, Collection: "ansible.builtin"}, nil
	case len(parts) > 2 && parts[0] == "ansible" && parts[1] == "module_utils":
		return r.legacyModuleUtil(parts)
	case parts[0] == "ansible_collections":
		return r.collectionModuleUtil(parts)
	}
	return ModuleUtil{}, fmt.Errorf("module_util %s is neither below ansible.module_utils nor below ansible_collections", name)
}

func (r *Resolver) legacyModuleUtil(parts []string) (ModuleUtil, error) {
	if parts[2] == "six" {
		parts = parts[:3]
	}
	name := strings.Join(parts, ".")
	mu := ModuleUtil{Name: name, Collection: "ansible.builtin"}
	rel := parts[2:]
	tail := rel[len(rel)-1]
	for _, d := range r.muDirs {
		d = filepath.Join(append([]string{d}, rel[:len(rel)-1]...)...)
		if p := filepath.Join(d, tail, "__init__.py"); isFile(p) {
			mu.Path, mu.Package = p, true
			return mu, nil
		}
		if p := filepath.Join(d, tail+".py"); isFile(p) {
			mu.Path = p
			return mu, nil
		}
	}
	if r.core == "" {
		return ModuleUtil{}, &NotFoundError{Kind: "module_util", Name: name}
	}
	return r.redirectModuleUtil(mu, "ansible.builtin", strings.Join(rel, "."))
}

func (r *Resolver) collectionModuleUtil(parts []string) (ModuleUtil, error) {
	name := strings.Join(parts, ".")
	if len(parts) >= 6 && (parts[3] != "plugins" || parts[4] != "module_utils") {
		return ModuleUtil{}, fmt.Errorf("module_util %s is not below ansible_collections.(ns).(coll).plugins.module_utils", name)
	}
	if len(parts) < 3 {
		return ModuleUtil{Name: name, Package: true}, nil
	}
	cname := parts[1] + "." + parts[2]
	mu := ModuleUtil{Name: name, Collection: cname}
	if len(parts) >= 6 {
		c := r.collection(cname)
		if !c.found || c.err != nil {
			return ModuleUtil{}, &NotFoundError{Kind: "module_util", Name: name,
				msg: fmt.Sprintf("error processing module_util %s loading redirected collection %s: unable to locate collection %s", name, cname, cname)}
		}
		m, ok, err := r.routeModuleUtil(mu, c, strings.Join(parts[5:], "."))
		if ok || err != nil {
			return m, err
		}
		mu = m // its deprecations, if any
	}
	if len(parts) < 6 {
		mu.Package = true
		return mu, nil
	}
	c := r.collection(cname)
	if cname == "ansible.builtin" {
		return ModuleUtil{}, &NotFoundError{Kind: "module_util", Name: name}
	}
	res := filepath.Join(append([]string{c.dir}, parts[3:]...)...)
	if isDir(res) {
		mu.Package = true
		if p := filepath.Join(res, "__init__.py"); isFile(p) {
			mu.Path = p
		}
		return mu, nil
	}
	if p := res + ".py"; isFile(p) {
		mu.Path = p
		return mu, nil
	}
	return ModuleUtil{}, &NotFoundError{Kind: "module_util", Name: name}
}

// redirectModuleUtil is the routing step after the search for a legacy
// name found nothing.
func (r *Resolver) redirectModuleUtil(mu ModuleUtil, cname, key string) (ModuleUtil, error) {
	c := r.collection(cname)
	if !c.found || c.err != nil {
		return ModuleUtil{}, &NotFoundError{Kind: "module_util", Name: mu.Name}
	}
	m, ok, err := r.routeModuleUtil(mu, c, key)
	if err != nil {
		return ModuleUtil{}, err
	}
	if !ok {
		return ModuleUtil{}, &NotFoundError{Kind: "module_util", Name: mu.Name}
	}
	return m, nil
}

// routeModuleUtil applies c's plugin_routing module_utils entry for key
// (the name below module_utils); ok is true when the entry redirects.
func (r *Resolver) routeModuleUtil(mu ModuleUtil, c *coll, key string) (ModuleUtil, bool, error) {
	e, ok := c.route("module_utils", key)
	if !ok {
		return mu, false, nil
	}
	rm := e.tombstone
	removed := rm != nil
	if !removed {
		rm = e.deprecation
	}
	if rm != nil {
		msg := "module_util " + mu.Name + " has been removed"
		if rm.text != "" {
			msg += " (" + rm.text + ")"
		} else {
			msg += "."
		}
		d := Deprecation{Msg: msg, Date: rm.date, Version: rm.version, Collection: c.name, Removed: removed}
		if removed {
			return ModuleUtil{}, false, &RemovedError{Name: mu.Name, Removal: d}
		}
		mu.Deprecations = append(mu.Deprecations, d)
	}
	if !e.hasRedirect {
		return mu, false, nil
	}
	target := e.redirect
	if !strings.HasPrefix(target, "ansible_collections") {
		p := strings.Split(target, ".")
		if len(p) < 3 {
			return ModuleUtil{}, false, fmt.Errorf("invalid redirect for %s: %s", mu.Name, target)
		}
		target = "ansible_collections." + p[0] + "." + p[1] + ".plugins.module_utils." + strings.Join(p[2:], ".")
	}
	mu.Redirect, mu.Package, mu.Path = target, true, ""
	return mu, true, nil
}
