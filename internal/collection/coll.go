package collection

import (
	"fmt"
	"os"
	"path/filepath"
)

// coll is what the resolver knows of one collection.
type coll struct {
	name  string
	dir   string // .../ansible_collections/ns/coll; "" for ansible.builtin
	root  string // the root holding it; the ansible-core dir for ansible.builtin
	found bool
	meta  *meta
	err   error // reading or parsing its runtime metadata failed
}

// collection returns the collection called name, loaded once: the first
// root holding ansible_collections/ns/coll wins. ansible.builtin is
// ansible-core itself, routed by config/ansible_builtin_runtime.yml.
func (r *Resolver) collection(name string) *coll {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.colls[name]; ok {
		return c
	}
	c := &coll{name: name}
	r.colls[name] = c
	if !IsCollectionName(name) {
		return c
	}
	var metaPath string
	if name == "ansible.builtin" {
		if r.core == "" {
			return c
		}
		c.found, c.root = true, r.core
		metaPath = filepath.Join(r.core, "config", "ansible_builtin_runtime.yml")
	} else {
		ns, cn := splitCollection(name)
		for _, root := range r.roots {
			d := filepath.Join(root, "ansible_collections", ns, cn)
			if isDir(d) {
				c.found, c.dir, c.root = true, d, root
				break
			}
		}
		if !c.found {
			return c
		}
		metaPath = filepath.Join(c.dir, "meta", "runtime.yml")
	}
	c.meta = &meta{}
	data, err := os.ReadFile(metaPath)
	switch {
	case err == nil:
		m, err := parseMeta(data)
		if err != nil {
			c.err = fmt.Errorf("error parsing collection metadata: %w", err)
		} else {
			c.meta = m
		}
	case name == "ansible.builtin" || !os.IsNotExist(err):
		c.err = fmt.Errorf("error parsing collection metadata: %w", err)
	}
	return c
}

// route returns the routing entry for key under plugin type typ.
func (c *coll) route(typ, key string) (route, bool) {
	if c.meta == nil {
		return route{}, false
	}
	e, ok := c.meta.routing[typ][key]
	if !ok || e.empty {
		return route{}, false
	}
	return e, true
}

func splitCollection(name string) (ns, coll string) {
	for i := 0; i < len(name); i++ {
		if name[i] == '.' {
			return name[:i], name[i+1:]
		}
	}
	return name, ""
}

// pluginDir returns the directory of plugin type typ (modules,
// module_utils) of c, with subdirs (a relative path) below it; ok is false
// unless every level is a directory.
func (r *Resolver) pluginDir(c *coll, typ, subdirs string) (string, bool) {
	var d string
	if c.name == "ansible.builtin" {
		d = filepath.Join(r.core, typ)
	} else {
		d = filepath.Join(c.dir, "plugins", typ)
	}
	if subdirs != "" {
		d = filepath.Join(d, subdirs)
	}
	return d, isDir(d)
}
