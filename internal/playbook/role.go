package playbook

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Role is a role as a play uses it: the role's directory loaded with one
// set of parameters. A play that names the same role twice with the same
// parameters (and keywords) gets the same *Role, which is how the engine
// runs it once per host unless AllowDuplicates.
type Role struct {
	// Name is the role's name: as written, or the last element of a path.
	Name string
	// Path is the role's directory, absolute.
	Path string
	// Params are the role parameters: the keys of a roles: entry (or a
	// meta dependency) that are not keywords.
	Params map[string]any
	// Vars is the vars keyword of the entry (and of import_role and
	// include_role tasks): they rank as role vars.
	Vars map[string]any
	// RoleVars is vars/main (or vars_from): high precedence.
	RoleVars map[string]any
	// Defaults is defaults/main (or defaults_from): the lowest precedence.
	Defaults map[string]any
	// ArgSpecs are the role's argument specs by entry point:
	// meta/argument_specs, or meta/main's argument_specs.
	ArgSpecs map[string]any
	// Deps are the roles of meta/main's dependencies, in order.
	Deps []*Role
	// AllowDuplicates is meta/main's allow_duplicates; include_role and
	// import_role set it unless told otherwise.
	AllowDuplicates bool
	// FromInclude: the role came from import_role or include_role; such
	// roles are not part of the roles: section.
	FromInclude bool
	// Tasks and Handlers are tasks/main and handlers/main (or the *_from
	// files) as loaded; Compile gives the tasks to run.
	Tasks, Handlers []*Task
	// Pos is where the role was first named.
	Pos Pos

	// keywords holds the entry's keywords (when, tags, become, ...) as a
	// childless block.
	keywords *Task
	handlers []*Task // compiled once: a role's handlers exist once per play
}

// RoleScope is what a task inside a role knows of it: the role, the roles
// it was reached through, and the variables those give it, merged as
// Ansible merges them.
type RoleScope struct {
	Role *Role
	// Parents is the dependency chain above Role, outermost first (the role
	// that depends on it, that role's parent, ...).
	Parents []*Role
	// Defaults: the defaults of Role's dependencies, of its parents, and its
	// own, in that order of increasing precedence.
	Defaults map[string]any
	// Vars: the parents' vars, the dependencies' vars, then Role's entry
	// vars and role vars.
	Vars map[string]any
	// Params: the parents' role parameters, then Role's.
	Params map[string]any
	// Include are the include params of the include_role or import_role
	// that brought the role in (its vars, the parent role's params and
	// ansible_parent_role_names/paths); nil otherwise.
	Include map[string]any
}

// Name is the role's name, "" for nil.
func (s *RoleScope) Name() string {
	if s == nil || s.Role == nil {
		return ""
	}
	return s.Role.Name
}

// SearchPath is ansible_search_path for a task of this scope in file: the
// role's path and its parents' (innermost first), the task file's
// directory, then the playbook's directory.
func (s *RoleScope) SearchPath(taskFile, bookDir string) []string {
	var out []string
	add := func(d string) {
		if d == "" {
			return
		}
		if abs, err := filepath.Abs(d); err == nil {
			d = abs
		}
		for _, x := range out {
			if x == d {
				return
			}
		}
		out = append(out, d)
	}
	if s != nil && s.Role != nil {
		add(s.Role.Path)
		for i := len(s.Parents) - 1; i >= 0; i-- {
			add(s.Parents[i].Path)
		}
	}
	if taskFile != "" {
		add(filepath.Dir(taskFile))
	}
	add(bookDir)
	return out
}

// AllDeps returns every dependency of r, recursively, in the order they
// run: a dependency's own dependencies before it.
func (r *Role) AllDeps() []*Role {
	var out []*Role
	for _, d := range r.Deps {
		out = append(out, d.AllDeps()...)
		out = append(out, d)
	}
	return out
}

// DefaultVars are the defaults a task of r sees through parents (Ansible's
// Role.get_default_vars).
func (r *Role) DefaultVars(parents []*Role) map[string]any {
	out := map[string]any{}
	for _, d := range r.AllDeps() {
		maps.Copy(out, d.DefaultVars(nil))
	}
	for _, p := range parents {
		maps.Copy(out, p.Defaults)
	}
	maps.Copy(out, r.Defaults)
	return out
}

