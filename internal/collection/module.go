package collection

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Module is a resolved module name.
type Module struct {
	// Name is the name as it was asked for.
	Name string
	// FQCN is Ansible's resolved_fqcn: ansible.builtin.ping for a module of
	// ansible-core, community.general.ufw for a collection's (after
	// redirects), and the bare name for one found in a library directory.
	FQCN string
	// Path is the module's file.
	Path string
	// Collection is the collection it was found in: "ansible.builtin" for
	// ansible-core's modules, "" for a library directory.
	Collection string
	// Root is where it was found: the collection root (the directory
	// holding ansible_collections/), the ansible-core package directory, or
	// the library directory searched.
	Root string
	// ActionPlugin is the action plugin the collection's routing names for
	// the module (plugin_routing action_plugin), "" if none.
	ActionPlugin string
	// Redirects are the names resolution went through, the asked one first
	// (Ansible's redirect_list).
	Redirects []string
	// Deprecations are the deprecations met on the way, in order. Ansible
	// prints each one's String as a warning when DEPRECATION_WARNINGS is on.
	Deprecations []Deprecation
}

// lookup is the state of one resolution (Ansible's PluginLoadContext).
type lookup struct {
	redirects    []string
	pending      string
	resolved     bool
	fqcn         string // set by the legacy search
	path         string
	collection   string
	root         string
	actionPlugin string
	deprecations []Deprecation
	errors       []string
}

// Resolve finds the module called name as ansible-core's module loader
// does, with collections the task's collection search list (the
// collections keyword; nil when none).
//
// With a search list, a short name is tried in each listed collection in
// order ("ansible.legacy" meaning the legacy search below); a name with a
// dot is tried only as given. Without one, a fully qualified name is
// looked up in its collection and a short name in the legacy search:
// playbook and role library/ directories, Library, ansible-core's modules/,
// then a "_name" alias, then ansible-core's routing for
// ansible.builtin.<name> (how mount resolves to ansible.posix.mount).
// ansible.builtin.X searches ansible-core only; ansible.legacy.X is the
// legacy search. Redirects in meta/runtime.yml are followed to the end.
//
// Resolve does not add ansible.legacy to the list as the keyword does
// (SearchList does). Errors: *NotFoundError (ErrNotFound) whose text is
// Ansible's "couldn't resolve module/action ..."; *RemovedError
// (ErrRemoved) for a tombstone; *RedirectLoopError (ErrRedirectLoop).
func (r *Resolver) Resolve(name string, collections []string) (Module, error) {
	lk := &lookup{}
	cur := name
	for {
		if err := r.step(cur, collections, lk); err != nil {
			return Module{}, err
		}
		if lk.pending == "" {
			break
		}
		if slices.Contains(lk.redirects, lk.pending) {
			return Module{}, &RedirectLoopError{Name: name, Path: slices.Clone(lk.redirects)}
		}
		cur, lk.pending = lk.pending, ""
	}
	if !lk.resolved {
		return Module{}, &NotFoundError{Kind: "module", Name: name, Errors: lk.errors}
	}
	return Module{
		Name:         name,
		FQCN:         lk.resolvedFQCN(),
		Path:         lk.path,
		Collection:   lk.collection,
		Root:         lk.root,
		ActionPlugin: lk.actionPlugin,
		Redirects:    lk.redirects,
		Deprecations: lk.deprecations,
	}, nil
}

// resolvedFQCN is Ansible's PluginLoadContext.resolved_fqcn.
func (lk *lookup) resolvedFQCN() string {
	if lk.fqcn != "" {
		return lk.fqcn
	}
	final := lk.redirects[len(lk.redirects)-1]
	if IsFQCN(final) && strings.HasPrefix(final, "ansible.legacy.") {
		final = final[strings.LastIndex(final, "ansible.legacy.")+len("ansible.legacy."):]
	}
	if lk.collection != "" && !IsFQCN(final) {
		final = lk.collection + "." + final
	}
	return final
}

// fatal marks an error that ends the resolution instead of moving on to
// the next candidate.
func fatal(err error) bool {
	return errors.Is(err, ErrRemoved) || errors.Is(err, ErrRedirectLoop)
}

// step is one resolution step (Ansible's _resolve_plugin_step).
func (r *Resolver) step(name string, collections []string, lk *lookup) error {
	lk.redirects = append(lk.redirects, name)
	lk.resolved = false
	if (IsFQCN(name) || len(collections) > 0) && !strings.HasPrefix(name, "Ansible") {
		candidates := []string{name}
		if !strings.Contains(name, ".") && len(collections) > 0 {
			candidates = make([]string, len(collections))
			for i, c := range collections {
				candidates[i] = c + "." + name
			}
		}
		for _, cand := range candidates {
			var err error
			if strings.HasPrefix(cand, "ansible.legacy") {
				err = r.legacy(strings.TrimPrefix(name, "ansible.legacy."), lk)
			} else {
				err = r.fq(cand, lk)
				if err == nil && lk.resolved && !slices.Contains(lk.redirects, cand) {
					lk.redirects = append(lk.redirects, cand)
				}
			}
			if err != nil {
				if fatal(err) {
					return err
				}
				lk.errors = append(lk.errors, err.Error())
				continue
			}
			if lk.resolved || lk.pending != "" {
				return nil
			}
		}
		return nil
	}
	return r.legacy(name, lk)
}

