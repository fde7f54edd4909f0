package playbook

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxImportDepth bounds nested import_playbook and import_tasks.
const maxImportDepth = 64

// Playbook is a loaded playbook file with its imports resolved.
type Playbook struct {
	// Path is the path the playbook was loaded from, as given.
	Path string
	// Dir is the directory of Path; relative file names in the playbook
	// (include_tasks, vars_files, ...) are resolved against it.
	Dir string
	// Plays are the plays in order, those of import_playbook entries inlined.
	Plays []*Play
	// Warnings are what Ansible would warn about while loading ("file:line:col:
	// message"), such as duplicate mapping keys.
	Warnings []string
}

// Play is one play. Zero values mean the keyword is absent.
type Play struct {
	Name              string
	Hosts             string // a host pattern; a YAML list is joined with ","
	Vars              map[string]any
	VarsFiles         []string
	GatherFacts       *bool
	Become            *bool
	BecomeUser        string
	BecomeMethod      string
	BecomeExe         string
	BecomeFlags       string
	Environment       map[string]any
	IgnoreErrors      any // nil, bool or template string
	IgnoreUnreachable any // nil, bool or template string
	NoLog             any // nil, bool or template string
	Serial            any // nil, int, string ("30%") or a list of them
	Strategy          string
	MaxFailPercentage any
	AnyErrorsFatal    bool
	ForceHandlers     bool
	Order             string // inventory, reverse_inventory, sorted, reverse_sorted or shuffle
	Connection        string
	RemoteUser        string
	Port              any
	Tags              []string
	CheckMode         any // nil, bool or template string
	Diff              any // nil, bool or template string
	RunOnce           any // nil, bool or template string
	Throttle          any
	Timeout           any
	// Roles are the play's roles as Ansible's play.roles holds them: those
	// of the roles: section (a role named twice with the same parameters is
	// the same *Role), then those of import_role tasks. Their defaults and
	// vars are visible to every task of the play.
	Roles []*Role

	// PreTasks, Tasks and PostTasks are the play's sections. Tasks begins
	// with the roles: section, compiled (Role.Compile): one block per role,
	// its dependencies' tasks first. Handlers begins with the handlers of
	// those roles, and ends with those of import_role tasks.
	PreTasks, Tasks, PostTasks, Handlers []*Task

	roles *playRoles // role cache, for IncludeRole

	Pos Pos
}

// Load reads and parses the playbook at path; see Parse.
func Load(path string, opts Options) (*Playbook, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, wrapf(Pos{File: path}, ErrRead, err, "unable to read playbook")
	}
	return Parse(path, data, opts)
}

// Parse parses data as the playbook at path. path names the file in errors,
// and files that the playbook imports (import_playbook, import_tasks) are
// read from disk relative to its directory. Vault data is decrypted with
// opts.Decrypt. Errors are *Error, or wrap ErrVault.
func Parse(path string, data []byte, opts Options) (*Playbook, error) {
	l := &loader{opts: opts, dir: filepath.Dir(path)}
	plays, err := l.playbookFile(path, data, Pos{File: path})
	if err != nil {
		return nil, err
	}
	return &Playbook{Path: path, Dir: l.dir, Plays: plays, Warnings: l.warnings}, nil
}

// loader holds the state of one Load: options, warnings and the stack of
// files being imported.
type loader struct {
	opts      Options
	dir       string // directory of the top-level file
	warnings  []string
	stack     []string   // absolute paths being loaded, for import cycles
	play      *playRoles // roles of the play being parsed
	role      *roleCtx   // the role whose files are being parsed
	roleStack []string   // roles being loaded, for dependency cycles
	// dynamic: the tasks being parsed are loaded at run time by an
	// include_tasks, so an old include in them is dynamic too (Ansible's
	// all_parents_static).
	dynamic bool
}

func (l *loader) warn(s string) { l.warnings = append(l.warnings, s) }

// file is the loader's view of one file being parsed.
type file struct {
	*decoder
	l   *loader
	dir string
}

// enter pushes path on the import stack; from is where the import was asked.
func (l *loader) enter(path string, from Pos) (func(), error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = filepath.Clean(path)
	}
	for _, p := range l.stack {
		if p == abs {
			return nil, errorf(from, ErrImport, "%s imports itself", path)
		}
	}
	if len(l.stack) >= maxImportDepth {
		return nil, errorf(from, ErrImport, "imports nested deeper than %d", maxImportDepth)
	}
	l.stack = append(l.stack, abs)
	return func() { l.stack = l.stack[:len(l.stack)-1] }, nil
}

