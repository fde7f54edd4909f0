package payload

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/jetplay/jetplay/internal/collection"
	"go.yaml.in/yaml/v3"
)

// dirFinder is the tests' Finder over directory trees, as ansible-core 2.14
// finds module_utils. The collection package's Resolver is the real one;
// this one lets the payload tests run on their own.
type dirFinder struct {
	// muDirs are the module_utils directories, in search order, the last
	// one ansible-core's module_utils.
	muDirs []*tree
	// roots are the collection roots, each holding ansible_collections/.
	roots []*tree
	// builtin holds config/ansible_builtin_runtime.yml: ansible-core's
	// package directory. nil: no routing for legacy names.
	builtin *tree

	mu     sync.Mutex
	meta   map[string]*collMeta
	files  map[fileKey][]byte
	misses map[fileKey]bool
}

// tree is one directory tree (a pointer, so that it can be a key).
type tree struct{ fs.FS }

type fileKey struct {
	fsys *tree
	name string
}

type collMeta struct {
	fsys *tree  // the collection's root
	dir  string // ansible_collections/ns/coll in fsys
	// routing is plugin_routing.module_utils.
	routing map[string]routeEntry
}

type routeEntry struct {
	Redirect    *string      `yaml:"redirect"`
	Deprecation *removalInfo `yaml:"deprecation"`
	Tombstone   *removalInfo `yaml:"tombstone"`
}

type removalInfo struct {
	Version string `yaml:"removal_version"`
	Date    string `yaml:"removal_date"`
	Text    string `yaml:"warning_text"`
}

func newDirFinder(muDirs, roots []fs.FS, builtin fs.FS) *dirFinder {
	f := &dirFinder{meta: map[string]*collMeta{}, files: map[fileKey][]byte{}, misses: map[fileKey]bool{}}
	for _, d := range muDirs {
		f.muDirs = append(f.muDirs, &tree{d})
	}
	for _, r := range roots {
		f.roots = append(f.roots, &tree{r})
	}
	if builtin != nil {
		f.builtin = &tree{builtin}
	}
	return f
}

// read returns a file's content, cached: the trees do not change during a
// test. ok is false when name is not a regular file.
func (f *dirFinder) read(fsys *tree, name string) ([]byte, bool, error) {
	k := fileKey{fsys, name}
	f.mu.Lock()
	b, ok := f.files[k]
	miss := f.misses[k]
	f.mu.Unlock()
	if ok || miss {
		return b, ok, nil
	}
	st, err := fs.Stat(fsys, name)
	if err != nil || !st.Mode().IsRegular() {
		f.mu.Lock()
		f.misses[k] = true
		f.mu.Unlock()
		return nil, false, nil
	}
	b, err = fs.ReadFile(fsys, name)
	if err != nil {
		return nil, false, err
	}
	if b == nil {
		b = []byte{}
	}
	f.mu.Lock()
	f.files[k] = b
	f.mu.Unlock()
	return b, true, nil
}

func isDir(fsys *tree, name string) bool {
	st, err := fs.Stat(fsys, name)
	return err == nil && st.IsDir()
}

func (f *dirFinder) FindModuleUtil(name string) (ModuleUtil, error) {
	parts := strings.Split(name, ".")
	if len(parts) > 2 && parts[0] == "ansible" && parts[1] == "module_utils" {
		return f.legacy(name, parts[2:])
	}
	if len(parts) >= 6 && parts[0] == "ansible_collections" && parts[3] == "plugins" && parts[4] == "module_utils" {
		return f.collection(name, parts)
	}
	return ModuleUtil{}, fmt.Errorf("module_util %s is in neither tree", name)
}

func (f *dirFinder) legacy(name string, rel []string) (ModuleUtil, error) {
	for _, d := range f.muDirs {
		base := path.Join(rel...)
		if b, ok, err := f.read(d, base+"/__init__.py"); err != nil || ok {
			return ModuleUtil{Source: b, Package: true, Path: base + "/__init__.py"}, err
		}
		if b, ok, err := f.read(d, base+".py"); err != nil || ok {
			return ModuleUtil{Source: b, Path: base + ".py"}, err
		}
	}
	m, err := f.collMeta("ansible.builtin")
	if err != nil {
		return ModuleUtil{}, err
	}
	mu, ok, err := route(m, "ansible.builtin", name, strings.Join(rel, "."))
	if err != nil || ok {
		return mu, err
	}
	return ModuleUtil{}, fmt.Errorf("%s: %w", name, ErrNotFound)
}