// fq looks up a fully qualified name in its collection (Ansible's
// _find_fq_plugin). Not finding it is not an error.
func (r *Resolver) fq(name string, lk *lookup) error {
	lk.resolved = false
	ref, ok := parseRef(name)
	if !ok {
		return fmt.Errorf("%s is not a valid collection reference", name)
	}
	c := r.collection(ref.collection)
	if !c.found {
		return nil // an ImportError in Ansible: the next candidate is tried
	}
	if c.err != nil {
		return c.err
	}
	var action string
	if e, ok := c.route("modules", ref.key()); ok {
		if d := e.deprecation; d != nil {
			version := d.version
			if d.date != "" {
				version = ""
			}
			lk.deprecations = append(lk.deprecations, Deprecation{
				Msg:        name + " has been deprecated." + prefixed(" ", d.text),
				Date:       d.date,
				Version:    version,
				Collection: ref.collection,
			})
		}
		if t := e.tombstone; t != nil {
			return &RemovedError{Name: name, Removal: Deprecation{
				Msg:        name + " has been removed." + prefixed(" ", t.text),
				Date:       t.date,
				Version:    t.version,
				Collection: ref.collection,
				Removed:    true,
			}}
		}
		if e.redirect != "" {
			if !IsFQCN(e.redirect) {
				return fmt.Errorf("Collection %s contains invalid redirect for %s: %s. Redirects must use fully qualified collection names.", ref.collection, name, e.redirect) //nolint:staticcheck // Ansible's wording
			}
			if !slices.Contains(lk.redirects, name) {
				lk.redirects = append(lk.redirects, name)
			}
			lk.pending = e.redirect
			return nil
		}
		action = e.actionPlugin
	}
	dir, ok := r.pluginDir(c, "modules", ref.subPath())
	if !ok {
		return nil
	}
	if p := filepath.Join(dir, ref.resource); exists(p) {
		lk.found(p, ref.collection, c.root, action)
		return nil
	}
	for _, e := range r.fsCache.entries(dir) {
		if e.file && strings.HasPrefix(e.name, ref.resource+".") && !r.ignored(e.name) {
			lk.found(filepath.Join(dir, e.name), ref.collection, c.root, action)
			return nil
		}
	}
	return nil
}

func (lk *lookup) found(path, collection, root, action string) {
	lk.pending = ""
	lk.resolved = true
	lk.path, lk.collection, lk.root, lk.actionPlugin = path, collection, root, action
}

func prefixed(sep, s string) string {
	if s == "" {
		return ""
	}
	return sep + s
}

// ignored reports whether a file name ends in one of IgnoreExts.
func (r *Resolver) ignored(name string) bool {
	for _, x := range r.ignore {
		if strings.HasSuffix(name, x) {
			return true
		}
	}
	return false
}

// legacy is Ansible's _find_plugin_legacy: the library directories and
// ansible-core's modules/ in order, then a "_name" alias, then a last
// chance through ansible-core's routing for ansible.builtin.<name>.
func (r *Resolver) legacy(name string, lk *lookup) error {
	lk.resolved = false
	if d, p, ok := r.searchLegacy(name); ok {
		lk.foundLegacy(name, p, d)
		return nil
	}
	if !strings.HasPrefix(name, "_") {
		if d, p, ok := r.searchLegacy("_" + name); ok {
			if !isLink(p) {
				lk.deprecations = append(lk.deprecations, Deprecation{
					Msg: strings.TrimLeft(name, "_") + " is kept for backwards compatibility but usage is discouraged. " +
						"The module documentation details page may explain more about this rationale.",
				})
			}
			lk.foundLegacy("_"+name, p, d)
			return nil
		}
	}
	if cand := "ansible.builtin." + name; !strings.Contains(name, ".") && IsFQCN(cand) {
		return r.fq(cand, lk)
	}
	return nil
}

func (lk *lookup) foundLegacy(name, path string, d searchDir) {
	lk.found(path, "", d.path, "")
	lk.fqcn = name
	if d.internal {
		lk.collection = "ansible.builtin"
		lk.fqcn = "ansible.builtin." + name
	}
}

// searchLegacy returns the first legacy directory with a file whose name,
// or name without its extension, is name. Files are taken in name order
// (Ansible takes them in directory order, which the file system decides).
func (r *Resolver) searchLegacy(name string) (searchDir, string, bool) {
	seen := map[string]bool{}
	for _, d := range r.moduleSearch {
		if seen[d.path] {
			continue
		}
		seen[d.path] = true
		for _, e := range r.fsCache.entries(d.path) {
			if !e.file || strings.HasSuffix(e.name, "__init__.py") || r.ignored(e.name) {
				continue
			}
			if base, _ := splitext(e.name); base == name || e.name == name {
				return d, filepath.Join(d.path, e.name), true
			}
		}
	}
	return searchDir{}, "", false
}

func isLink(p string) bool {
	st, err := os.Lstat(p)
	return err == nil && st.Mode()&os.ModeSymlink != 0
}

// SearchList returns the collection search list a play, role, block or task
// with the collections keyword list has, as Ansible's
// _ensure_default_collection makes it: current (the collection the
// playbook or role is in, "" if none) first unless listed, and
// ansible.legacy last unless ansible.builtin or ansible.legacy is listed.
// An empty result (nil) means no list.
func SearchList(list []string, current string) []string {
	out := slices.Clone(list)
	if current != "" && !slices.Contains(out, current) {
		out = slices.Insert(out, 0, current)
	}
	if len(out) > 0 && !slices.Contains(out, "ansible.builtin") && !slices.Contains(out, "ansible.legacy") {
		out = append(out, "ansible.legacy")
	}
	return out
}
