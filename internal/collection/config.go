package collection

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Config says where a Resolver looks. Paths are used as given after "~"
// expansion and filepath.Clean; give absolute ones (relative ones are
// relative to the process's working directory). Nothing is read from the
// environment: the caller passes the values of ANSIBLE_LIBRARY and the
// others (SplitPaths splits them).
type Config struct {
	// PlaybookDirs are the directories of the run's playbooks (the
	// absolute directory of each playbook file given, in order; not those
	// of playbooks inside a collection, see CollectionOf). Each one's
	// library/ and module_utils/ are searched before every other legacy
	// directory and its collections/ before every other collection root.
	// Default none.
	PlaybookDirs []string
	// RoleDirs are the directories of the legacy (not collection) roles, in
	// the order they are loaded. Their library/ and module_utils/ come after
	// the playbooks'. Default none.
	RoleDirs []string
	// Library is DEFAULT_MODULE_PATH (ANSIBLE_LIBRARY, ansible.cfg
	// library): module directories searched, each after two levels of its
	// subdirectories. nil means Ansible's default,
	// AnsibleHome/plugins/modules and /usr/share/ansible/plugins/modules.
	Library []string
	// ModuleUtils is DEFAULT_MODULE_UTILS_PATH (ANSIBLE_MODULE_UTILS,
	// ansible.cfg module_utils). nil means Ansible's default,
	// AnsibleHome/plugins/module_utils and
	// /usr/share/ansible/plugins/module_utils.
	ModuleUtils []string
	// CollectionsPaths is COLLECTIONS_PATHS (ANSIBLE_COLLECTIONS_PATH, or the
	// older ANSIBLE_COLLECTIONS_PATHS; ANSIBLE_COLLECTIONS_PATH wins when
	// both are set, as in Ansible; ansible.cfg collections_path). A root counts only if it holds an
	// ansible_collections directory; a path ending in ansible_collections
	// stands for its parent. nil means Ansible's default,
	// AnsibleHome/collections and /usr/share/ansible/collections.
	CollectionsPaths []string
	// SysPath is Python's sys.path where ansible-core runs (Install.SysPath):
	// its entries are collection roots after CollectionsPaths, which is how
	// the ansible_collections in site-packages or dist-packages is found.
	// Default none.
	SysPath []string
	// NoScanSysPath is COLLECTIONS_SCAN_SYS_PATH false: SysPath is ignored.
	NoScanSysPath bool
	// AnsibleCore is the ansible package directory of ansible-core
	// (Install.Core), e.g. /usr/lib/python3/dist-packages/ansible: its
	// modules/ and module_utils/ are searched last and its
	// config/ansible_builtin_runtime.yml routes ansible.builtin. "" means
	// no ansible-core: only library directories and collections resolve.
	AnsibleCore string
	// Home is the user's home directory, for "~" and the defaults. Default
	// none: "~" is left as it is.
	Home string
	// AnsibleHome is ANSIBLE_HOME. Default Home/.ansible.
	AnsibleHome string
	// IgnoreExts is MODULE_IGNORE_EXTS: file name endings never taken for a
	// module. nil means Ansible's default, DefaultIgnoreExts.
	IgnoreExts []string
}

// DefaultIgnoreExts is Ansible's default MODULE_IGNORE_EXTS.
var DefaultIgnoreExts = []string{".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst", ".yaml", ".yml", ".ini"}

// SplitPaths splits a path list as Ansible splits ANSIBLE_LIBRARY and the
// other pathspec settings: on ":". An empty value is one empty entry,
// which stands for the working directory. The result is never nil, so it
// never means a default.
func SplitPaths(value string) []string {
	return strings.Split(value, string(os.PathListSeparator))
}

// Resolver finds the files behind module, module_util, role and playbook
// names as ansible-core 2.14's loaders do. It is safe for concurrent use.
// It reads directories the first time it needs them and keeps what it saw
// for its lifetime.
type Resolver struct {
	cfg          Config
	ignore       []string
	moduleSearch []searchDir // module search, in order
	muDirs       []string    // module_utils search, in order
	roots        []string    // collection roots, in order
	core         string      // ansible-core package dir or ""
	fsCache      fsCache

	mu    sync.Mutex
	colls map[string]*coll
}