// AllVars are the role vars a task of r sees through parents, without
// role parameters (Ansible's Role.get_vars(include_params=False)).
func (r *Role) AllVars(parents []*Role) map[string]any {
	out := map[string]any{}
	for _, p := range parents {
		maps.Copy(out, p.Vars)
		maps.Copy(out, p.RoleVars)
	}
	for _, d := range r.AllDeps() {
		maps.Copy(out, d.AllVars(nil))
	}
	maps.Copy(out, r.Vars)
	maps.Copy(out, r.RoleVars)
	return out
}

// AllParams are the role parameters a task of r sees through parents.
func (r *Role) AllParams(parents []*Role) map[string]any {
	out := map[string]any{}
	for _, p := range parents {
		maps.Copy(out, p.Params)
	}
	maps.Copy(out, r.Params)
	return out
}

// Compile returns the tasks that run the role under parents: its
// dependencies' tasks, then its own, wrapped in a block that carries the
// entry's keywords and ending with an implicit "meta: role_complete" that
// marks the role as run for the hosts that ran a task of it. Every task
// has a copy of its own with Role set.
func (r *Role) Compile(parents []*Role, include map[string]any) []*Task {
	chain := append(append([]*Role(nil), parents...), r)
	var body []*Task
	for _, d := range r.Deps {
		body = append(body, d.Compile(chain, nil)...)
	}
	scope := r.scope(parents, include)
	body = append(body, withScope(r.Tasks, scope)...)
	body = append(body, &Task{Module: "meta", Action: "meta", Args: map[string]any{"_raw_params": "role_complete"},
		Role: scope, Implicit: true, Tags: []string{"always"}, Pos: r.Pos})
	block := &Task{Pos: r.Pos, Role: scope, Implicit: true}
	if r.keywords != nil {
		k := *r.keywords
		block = &k
		block.Role, block.Implicit = scope, true
	}
	block.Block = body
	return []*Task{block}
}

// CompileHandlers returns the role's handlers (its dependencies' first),
// each with Role set. They are compiled once per role: a role imported
// twice has its handlers once.
func (r *Role) CompileHandlers(parents []*Role) []*Task {
	if r.handlers != nil {
		return nil
	}
	chain := append(append([]*Role(nil), parents...), r)
	var out []*Task
	for _, d := range r.Deps {
		out = append(out, d.CompileHandlers(chain)...)
	}
	out = append(out, withScope(r.Handlers, r.scope(parents, nil))...)
	r.handlers = out
	if out == nil {
		r.handlers = []*Task{}
	}
	return out
}

func (r *Role) scope(parents []*Role, include map[string]any) *RoleScope {
	return &RoleScope{Role: r, Parents: parents, Defaults: r.DefaultVars(parents), Vars: r.AllVars(parents),
		Params: r.AllParams(parents), Include: include}
}

// withScope copies tasks (and the tasks of blocks, recursively), setting
// Role on each. Tasks that already belong to a role inside this one (an
// import_role in the role's tasks) keep theirs.
func withScope(tasks []*Task, scope *RoleScope) []*Task {
	out := make([]*Task, 0, len(tasks))
	for _, t := range tasks {
		c := *t
		if c.Role == nil {
			c.Role = scope
			c.Block = withScope(t.Block, scope)
			c.Rescue = withScope(t.Rescue, scope)
			c.Always = withScope(t.Always, scope)
		}
		out = append(out, &c)
	}
	return out
}

// DefaultRolesPath is Ansible's default roles_path, under home.
func DefaultRolesPath(home string) []string {
	return []string{filepath.Join(home, ".ansible", "roles"), "/usr/share/ansible/roles", "/etc/ansible/roles"}
}