func (f *dirFinder) collection(name string, parts []string) (ModuleUtil, error) {
	cname := parts[1] + "." + parts[2]
	m, err := f.collMeta(cname)
	if err != nil {
		return ModuleUtil{}, err
	}
	if m == nil {
		return ModuleUtil{}, fmt.Errorf("%s: collection %s: %w", name, cname, ErrNotFound)
	}
	mu, ok, err := route(m, cname, name, strings.Join(parts[5:], "."))
	if err != nil || ok {
		return mu, err
	}
	res := path.Join(append([]string{m.dir}, parts[3:]...)...)
	if isDir(m.fsys, res) {
		b, _, err := f.read(m.fsys, res+"/__init__.py")
		return ModuleUtil{Source: b, Package: true, Path: res + "/__init__.py", Deprecations: mu.Deprecations}, err
	}
	if b, ok, err := f.read(m.fsys, res+".py"); err != nil || ok {
		return ModuleUtil{Source: b, Path: res + ".py", Deprecations: mu.Deprecations}, err
	}
	return ModuleUtil{}, fmt.Errorf("%s: %w", name, ErrNotFound)
}

// route applies the routing entry for key; ok is true for a redirect. A
// deprecation comes back in the ModuleUtil whatever ok is.
func route(m *collMeta, cname, name, key string) (ModuleUtil, bool, error) {
	e, found := m.routing[key]
	if !found {
		return ModuleUtil{}, false, nil
	}
	var mu ModuleUtil
	if r := e.Tombstone; r != nil {
		return ModuleUtil{}, false, fmt.Errorf("module_util %s has been removed", name)
	}
	if r := e.Deprecation; r != nil {
		msg := "module_util " + name + " has been removed"
		if r.Text != "" {
			msg += " (" + r.Text + ")"
		} else {
			msg += "."
		}
		mu.Deprecations = []collection.Deprecation{{Msg: msg, Version: r.Version, Date: r.Date, Collection: cname}}
	}
	if e.Redirect == nil {
		return mu, false, nil
	}
	target := *e.Redirect
	if !strings.HasPrefix(target, "ansible_collections") {
		p := strings.Split(target, ".")
		if len(p) < 3 {
			return ModuleUtil{}, false, fmt.Errorf("invalid redirect for %s: %s", name, target)
		}
		target = "ansible_collections." + p[0] + "." + p[1] + ".plugins.module_utils." + strings.Join(p[2:], ".")
	}
	mu.Package, mu.Redirect = true, target
	return mu, true, nil
}

// collMeta returns the collection called cname with its routing, nil when
// it is not installed.
func (f *dirFinder) collMeta(cname string) (*collMeta, error) {
	f.mu.Lock()
	m, ok := f.meta[cname]
	f.mu.Unlock()
	if ok {
		return m, nil
	}
	var fsys *tree
	var dir, file string
	if cname == "ansible.builtin" {
		if f.builtin == nil {
			return &collMeta{}, nil
		}
		fsys, file = f.builtin, "config/ansible_builtin_runtime.yml"
	} else {
		ns, coll, _ := strings.Cut(cname, ".")
		for _, r := range f.roots {
			if d := path.Join("ansible_collections", ns, coll); isDir(r, d) {
				fsys, dir, file = r, d, d+"/meta/runtime.yml"
				break
			}
		}
	}
	if fsys != nil {
		m = &collMeta{fsys: fsys, dir: dir}
		b, err := fs.ReadFile(fsys, file)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, err
		default:
			var doc struct {
				PluginRouting struct {
					ModuleUtils map[string]routeEntry `yaml:"module_utils"`
				} `yaml:"plugin_routing"`
			}
			if err := yaml.Unmarshal(b, &doc); err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			m.routing = doc.PluginRouting.ModuleUtils
		}
	}
	f.mu.Lock()
	f.meta[cname] = m
	f.mu.Unlock()
	return m, nil
}