func (l *loader) newFile(path string) *file {
	return &file{decoder: newDecoder(path, &l.opts, l.warn), l: l, dir: filepath.Dir(path)}
}

// playbookFile parses a playbook file: a list of plays and imports.
func (l *loader) playbookFile(path string, data []byte, from Pos) ([]*Play, error) {
	leave, err := l.enter(path, from)
	if err != nil {
		return nil, err
	}
	defer leave()
	if data, err = Unvault(l.opts.Decrypt, path, data); err != nil {
		return nil, err
	}
	root, err := parseYAML(path, data)
	if err != nil {
		return nil, err
	}
	f := l.newFile(path)
	if root == nil {
		return nil, errorf(Pos{File: path}, ErrInvalid, "Empty playbook, nothing to do")
	}
	root = deref(root)
	if root.Kind != yaml.SequenceNode {
		return nil, errorf(f.pos(root), ErrInvalid, "A playbook must be a list of plays, got %s instead", kindName(root))
	}
	var plays []*Play
	for _, n := range root.Content {
		if deref(n).Kind != yaml.MappingNode {
			return nil, errorf(f.pos(n), ErrInvalid, "playbook entries must be mappings (plays or import_playbook), got %s", kindName(n))
		}
		ps, err := f.pairs(n)
		if err != nil {
			return nil, err
		}
		if imp := findKey(ps, "import_playbook"); imp != nil {
			more, err := f.importPlaybook(n, ps, imp)
			if err != nil {
				return nil, err
			}
			plays = append(plays, more...)
			continue
		}
		p, err := f.play(n, ps)
		if err != nil {
			return nil, err
		}
		plays = append(plays, p)
	}
	return plays, nil
}

// findKey returns the pair whose key is name or one of its builtin fully
// qualified names.
func findKey(ps []pair, name string) *pair {
	for i := range ps {
		if shortName(ps[i].key) == name {
			return &ps[i]
		}
	}
	return nil
}

// shortName strips the ansible.builtin. and ansible.legacy. prefixes.
func shortName(s string) string {
	for _, p := range []string{"ansible.builtin.", "ansible.legacy."} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rest
		}
	}
	return s
}

// importPlaybook loads the plays of an import_playbook entry and applies
// its vars, when and tags to them.
func (f *file) importPlaybook(n *yaml.Node, ps []pair, imp *pair) ([]*Play, error) {
	var (
		vars map[string]any
		when []any
		tags []string
		err  error
	)
	for _, p := range ps {
		switch p.key {
		case imp.key, "name":
		case "vars":
			vars, err = f.varsMap("PlaybookInclude", p.v)
		case "when":
			when, err = f.condList(p.key, p.v)
		case "tags":
			tags, err = f.stringList(p.key, p.v, true)
		default:
			err = errorf(f.pos(p.k), ErrUnknownKeyword, "'%s' is not a valid attribute for a PlaybookInclude", p.key)
		}
		if err != nil {
			return nil, err
		}
	}
	name, err := f.stringOf(imp.key, imp.v, false)
	if err != nil {
		return nil, err
	}
	path, err := f.importPath(imp.v, name, "import_playbook")
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, wrapf(f.pos(imp.v), ErrRead, err, "unable to read imported playbook %s", path)
	}
	plays, err := f.l.playbookFile(path, data, f.pos(n))
	if err != nil {
		return nil, err
	}
	for _, p := range plays {
		if len(vars) > 0 {
			p.Vars = mergeMaps(p.Vars, vars)
		}
		p.Tags = union(tags, p.Tags)
		if len(when) > 0 {
			for _, list := range [][]*Task{p.PreTasks, p.Tasks, p.PostTasks} {
				for _, t := range list {
					t.When = append(append([]any(nil), when...), t.When...)
				}
			}
		}
	}
	return plays, nil
}

// importPath resolves the file name of a static import: relative to the
// importing file's directory, then to the playbook's.
func (f *file) importPath(n *yaml.Node, name, what string) (string, error) {
	if name == "" {
		return "", errorf(f.pos(n), ErrInvalid, "%s needs a file name", what)
	}
	if isTemplate(name) {
		return "", errorf(f.pos(n), ErrImport, "%s of a templated file name (%s) is not supported", what, short(name))
	}
	if filepath.IsAbs(name) {
		return name, nil
	}
	first := filepath.Join(f.dir, name)
	if _, err := os.Stat(first); err != nil {
		if alt := filepath.Join(f.l.dir, name); alt != first {
			if _, err := os.Stat(alt); err == nil {
				return alt, nil
			}
		}
	}
	return first, nil
}