// playRoles is the loader's state for the play being parsed: its role
// cache (name and parameters → role) and the roles and handlers that
// import_role adds.
type playRoles struct {
	mu    sync.Mutex // IncludeRole at run time
	opts  Options
	cache map[string]*Role
	pos   Pos // the play's: Ansible's path of a role's argument validation task
	// loadVars gives the variables a templated role name is rendered
	// with; nil outside a play.
	loadVars func() (map[string]any, error)
	roles    []*Role // roles of the play, as Ansible's play.roles: roles: entries, then import_role
	handlers []*Task // handlers of import_role
	dir      string  // the playbook's directory: roles/ is searched there
}

func newPlayRoles(opts Options, dir string) *playRoles {
	return &playRoles{opts: opts, cache: map[string]*Role{}, dir: dir}
}

// roleCtx is the role whose files are being parsed: import_role inside it
// has it as parent.
type roleCtx struct {
	role *Role
}

// roleSpec is one reference to a role: a roles: entry, a meta dependency,
// an import_role or include_role.
type roleSpec struct {
	name        string
	pos         Pos // position of the name
	params      map[string]any
	vars        map[string]any
	keywords    *Task
	from        map[string]string // tasks, vars, defaults, handlers → file name
	fromInclude bool
	noValidate  bool   // rolespec_validate: false
	basedir     string // the parent role's roles directory, for dependencies
}

// cacheKey identifies a role with its parameters, as Ansible's hash_params.
func (s *roleSpec) cacheKey(path string) string {
	k := map[string]any{"params": s.params, "vars": s.vars, "from": s.from, "include": s.fromInclude, "novalidate": s.noValidate}
	if s.keywords != nil && len(s.keywords.When) > 0 {
		k["when"] = s.keywords.When
	}
	if s.keywords != nil && len(s.keywords.Tags) > 0 {
		k["tags"] = s.keywords.Tags
	}
	b, err := json.Marshal(k)
	if err != nil {
		b = fmt.Appendf(nil, "%v", k)
	}
	return path + "\x00" + string(b)
}

// roleKeywords are the keys of a roles: entry that are keywords; the others
// are role parameters.
var roleKeywords = set("name", "role", "when", "vars", "environment", "become", "become_user", "become_method",
	"become_exe", "become_flags", "ignore_errors", "ignore_unreachable", "no_log", "any_errors_fatal",
	"check_mode", "diff", "collections", "connection", "debugger", "delegate_facts", "delegate_to",
	"module_defaults", "port", "remote_user", "run_once", "tags", "throttle", "timeout")

// roleEntry parses one roles: entry or meta dependency: a name, or a
// mapping with role (or name), keywords and parameters.
func (f *file) roleEntry(n *yaml.Node, basedir string) (*roleSpec, error) {
	spec := &roleSpec{basedir: basedir, pos: f.pos(n)}
	if deref(n).Kind == yaml.ScalarNode {
		s, err := f.stringOf("role", n, true)
		if err != nil {
			return nil, err
		}
		spec.name = s
		return spec, nil
	}
	if deref(n).Kind != yaml.MappingNode {
		return nil, errorf(f.pos(n), ErrInvalid, "role definitions must be a name or a mapping, got %s", kindName(n))
	}
	ps, err := f.pairs(n)
	if err != nil {
		return nil, err
	}
	name := findKey(ps, "role")
	if name == nil {
		name = findKey(ps, "name")
	}
	if name == nil || isNull(name.v) || deref(name.v).Kind != yaml.ScalarNode {
		return nil, errorf(f.pos(n), ErrInvalid, "role definitions must contain a role name")
	}
	if spec.name, err = f.stringOf("role", name.v, true); err != nil {
		return nil, err
	}
	spec.pos = f.pos(name.v)
	kw := &Task{Pos: f.pos(n)}
	for _, p := range ps {
		switch {
		case p.key == "role" || p.key == "name":
		case p.key == "vars":
			if spec.vars, err = f.varsMap("Role", p.v); err != nil {
				return nil, err
			}
		case roleKeywords[p.key]:
			if err := f.commonKeyword(kw, p); err != nil {
				return nil, err
			}
		default:
			v, err := f.value(p.v, true)
			if err != nil {
				return nil, err
			}
			if spec.params == nil {
				spec.params = map[string]any{}
			}
			spec.params[p.key] = v
		}
	}
	spec.keywords = kw
	return spec, nil
}

