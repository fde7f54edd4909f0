package collection

import (
	"path/filepath"
	"strings"
)

// Role is a role found in a collection.
type Role struct {
	// Name is the role's name without its collection: the last part of a
	// fully qualified name, or the short name as asked.
	Name string
	// FQCN is ns.coll[.subdirs].name.
	FQCN string
	// Path is the role's directory, .../ansible_collections/ns/coll/roles/name.
	Path string
	// Collection is ns.coll.
	Collection string
}

// FindRole finds a role in the collections as Ansible's
// _get_collection_role_path does: a fully qualified name in its own
// collection's roles/ (subdirectories included), a short name in each
// collection of the search list in order (roles/<name>). The legacy roles
// path (roles/ beside the playbook, DEFAULT_ROLES_PATH) is not searched
// here. Errors: *NotFoundError (ErrNotFound).
func (r *Resolver) FindRole(name string, collections []string) (Role, error) {
	var subdirs, resource string
	if ref, ok := parseRef(name); ok {
		collections = []string{ref.collection}
		subdirs, resource = ref.subPath(), ref.resource
	} else {
		resource = name
	}
	for _, cname := range collections {
		if cname == "ansible.builtin" || !IsCollectionName(cname) {
			continue
		}
		c := r.collection(cname)
		if !c.found {
			continue
		}
		// A dotted short name is a path below roles/, as Python imports it.
		d := filepath.Join(c.dir, "roles", subdirs, strings.ReplaceAll(resource, ".", "/"))
		if !isDir(d) {
			continue
		}
		fq := cname + "." + resource
		if subdirs != "" {
			fq = cname + "." + strings.ReplaceAll(subdirs, "/", ".") + "." + resource
		}
		return Role{Name: resource, FQCN: fq, Path: d, Collection: cname}, nil
	}
	return Role{}, &NotFoundError{Kind: "role", Name: name}
}

// Playbook is a playbook found in a collection.
type Playbook struct {
	// FQCN is the name as asked, ns.coll[.subdirs].name[.yml].
	FQCN string
	// Path is the playbook file.
	Path string
	// Collection is ns.coll.
	Collection string
}

// FindPlaybook finds a playbook named by its FQCN in its collection's
// playbooks/ directory as ansible-playbook does: ns.coll.site is
// playbooks/site, else site.yml, else site.yaml; ns.coll.site.yml is
// playbooks/site.yml. Errors: *NotFoundError (ErrNotFound), whose text is
// Ansible's for a playbook that is not found.
func (r *Resolver) FindPlaybook(name string) (Playbook, error) {
	nf := &NotFoundError{Kind: "playbook", Name: name}
	if !IsFQCN(name) {
		return Playbook{}, nf
	}
	rest, ext := name, ""
	if strings.HasSuffix(name, ".yml") || strings.HasSuffix(name, ".yaml") {
		i := strings.LastIndexByte(name, '.')
		rest, ext = name[:i], name[i:]
	}
	i := strings.LastIndexByte(rest, '.')
	if i < 0 {
		return Playbook{}, nf
	}
	remnant, resource := rest[:i], rest[i+1:]+ext
	parts := strings.SplitN(remnant, ".", 3)
	if len(parts) < 2 {
		return Playbook{}, nf
	}
	cname := parts[0] + "." + parts[1]
	if !IsCollectionName(cname) || cname == "ansible.builtin" {
		return Playbook{}, nf
	}
	c := r.collection(cname)
	if !c.found {
		return Playbook{}, nf
	}
	dir := filepath.Join(c.dir, "playbooks")
	if len(parts) == 3 {
		dir = filepath.Join(dir, strings.ReplaceAll(parts[2], ".", "/"))
	}
	cands := []string{resource}
	if ext == "" {
		cands = append(cands, resource+".yml", resource+".yaml")
	}
	for _, cand := range cands {
		if p := filepath.Join(dir, cand); exists(p) {
			return Playbook{FQCN: name, Path: p, Collection: cname}, nil
		}
	}
	return Playbook{}, nf
}

// CollectionOf returns the collection a file or directory belongs to, as
// Ansible's _get_collection_name_from_path decides it: the path has
// exactly one ansible_collections component, followed by a namespace and
// a collection name, and that collection is the one the roots resolve to
// (a copy hidden by an earlier root belongs to none). "" if none. A
// playbook inside a collection makes it the default collection of its
// plays (SearchList's current) and is not a PlaybookDirs entry.
func (r *Resolver) CollectionOf(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	parts := strings.Split(abs, "/")
	at, n := -1, 0
	for i, p := range parts {
		if p == "ansible_collections" {
			at, n = i, n+1
		}
	}
	if n != 1 || len(parts) < at+3 {
		return ""
	}
	name := parts[at+1] + "." + parts[at+2]
	c := r.collection(name)
	if !c.found || c.dir != strings.Join(parts[:at+3], "/") {
		return ""
	}
	return name
}