// searchDir is one legacy module directory; internal marks ansible-core's.
type searchDir struct {
	path     string
	internal bool
}

// New returns a Resolver for cfg. It fails if cfg.AnsibleCore is set but
// is not an ansible-core package directory (no modules/ in it).
func New(cfg Config) (*Resolver, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	r := &Resolver{
		cfg:    cfg,
		ignore: cfg.IgnoreExts,
		colls:  map[string]*coll{},
	}
	if r.ignore == nil {
		r.ignore = DefaultIgnoreExts
	}
	if cfg.AnsibleCore != "" {
		r.core = filepath.Clean(r.expand(cfg.AnsibleCore))
	}
	ansibleHome := cfg.AnsibleHome
	if ansibleHome == "" && cfg.Home != "" {
		ansibleHome = filepath.Join(cfg.Home, ".ansible")
	}
	ansibleHome = r.expand(ansibleHome)
	def := func(given []string, sub string) []string {
		if given != nil {
			return given
		}
		var d []string
		if ansibleHome != "" {
			d = append(d, filepath.Join(ansibleHome, sub))
		}
		return append(d, filepath.Join("/usr/share/ansible", sub))
	}
	r.moduleSearch = r.moduleDirs(def(cfg.Library, "plugins/modules"))
	r.muDirs = r.moduleUtilDirs(def(cfg.ModuleUtils, "plugins/module_utils"))
	r.roots = r.collectionRoots(def(cfg.CollectionsPaths, "collections"))
	return r, nil
}

func (c Config) validate() error {
	if c.AnsibleCore == "" {
		return nil
	}
	st, err := os.Stat(filepath.Join(c.AnsibleCore, "modules"))
	if err != nil || !st.IsDir() {
		return fmt.Errorf("ansible-core directory %s has no modules/: %w", c.AnsibleCore, ErrNoAnsibleCore)
	}
	return nil
}

// expand replaces a leading "~" with Home and cleans p. "" stays "" .
func (r *Resolver) expand(p string) string {
	if p == "" {
		return ""
	}
	if r.cfg.Home != "" && (p == "~" || strings.HasPrefix(p, "~/")) {
		p = r.cfg.Home + p[1:]
	}
	return filepath.Clean(p)
}

// configured cleans a configured path; an empty entry is the working
// directory, as Ansible's resolve_path makes it.
func (r *Resolver) configured(p string) string {
	if p == "" {
		return "."
	}
	return r.expand(p)
}