// rolesPath is the configured roles path: Options.RolesPath.
func (l *loader) rolesPath() []string { return l.opts.RolesPath }

// findRole resolves a role name as Ansible does: roles/ beside the
// playbook, the roles path, the parent role's roles directory, the
// playbook's directory, then the name as a path.
func (l *loader) findRole(spec *roleSpec, bookDir string) (name, path string, err error) {
	if isTemplate(spec.name) {
		return "", "", errorf(spec.pos, ErrUnsupported, "a templated role name (%s) is not supported", short(spec.name))
	}
	if spec.name == "" {
		return "", "", errorf(spec.pos, ErrRole, "role definitions must contain a role name")
	}
	search := []string{filepath.Join(bookDir, "roles")}
	search = append(search, l.rolesPath()...)
	if spec.basedir != "" {
		search = append(search, spec.basedir)
	}
	search = append(search, bookDir)
	for i, d := range search {
		if abs, err := filepath.Abs(d); err == nil {
			search[i] = abs
		}
	}
	for _, d := range search {
		p := filepath.Join(d, spec.name)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return spec.name, p, nil
		}
	}
	if p, err := filepath.Abs(spec.name); err == nil {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return filepath.Base(spec.name), p, nil
		}
	}
	return "", "", errorf(spec.pos, ErrRole, "the role '%s' was not found in %s", spec.name, strings.Join(search, ":"))
}

// loadRole loads the role of spec, or returns the play's cached one for the
// same role and parameters. parent is the role that names it (a
// dependency's owner, the role an import_role is in).
func (l *loader) loadRole(spec *roleSpec, pr *playRoles) (*Role, error) {
	if isTemplate(spec.name) && l.opts.Template != nil {
		if err := l.renderRoleName(spec, pr); err != nil {
			return nil, err
		}
	}
	name, path, err := l.findRole(spec, pr.dir)
	if err != nil {
		return nil, err
	}
	key := spec.cacheKey(path)
	if r, ok := pr.cache[key]; ok {
		return r, nil
	}
	for _, s := range l.roleStack {
		if s == key {
			return nil, errorf(spec.pos, ErrRole, "A recursion loop was detected with the roles specified. Make sure child roles do not have dependencies on parent roles")
		}
	}
	if len(l.roleStack) >= maxImportDepth {
		return nil, errorf(spec.pos, ErrRole, "roles nested deeper than %d", maxImportDepth)
	}
	l.roleStack = append(l.roleStack, key)
	defer func() { l.roleStack = l.roleStack[:len(l.roleStack)-1] }()

	r := &Role{Name: name, Path: path, Params: spec.params, Vars: spec.vars, keywords: spec.keywords,
		FromInclude: spec.fromInclude, Pos: spec.pos}
	if r.RoleVars, err = l.roleVars(r, "vars", spec.from["vars"], spec.pos); err != nil {
		return nil, err
	}
	if r.Defaults, err = l.roleVars(r, "defaults", spec.from["defaults"], spec.pos); err != nil {
		return nil, err
	}
	if r.ArgSpecs, err = l.roleArgSpecs(r); err != nil {
		return nil, err
	}
	if err := l.roleMeta(r, pr); err != nil {
		return nil, err
	}
	saved := l.role
	l.role = &roleCtx{role: r}
	defer func() { l.role = saved }()
	if r.Tasks, err = l.roleTasks(r, "tasks", spec.from["tasks"], spec.pos, false); err != nil {
		return nil, err
	}
	if r.Handlers, err = l.roleTasks(r, "handlers", spec.from["handlers"], spec.pos, true); err != nil {
		return nil, err
	}
	if !spec.noValidate {
		if t := r.validationTask(spec.from["tasks"], pr.pos); t != nil {
			r.Tasks = append([]*Task{t}, r.Tasks...)
		}
	}
	pr.cache[key] = r
	return r, nil
}