// playKeywords are the keys a play accepts that need no conversion here.
var ignoredPlayKeywords = map[string]bool{
	"collections": true, "module_defaults": true, "debugger": true,
	"gather_subset": true, "gather_timeout": true, "fact_path": true,
}

// validOrders are the values of a play's order keyword.
var validOrders = map[string]bool{
	"inventory": true, "reverse_inventory": true, "sorted": true, "reverse_sorted": true, "shuffle": true,
}

// play parses one play.
func (f *file) play(n *yaml.Node, ps []pair) (*Play, error) {
	p := &Play{Pos: f.pos(n)}
	pr := newPlayRoles(f.l.opts, f.dir)
	pr.pos = p.Pos
	pr.loadVars = f.playLoadVars(ps)
	saved := f.l.play
	f.l.play, p.roles = pr, pr
	defer func() { f.l.play = saved }()
	// roles: is loaded first, as in Ansible: its roles come before those
	// of import_role tasks.
	var roles []*Role
	if r := findKey(ps, "roles"); r != nil && r.key == "roles" {
		var err error
		if roles, err = f.roles(r.v, pr); err != nil {
			return nil, err
		}
		pr.roles = append(pr.roles, roles...)
	}
	hostsSeen := false
	for _, kv := range ps {
		var err error
		v := kv.v
		switch kv.key {
		case "name":
			p.Name, err = f.stringOf(kv.key, v, true)
		case "hosts":
			hostsSeen = true
			p.Hosts, err = f.hosts(v)
		case "vars":
			p.Vars, err = f.varsMap("Play", v)
		case "vars_files":
			p.VarsFiles, err = f.varsFiles(v)
		case "gather_facts":
			p.GatherFacts, err = f.boolPtr(kv.key, v)
		case "become":
			p.Become, err = f.boolPtr(kv.key, v)
		case "become_user":
			p.BecomeUser, err = f.stringOf(kv.key, v, true)
		case "become_method":
			p.BecomeMethod, err = f.stringOf(kv.key, v, true)
		case "become_exe":
			p.BecomeExe, err = f.stringOf(kv.key, v, true)
		case "become_flags":
			p.BecomeFlags, err = f.stringOf(kv.key, v, true)
		case "environment":
			p.Environment, err = f.envMap(v)
		case "ignore_errors":
			p.IgnoreErrors, err = f.boolish(kv.key, v)
		case "ignore_unreachable":
			p.IgnoreUnreachable, err = f.boolish(kv.key, v)
		case "no_log":
			p.NoLog, err = f.boolish(kv.key, v)
		case "serial":
			p.Serial, err = f.value(v, true)
		case "strategy":
			p.Strategy, err = f.stringOf(kv.key, v, true)
		case "max_fail_percentage":
			p.MaxFailPercentage, err = f.value(v, true)
		case "any_errors_fatal":
			p.AnyErrorsFatal, err = f.boolValue(kv.key, v)
		case "force_handlers":
			p.ForceHandlers, err = f.boolValue(kv.key, v)
		case "order":
			p.Order, err = f.stringOf(kv.key, v, false)
			if err == nil && p.Order != "" && !validOrders[p.Order] {
				err = errorf(f.pos(v), ErrInvalid, "Invalid 'order' specified for inventory hosts: %s", p.Order)
			}
		case "connection":
			p.Connection, err = f.stringOf(kv.key, v, true)
		case "remote_user":
			p.RemoteUser, err = f.stringOf(kv.key, v, true)
		case "port":
			p.Port, err = f.intish(kv.key, v)
		case "tags":
			p.Tags, err = f.stringList(kv.key, v, true)
		case "check_mode":
			p.CheckMode, err = f.boolish(kv.key, v)
		case "diff":
			p.Diff, err = f.boolish(kv.key, v)
		case "run_once":
			p.RunOnce, err = f.boolish(kv.key, v)
		case "throttle":
			p.Throttle, err = f.intish(kv.key, v)
		case "timeout":
			p.Timeout, err = f.intish(kv.key, v)
		case "roles":
			// loaded above
		case "pre_tasks":
			p.PreTasks, err = f.taskList(kv.key, v, false)
		case "tasks":
			p.Tasks, err = f.taskList(kv.key, v, false)
		case "post_tasks":
			p.PostTasks, err = f.taskList(kv.key, v, false)
		case "handlers":
			p.Handlers, err = f.taskList(kv.key, v, true)
		case "vars_prompt":
			err = errorf(f.pos(kv.k), ErrUnsupported, "'vars_prompt' is not supported: pass the variables with extra vars")
		default:
			if !ignoredPlayKeywords[kv.key] {
				err = errorf(f.pos(kv.k), ErrUnknownKeyword, "'%s' is not a valid attribute for a Play", kv.key)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if !hostsSeen {
		return nil, errorf(p.Pos, ErrInvalid, "the field 'hosts' is required but was not set")
	}
	var roleTasks, roleHandlers []*Task
	for _, r := range roles {
		roleTasks = append(roleTasks, r.Compile(nil, nil)...)
		roleHandlers = append(roleHandlers, r.CompileHandlers(nil)...)
	}
	p.Tasks = append(roleTasks, p.Tasks...)
	p.Handlers = append(append(roleHandlers, p.Handlers...), pr.handlers...)
	p.Roles = pr.roles
	return p, nil
}

// hosts reads a play's host pattern: a string or a list of strings.
func (f *file) hosts(n *yaml.Node) (string, error) {
	var parts []string
	switch nn := deref(n); nn.Kind {
	case yaml.ScalarNode:
		s, err := f.stringOf("hosts", n, true)
		if err != nil {
			return "", err
		}
		parts = []string{s}
	case yaml.SequenceNode:
		for _, c := range nn.Content {
			if deref(c).Kind != yaml.ScalarNode || isNull(c) {
				return "", errorf(f.pos(c), ErrInvalid, "Hosts list must be a sequence or string")
			}
			s, err := f.stringOf("hosts", c, true)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
	default:
		return "", errorf(f.pos(n), ErrInvalid, "Hosts list must be a sequence or string")
	}
	h := strings.Join(parts, ",")
	if strings.TrimSpace(h) == "" {
		return "", errorf(f.pos(n), ErrInvalid, "Hosts list cannot be empty. Please check your playbook")
	}
	return h, nil
}

// varsFiles reads vars_files: a file name or a list of them.
func (f *file) varsFiles(n *yaml.Node) ([]string, error) {
	if isNull(n) {
		return nil, nil
	}
	nn := deref(n)
	items := []*yaml.Node{n}
	if nn.Kind == yaml.SequenceNode {
		items = nn.Content
	}
	var out []string
	for _, c := range items {
		if deref(c).Kind == yaml.SequenceNode {
			return nil, errorf(f.pos(c), ErrUnsupported, "a list of alternatives in vars_files is not supported")
		}
		s, err := f.stringOf("vars_files", c, true)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// mergeMaps returns a new map with the keys of a, overridden by those of b.
func mergeMaps(a, b map[string]any) map[string]any {
	if a == nil && b == nil {
		return nil
	}
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// union returns a followed by the items of b not in a.
func union(a, b []string) []string {
	if len(a) == 0 {
		return b
	}
	out := append([]string(nil), a...)
	for _, s := range b {
		found := false
		for _, x := range out {
			if x == s {
				found = true
				break
			}
		}
		if !found {
			out = append(out, s)
		}
	}
	return out
}

// typeName names a Go value's YAML type in messages.
func typeName(v any) string {
	switch v.(type) {
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case string:
		return "a string"
	case nil:
		return "null"
	}
	return fmt.Sprintf("a %T", v)
}

// playLoadVars returns what gives the variables known when a play is
// loaded, for templated role names: its vars, its vars_files (those whose
// name is not a template) and the extra vars, in increasing precedence.
// They are read once, on first use.
func (f *file) playLoadVars(ps []pair) func() (map[string]any, error) {
	var (
		out  map[string]any
		err  error
		done bool
	)
	return func() (map[string]any, error) {
		if done {
			return out, err
		}
		done = true
		out = map[string]any{}
		if kv := findKey(ps, "vars"); kv != nil {
			var v map[string]any
			if v, err = f.varsMap("Play", kv.v); err != nil {
				return nil, err
			}
			maps.Copy(out, v)
		}
		if kv := findKey(ps, "vars_files"); kv != nil {
			var files []string
			if files, err = f.varsFiles(kv.v); err != nil {
				return nil, err
			}
			for _, name := range files {
				if isTemplate(name) {
					continue
				}
				if !filepath.IsAbs(name) {
					name = filepath.Join(f.dir, name)
				}
				var v map[string]any
				if v, err = LoadVars(name, f.l.opts.Decrypt); err != nil {
					return nil, err
				}
				maps.Copy(out, v)
			}
		}
		maps.Copy(out, f.l.opts.ExtraVars)
		return out, nil
	}
}