// extraDirs returns the sub directory of each playbook and role directory
// that exists, symlinks resolved, without repeats: Ansible's
// add_all_plugin_dirs.
func (r *Resolver) extraDirs(sub string) []string {
	var out []string
	for _, d := range slices.Concat(r.cfg.PlaybookDirs, r.cfg.RoleDirs) {
		p := filepath.Join(r.expand(d), sub)
		if !isDir(p) {
			continue
		}
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		if p, err := filepath.Abs(p); err == nil && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// moduleDirs is the legacy module search path: playbook and role library/
// directories, each configured directory after its subdirectories one and
// two levels deep, then ansible-core's modules/ and its package
// subdirectories; directories ending in /windows go last.
func (r *Resolver) moduleDirs(library []string) []searchDir {
	var out []searchDir
	for _, d := range r.extraDirs("library") {
		out = append(out, searchDir{path: d})
	}
	for _, p := range library {
		p = r.configured(p)
		var one, two []string
		for _, e := range r.fsCache.entries(p) {
			if strings.HasPrefix(e.name, ".") || !e.dir {
				continue
			}
			sub := filepath.Join(p, e.name)
			one = append(one, sub)
			for _, e2 := range r.fsCache.entries(sub) {
				if !strings.HasPrefix(e2.name, ".") && e2.dir {
					two = append(two, filepath.Join(sub, e2.name))
				}
			}
		}
		for _, s := range slices.Concat(one, two) {
			out = append(out, searchDir{path: s})
		}
		out = append(out, searchDir{path: p})
	}
	if r.core != "" {
		for _, d := range r.packageDirs(filepath.Join(r.core, "modules")) {
			out = append(out, searchDir{path: d, internal: true})
		}
	}
	slices.SortStableFunc(out, func(a, b searchDir) int {
		return cmpBool(strings.HasSuffix(a.path, "/windows"), strings.HasSuffix(b.path, "/windows"))
	})
	return out
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// packageDirs returns dir and, below it, every subdirectory of a directory
// that holds an __init__.py (Ansible's _all_directories).
func (r *Resolver) packageDirs(dir string) []string {
	out := []string{dir}
	var walk func(d string)
	walk = func(d string) {
		ents := r.fsCache.entries(d)
		hasInit := false
		for _, e := range ents {
			if e.name == "__init__.py" && e.file {
				hasInit = true
			}
		}
		for _, e := range ents {
			if !e.dir {
				continue
			}
			sub := filepath.Join(d, e.name)
			if hasInit {
				out = append(out, sub)
			}
			walk(sub)
		}
	}
	walk(dir)
	return out
}

// moduleUtilDirs is the legacy module_utils search path: playbook and role
// module_utils/, the configured directories, ansible-core's module_utils/;
// only those that exist.
func (r *Resolver) moduleUtilDirs(configured []string) []string {
	out := r.extraDirs("module_utils")
	for _, p := range configured {
		out = append(out, r.configured(p))
	}
	if r.core != "" {
		out = append(out, filepath.Join(r.core, "module_utils"))
	}
	return slices.DeleteFunc(out, func(p string) bool { return !isDir(p) })
}

// collectionRoots is the collection search path: each playbook directory's
// collections/, then the configured roots, then sys.path (unless
// NoScanSysPath); a configured or sys.path entry counts only if it holds
// ansible_collections/. The first root holding a collection wins.
func (r *Resolver) collectionRoots(configured []string) []string {
	var out []string
	for _, d := range r.cfg.PlaybookDirs {
		p := filepath.Join(r.expand(d), "collections")
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	paths := configured
	if !r.cfg.NoScanSysPath {
		paths = slices.Concat(configured, r.cfg.SysPath)
	}
	var good []string
	for _, p := range paths {
		if p == "" {
			continue
		}
		p = r.expand(p)
		if filepath.Base(p) == "ansible_collections" {
			p = filepath.Dir(p)
		}
		if !slices.Contains(good, p) && isDir(filepath.Join(p, "ansible_collections")) {
			good = append(good, p)
		}
	}
	return append(out, good...)
}

// AnsibleCore returns the ansible-core package directory the Resolver
// uses, "" when it has none (then ansible-core's modules, module_utils and
// routing are not found, and a caller may say how to install it).
func (r *Resolver) AnsibleCore() string { return r.core }

// Roots returns the collection roots in search order.
func (r *Resolver) Roots() []string { return slices.Clone(r.roots) }

// ModuleDirs returns the legacy module directories in search order (the
// directories for short names and ansible.legacy names).
func (r *Resolver) ModuleDirs() []string {
	out := make([]string, len(r.moduleSearch))
	for i, d := range r.moduleSearch {
		out[i] = d.path
	}
	return out
}

// ModuleUtilDirs returns the legacy module_utils directories in search
// order (for ansible.module_utils names).
func (r *Resolver) ModuleUtilDirs() []string { return slices.Clone(r.muDirs) }

// fsCache keeps directory listings.
type fsCache struct {
	mu   sync.Mutex
	dirs map[string][]entry
}

// entry is one name in a directory; file and dir follow symlinks.
type entry struct {
	name      string
	file, dir bool
	link      bool
}

// entries returns dir's entries sorted by name, nil if dir cannot be read.
func (c *fsCache) entries(dir string) []entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.dirs[dir]; ok {
		return e
	}
	if c.dirs == nil {
		c.dirs = map[string][]entry{}
	}
	des, err := os.ReadDir(dir)
	var out []entry
	if err == nil {
		out = make([]entry, 0, len(des))
		for _, de := range des {
			e := entry{name: de.Name(), link: de.Type()&os.ModeSymlink != 0}
			mode := de.Type()
			if e.link {
				st, err := os.Stat(filepath.Join(dir, de.Name()))
				if err != nil {
					out = append(out, e)
					continue
				}
				mode = st.Mode().Type()
			}
			e.dir = mode.IsDir()
			e.file = mode.IsRegular()
			out = append(out, e)
		}
	}
	c.dirs[dir] = out
	return out
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