// roleFile finds the file of a role's sub directory: main (with .yml, .yaml,
// .json or no extension) or the *_from name (as written first). It returns
// "" when there is none; from names a file that must exist.
func roleFile(r *Role, sub, from string, pos Pos) ([]string, error) {
	dir := filepath.Join(r.Path, sub)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		if from != "" {
			return nil, errorf(pos, ErrRole, "Could not find specified file in role: %s/%s", sub, from)
		}
		return nil, nil
	}
	base, exts := "main", []string{".yml", ".yaml", ".json", ""}
	if from != "" {
		base, exts = filepath.Base(from), []string{"", ".yml", ".yaml", ".json"}
	}
	for _, ext := range exts {
		p := filepath.Join(dir, base+ext)
		st, err := os.Stat(p)
		switch {
		case err != nil:
		case st.IsDir() && (sub == "vars" || sub == "defaults"):
			if files := varsDirFiles(p, 0); len(files) > 0 {
				return files, nil
			}
		case !st.IsDir():
			return []string{p}, nil
		}
	}
	if from != "" {
		return nil, errorf(pos, ErrRole, "Could not find specified file in role: %s/%s", sub, from)
	}
	return nil, nil
}

// roleVars loads a role's vars/ or defaults/ file(s).
func (l *loader) roleVars(r *Role, sub, from string, pos Pos) (map[string]any, error) {
	files, err := roleFile(r, sub, from, pos)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, wrapf(Pos{File: p}, ErrRead, err, "unable to read %s file of role '%s'", sub, r.Name)
		}
		if data, err = Unvault(l.opts.Decrypt, p, data); err != nil {
			return nil, err
		}
		root, err := parseYAML(p, data)
		if err != nil {
			return nil, err
		}
		if root == nil {
			continue
		}
		d := newDecoder(p, &l.opts, l.warn)
		if deref(root).Kind != yaml.MappingNode {
			return nil, errorf(d.pos(root), ErrInvalid, "The %s/main.yml file for role '%s' must contain a dictionary of variables", sub, r.Name)
		}
		v, err := d.value(root, false)
		if err != nil {
			return nil, err
		}
		maps.Copy(out, v.(map[string]any))
	}
	return out, nil
}

// roleTasks loads a role's tasks/ or handlers/ file.
func (l *loader) roleTasks(r *Role, sub, from string, pos Pos, handler bool) ([]*Task, error) {
	files, err := roleFile(r, sub, from, pos)
	if err != nil || len(files) == 0 {
		return nil, err
	}
	root, err := l.readTaskRoot(files[0], pos)
	if err != nil || root == nil {
		return nil, err
	}
	f := l.newFile(files[0])
	if deref(root).Kind != yaml.SequenceNode {
		return nil, errorf(f.pos(root), ErrInvalid, "The %s/main.yml file for role '%s' must contain a list of tasks", sub, r.Name)
	}
	leave, err := l.enter(files[0], pos)
	if err != nil {
		return nil, err
	}
	defer leave()
	return f.taskList(sub, root, handler)
}

// readTaskRoot reads and parses a task file.
func (l *loader) readTaskRoot(path string, from Pos) (*yaml.Node, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, wrapf(from, ErrRead, err, "unable to read task file %s", path)
	}
	if data, err = Unvault(l.opts.Decrypt, path, data); err != nil {
		return nil, err
	}
	return parseYAML(path, data)
}

// roleMeta reads meta/main: allow_duplicates and dependencies (loaded).
func (l *loader) roleMeta(r *Role, pr *playRoles) error {
	files, err := roleFile(r, "meta", "", r.Pos)
	if err != nil || len(files) == 0 {
		return err
	}
	p := files[0]
	data, err := os.ReadFile(p)
	if err != nil {
		return wrapf(Pos{File: p}, ErrRead, err, "unable to read meta file of role '%s'", r.Name)
	}
	if data, err = Unvault(l.opts.Decrypt, p, data); err != nil {
		return err
	}
	root, err := parseYAML(p, data)
	if err != nil || root == nil {
		return err
	}
	f := l.newFile(p)
	if deref(root).Kind != yaml.MappingNode {
		return errorf(f.pos(root), ErrInvalid, "the meta/main.yml file for role '%s' must be a mapping, got %s", r.Name, kindName(root))
	}
	ps, err := f.pairs(root)
	if err != nil {
		return err
	}
	for _, kv := range ps {
		switch kv.key {
		case "allow_duplicates":
			if r.AllowDuplicates, err = f.boolValue(kv.key, kv.v); err != nil {
				return err
			}
		case "argument_specs":
			if r.ArgSpecs != nil || isNull(kv.v) {
				continue // meta/argument_specs comes first
			}
			v, err := f.value(kv.v, false)
			if err != nil {
				return err
			}
			if r.ArgSpecs, _ = v.(map[string]any); r.ArgSpecs == nil {
				r.ArgSpecs = map[string]any{}
			}
		case "dependencies":
			if isNull(kv.v) {
				continue
			}
			if deref(kv.v).Kind != yaml.SequenceNode {
				return errorf(f.pos(kv.v), ErrInvalid, "Expected role dependencies to be a list.")
			}
			for _, c := range deref(kv.v).Content {
				spec, err := f.roleEntry(c, filepath.Dir(r.Path))
				if err != nil {
					return err
				}
				dep, err := l.loadRole(spec, pr)
				if err != nil {
					return err
				}
				r.Deps = append(r.Deps, dep)
			}
		}
	}
	return nil
}

// roles loads a play's roles: section.
func (f *file) roles(n *yaml.Node, pr *playRoles) ([]*Role, error) {
	if isNull(n) {
		return nil, nil
	}
	nn := deref(n)
	if nn.Kind != yaml.SequenceNode {
		return nil, errorf(f.pos(n), ErrInvalid, "A malformed role declaration was encountered: 'roles' must be a list, got %s", kindName(n))
	}
	var out []*Role
	for _, c := range nn.Content {
		spec, err := f.roleEntry(c, "")
		if err != nil {
			return nil, err
		}
		r, err := f.l.loadRole(spec, pr)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// includeRoleArgs are the arguments include_role and import_role take.
var includeRoleArgs = set("name", "role", "tasks_from", "vars_from", "defaults_from", "handlers_from",
	"apply", "public", "allow_duplicates", "rolespec_validate")

// checkIncludeRole validates an include_role or import_role task's
// arguments as Ansible does at load time.
func (f *file) checkIncludeRole(t *Task) error {
	if t.Args["name"] == nil && t.Args["role"] == nil {
		return errorf(t.Pos, ErrInvalid, "'name' is a required field for %s.", t.Module)
	}
	var bad []string
	for k := range t.Args {
		if !includeRoleArgs[k] {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return errorf(t.Pos, ErrInvalid, "Invalid options for %s: %s", t.Module, strings.Join(bad, ","))
	}
	if t.Module == "import_role" {
		for _, k := range []string{"public", "apply"} {
			if _, ok := t.Args[k]; ok {
				return errorf(t.Pos, ErrInvalid, "Invalid options for %s: %s", t.Module, k)
			}
		}
		if t.LoopKind != "" {
			return errorf(t.Pos, ErrInvalid, "You cannot use loops on 'import_role' statements. You should use 'include_role' instead.")
		}
	}
	if a, ok := t.Args["apply"]; ok {
		if _, ok := a.(map[string]any); !ok {
			return errorf(t.Pos, ErrInvalid, "Expected a dict for apply but got %s instead", typeName(a))
		}
	}
	for _, k := range []string{"tasks_from", "vars_from", "defaults_from", "handlers_from"} {
		if v, ok := t.Args[k]; ok {
			if _, ok := v.(string); !ok {
				return errorf(t.Pos, ErrInvalid, "Expected a string for %s but got %s instead", k, typeName(v))
			}
		}
	}
	return nil
}

// includeRoleSpec is the role reference of an include_role or import_role
// task whose arguments are rendered.
func includeRoleSpec(t *Task, args map[string]any, namePos Pos) *roleSpec {
	name := args["name"]
	if name == nil {
		name = args["role"]
	}
	spec := &roleSpec{name: fmt.Sprint(name), pos: namePos, fromInclude: true, vars: t.Vars}
	if v, ok := args["rolespec_validate"]; ok {
		if b, ok := toBool(v); ok && !b {
			spec.noValidate = true
		}
	}
	for _, k := range []string{"tasks", "vars", "defaults", "handlers"} {
		if v, ok := args[k+"_from"]; ok {
			if spec.from == nil {
				spec.from = map[string]string{}
			}
			spec.from[k] = filepath.Base(fmt.Sprint(v))
		}
	}
	return spec
}

// includeParams are the include params a role brought in by t sees: t's
// vars, and, inside a role, that role's params and
// ansible_parent_role_names/paths.
func includeParams(t *Task) map[string]any {
	out := maps.Clone(t.Vars)
	if out == nil {
		out = map[string]any{}
	}
	if t.Role != nil && t.Role.Role != nil {
		maps.Copy(out, t.Role.Role.Params)
		names := []any{t.Role.Role.Name}
		paths := []any{t.Role.Role.Path}
		if in := t.Role.Include; in != nil {
			if prev, ok := in["ansible_parent_role_names"].([]any); ok {
				names = append(names, prev...)
			}
			if prev, ok := in["ansible_parent_role_paths"].([]any); ok {
				paths = append(paths, prev...)
			}
		}
		out["ansible_parent_role_names"], out["ansible_parent_role_paths"] = names, paths
	}
	return out
}

// importRole loads the role of an import_role task at load time and
// returns its tasks, wrapped in a block that carries the task's keywords.
func (f *file) importRole(t *Task, namePos Pos) ([]*Task, error) {
	if err := f.checkIncludeRole(t); err != nil {
		return nil, err
	}
	pr := f.l.play
	if pr == nil {
		pr = newPlayRoles(f.l.opts, f.l.dir)
	}
	spec := includeRoleSpec(t, t.Args, namePos)
	r, err := f.l.loadRole(spec, pr)
	if err != nil {
		return nil, err
	}
	r.AllowDuplicates = true
	if v, ok := t.Args["allow_duplicates"]; ok {
		if b, ok := toBool(v); ok {
			r.AllowDuplicates = b
		}
	}
	var parents []*Role
	if f.l.role != nil {
		parents = []*Role{f.l.role.role}
	}
	pr.roles = append(pr.roles, r)
	pr.handlers = append(pr.handlers, r.CompileHandlers(nil)...)
	body := r.Compile(parents, includeParams(t))
	wrap := *t
	wrap.Module, wrap.Action, wrap.Args = "", "", nil
	wrap.Vars = nil // they are the role's vars and include params
	wrap.Block, wrap.Implicit = body, true
	return []*Task{&wrap}, nil
}

// IncludeRole loads the role of an include_role task of this play at run
// time, with its arguments rendered (name, tasks_from, ...). It returns
// the tasks to run, the role's handlers (none when the role's handlers were
// added before) and the role. Safe for concurrent use. Errors are *Error at
// the task.
func (p *Play) IncludeRole(t *Task, args map[string]any) (tasks, handlers []*Task, role *Role, err error) {
	pr := p.roles
	if pr == nil {
		return nil, nil, nil, errorf(t.Pos, ErrRole, "include_role: the play was not loaded by this package")
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	l := &loader{opts: pr.opts, dir: pr.dir, play: pr}
	spec := includeRoleSpec(t, args, t.Pos)
	r, err := l.loadRole(spec, pr)
	if err != nil {
		return nil, nil, nil, err
	}
	r.AllowDuplicates = true
	if v, ok := args["allow_duplicates"]; ok {
		if bv, ok := toBool(v); ok {
			r.AllowDuplicates = bv
		}
	}
	if public, _ := toBool(args["public"]); public {
		pr.roles = append(pr.roles, r)
	}
	var parents []*Role
	if t.Role != nil && t.Role.Role != nil {
		parents = append(append(parents, t.Role.Parents...), t.Role.Role)
	}
	return r.Compile(parents, includeParams(t)), r.CompileHandlers(nil), r, nil
}

// WithRole gives tasks loaded at run time inside a role (an include_tasks
// in a role's tasks) the role's scope; nil scope returns tasks as they are.
func WithRole(tasks []*Task, scope *RoleScope) []*Task {
	if scope == nil {
		return tasks
	}
	return withScope(tasks, scope)
}

// KeywordBlock turns a mapping of block keywords (include_role's apply)
// into a childless block. An unknown key is an *Error at pos wrapping
// ErrUnknownKeyword.
func KeywordBlock(m map[string]any, pos Pos) (*Task, error) {
	var n yaml.Node
	if err := n.Encode(m); err != nil {
		return nil, wrapf(pos, ErrInvalid, err, "cannot read apply")
	}
	f := &file{decoder: newDecoder(pos.File, &Options{}, nil), l: &loader{}}
	ps, err := f.pairs(&n)
	if err != nil {
		return nil, err
	}
	t := &Task{Pos: pos}
	for _, p := range ps {
		if !commonKeywords[p.key] {
			return nil, errorf(pos, ErrUnknownKeyword, "'%s' is not a valid attribute for a Block", p.key)
		}
		if err := f.commonKeyword(t, p); err != nil {
			var e *Error
			if asError(err, &e) {
				e.Pos = pos
			}
			return nil, err
		}
	}
	return t, nil
}

// roleArgSpecs reads meta/argument_specs (with .yml, .yaml, .json or no
// extension): its argument_specs mapping, empty when it has none; nil when
// there is no such file.
func (l *loader) roleArgSpecs(r *Role) (map[string]any, error) {
	for _, ext := range []string{"", ".yml", ".yaml", ".json"} {
		p := filepath.Join(r.Path, "meta", "argument_specs"+ext)
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, wrapf(Pos{File: p}, ErrRead, err, "unable to read argument specs of role '%s'", r.Name)
		}
		if data, err = Unvault(l.opts.Decrypt, p, data); err != nil {
			return nil, err
		}
		root, err := parseYAML(p, data)
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		if root == nil {
			return out, nil
		}
		v, err := newDecoder(p, &l.opts, l.warn).value(root, false)
		if err != nil {
			return nil, err
		}
		if m, ok := v.(map[string]any); ok {
			if specs, ok := m["argument_specs"].(map[string]any); ok {
				out = specs
			}
		}
		return out, nil
	}
	return nil, nil
}

// validationTask is the task Ansible puts first in a role whose entry point
// (tasks_from, else main) has an argument spec: validate_argument_spec of
// the role's parameters (and, at run time, the task variables named in the
// spec) against the spec's options. nil when there is no spec.
func (r *Role) validationTask(tasksFrom string, pos Pos) *Task {
	entry := tasksFrom
	if entry == "" {
		entry = "main"
	}
	spec, ok := r.ArgSpecs[entry].(map[string]any)
	if !ok {
		return nil
	}
	name := fmt.Sprintf("Validating arguments against arg spec '%s'", entry)
	if d, ok := spec["short_description"]; ok {
		name += fmt.Sprintf(" - %v", d)
	}
	options, _ := spec["options"].(map[string]any)
	if options == nil {
		options = map[string]any{}
	}
	params := maps.Clone(r.Params)
	if params == nil {
		params = map[string]any{}
	}
	return &Task{Name: name, Module: "validate_argument_spec", Action: "ansible.builtin.validate_argument_spec",
		Args: map[string]any{"argument_spec": options, "provided_arguments": params,
			"validate_args_context": map[string]any{"type": "role", "name": r.Name, "argument_spec_name": entry, "path": r.Path}},
		Tags: []string{"always"}, Pos: pos}
}

// renderRoleName renders a templated role name with the play's variables
// (Options.Template), as Ansible templates role names at load time.
func (l *loader) renderRoleName(spec *roleSpec, pr *playRoles) error {
	vars := maps.Clone(l.opts.ExtraVars)
	if pr.loadVars != nil {
		pv, err := pr.loadVars()
		if err != nil {
			return err
		}
		vars = pv
	}
	v, err := l.opts.Template(spec.name, vars)
	if err != nil {
		return errorf(spec.pos, ErrRole, "%v", err)
	}
	spec.name = fmt.Sprint(v)
	return nil
}
