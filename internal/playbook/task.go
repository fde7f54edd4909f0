package playbook

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Task is a task, a handler or a block. Zero values mean the keyword is
// absent. A block has Module "" and its tasks in Block, Rescue and Always;
// its other keywords apply to every task inside it, which the engine does at
// run time (they are not copied onto the children here).
type Task struct {
	Name string
	// Module is the canonical short module name, e.g. "command". It is
	// "include_tasks" for include_tasks (and an old include that is not
	// static, see include): the engine
	// loads the file at run time with LoadTasks, resolving a relative name
	// (Args["_raw_params"] or Args["file"]) against filepath.Dir(Pos.File),
	// then Playbook.Dir. import_tasks never appears: it is inlined at load.
	Module string
	// Action is the module name as the task wrote it ("ansible.builtin.command",
	// "command"): what Ansible's callbacks show as the task's action.
	Action string
	// Args are the module arguments. Free-form text is in "_raw_params"
	// (`command: /bin/echo hi` gives {"_raw_params": "/bin/echo hi"}); the
	// key=value pairs of the free form are split out as Ansible does (for
	// command-like modules only creates, removes, chdir, executable, warn,
	// stdin, stdin_add_newline and strip_empty_ends). The args keyword is
	// merged in under them; a templated args string is in "_variable_params".
	// Never nil for a module task.
	Args  map[string]any
	Async any // nil, int or template string
	Poll  any // nil, int or template string

	Register string
	Until    any // nil, or a condition (string, bool) or a list of them
	Retries  any // nil, int or template string
	Delay    any // nil, int or template string

	// Loop is the loop: a list, or a template string the engine renders
	// to a list. LoopKind says where it came from: "loop" or the with_
	// keyword ("with_items", "with_list", "with_dict", "with_sequence", or
	// any other "with_<lookup>", left for the engine to support or reject).
	// with_items lists are flattened one level here; when a with_items item
	// (or the whole value) is a template, the engine flattens the rendered
	// list one level. with_dict mappings become lists of {key, value} in
	// file order and with_sequence expressions without templates become
	// lists of strings; their templated forms are left to the engine.
	Loop        any
	LoopKind    string
	LoopControl *LoopControl

	When              []any // conditions: strings, bools; all must hold
	IgnoreErrors      any   // nil, bool or template string
	IgnoreUnreachable any   // nil, bool or template string
	ChangedWhen       []any
	FailedWhen        []any
	Vars              map[string]any
	Environment       map[string]any
	NoLog             any // nil, bool or template string

	Become       *bool
	BecomeUser   string
	BecomeMethod string
	BecomeExe    string
	BecomeFlags  string

	// DelegateTo is "localhost" for local_action.
	DelegateTo     string
	DelegateFacts  any // nil, bool or template string
	RunOnce        any // nil, bool or template string
	Tags           []string
	Notify         []string
	Listen         []string // handlers only
	Throttle       any
	CheckMode      any // nil, bool or template string
	Diff           any // nil, bool or template string
	Timeout        any
	AnyErrorsFatal any // nil, bool or template string
	Connection     string
	RemoteUser     string
	Port           any

	Block, Rescue, Always []*Task

	// Role is set on the tasks and handlers of a role (and on the block
	// that wraps a role's tasks): the role, and the variables it gives.
	Role *RoleScope
	// Implicit marks what the loader adds rather than the playbook says: the
	// block around a role's tasks and the "meta: role_complete" that ends
	// them. --list-tasks leaves it out; the engine reports no such task.
	Implicit bool

	Pos Pos
}

// DisplayName is the task's name as Ansible lists it: "role : name" for a
// role's task, ActionName when it has no name ("role : action" in a role);
// an include_role shows its own name or "include_role". The name is not
// rendered.
func (t *Task) DisplayName() string {
	switch {
	case t.Module == "include_role" || t.Module == "import_role":
		return cmpOr(t.Name, t.Module)
	case t.Role.Name() != "":
		return t.Role.Name() + " : " + cmpOr(t.Name, t.ActionName())
	}
	return cmpOr(t.Name, t.ActionName())
}

// ActionName is what names a task without a name, as Ansible's
// Task.get_name: the action as the task wrote it ("ansible.builtin.debug",
// "debug", "include" for an old include that is not static), or Module
// for a task the loader made.
func (t *Task) ActionName() string { return cmpOr(t.Action, t.Module) }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// LoopControl is a task's loop_control.
type LoopControl struct {
	Label    string
	LoopVar  string
	IndexVar string
	Pause    any // nil, number or template string
	Extended bool
}

// IsBlock reports whether t is a block rather than a module call.
func (t *Task) IsBlock() bool { return t.Module == "" }

// LoadTasks reads a task file (a YAML list of tasks, as include_tasks and
// import_tasks take) at run time, for an include_tasks: an old include
// inside it is dynamic, as under Ansible's include_tasks. import_tasks
// inside it are resolved relative to the file's directory. Errors are
// *Error.
func LoadTasks(path string, opts Options) ([]*Task, error) {
	l := &loader{opts: opts, dir: filepath.Dir(path), dynamic: true}
	return l.taskFile(path, Pos{File: path}, false)
}

// taskFile reads and parses a task file.
func (l *loader) taskFile(path string, from Pos, handler bool) ([]*Task, error) {
	leave, err := l.enter(path, from)
	if err != nil {
		return nil, err
	}
	defer leave()
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, wrapf(from, ErrRead, err, "unable to read task file %s", path)
	}
	if data, err = Unvault(l.opts.Decrypt, path, data); err != nil {
		return nil, err
	}
	root, err := parseYAML(path, data)
	if err != nil || root == nil {
		return nil, err
	}
	f := l.newFile(path)
	if deref(root).Kind != yaml.SequenceNode {
		return nil, errorf(f.pos(root), ErrInvalid, "included task files must contain a list of tasks, got %s", kindName(root))
	}
	return f.taskList("tasks", root, handler)
}

// taskList parses a list of tasks; import_tasks are inlined.
func (f *file) taskList(key string, n *yaml.Node, handler bool) ([]*Task, error) {
	if isNull(n) {
		return nil, nil
	}
	nn := deref(n)
	if nn.Kind != yaml.SequenceNode {
		return nil, errorf(f.pos(n), ErrInvalid, "A malformed block was encountered while loading %s: expected a list, got %s", key, kindName(n))
	}
	var out []*Task
	for _, c := range nn.Content {
		ts, err := f.task(c, handler)
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	return out, nil
}

// Keyword sets. A task's other keys are module names.
var (
	commonKeywords = set("name", "when", "vars", "environment", "become", "become_user", "become_method",
		"become_exe", "become_flags", "ignore_errors", "ignore_unreachable", "no_log", "any_errors_fatal",
		"check_mode", "diff", "collections", "connection", "debugger", "delegate_facts", "delegate_to",
		"module_defaults", "notify", "port", "remote_user", "run_once", "tags", "throttle", "timeout")
	taskOnlyKeywords = set("args", "async", "poll", "register", "until", "retries", "delay", "loop",
		"loop_control", "changed_when", "failed_when")
	blockOnlyKeywords = set("block", "rescue", "always")
)

func set(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[s] = true
	}
	return m
}

// Modules that take free-form text, and those that may have _raw_params.
var (
	freeformModules = set("command", "win_command", "shell", "win_shell", "raw", "script")
	rawParamModules = set("command", "win_command", "shell", "win_shell", "raw", "script",
		"include", "include_vars", "include_tasks", "include_role", "import_tasks", "import_role",
		"add_host", "group_by", "set_fact", "meta")
	// builtinActions are resolved here, without Options.Module.
	builtinActions = set("import_tasks", "include_tasks", "include", "meta", "import_role", "include_role")
)

// resolveModule maps a task key to a canonical module name.
func (l *loader) resolveModule(name string) (string, bool) {
	s := shortName(name)
	if builtinActions[s] {
		if s == "include" {
			return "include_tasks", true
		}
		return s, true
	}
	if l.opts.Module == nil {
		return s, s != ""
	}
	return l.opts.Module(name)
}

// task parses one entry of a task list: a module call, a block, or an
// import_tasks that expands to the tasks of its file.
func (f *file) task(n *yaml.Node, handler bool) ([]*Task, error) {
	if deref(n).Kind != yaml.MappingNode {
		return nil, errorf(f.pos(n), ErrInvalid, "A malformed block was encountered while loading a block: a task must be a mapping, got %s", kindName(n))
	}
	ps, err := f.pairs(n)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if blockOnlyKeywords[p.key] {
			t, err := f.block(n, ps, handler)
			if err != nil {
				return nil, err
			}
			return []*Task{t}, nil
		}
	}
	t := &Task{Pos: f.pos(n)}
	var (
		module, action *pair // the module key; the action or local_action key
		moduleName     string
		loop           *pair
		unknown        []pair
		keywords       []pair
	)
	for i := range ps {
		p := &ps[i]
		switch {
		case commonKeywords[p.key] || taskOnlyKeywords[p.key] || (handler && p.key == "listen"):
			keywords = append(keywords, *p)
		case p.key == "action" || p.key == "local_action":
			if action != nil {
				return nil, errorf(f.pos(p.k), ErrConflict, "action and local_action are mutually exclusive")
			}
			action = p
		case strings.HasPrefix(p.key, "with_"):
			if loop != nil {
				return nil, errorf(f.pos(p.k), ErrConflict, "duplicate loop in task: %s", strings.TrimPrefix(p.key, "with_"))
			}
			loop = p
		default:
			canon, ok := f.l.resolveModule(p.key)
			if !ok {
				unknown = append(unknown, *p)
				continue
			}
			if module != nil {
				return nil, errorf(f.pos(p.k), ErrConflict, "conflicting action statements: %s, %s", module.key, p.key)
			}
			module, moduleName = p, canon
			t.Action = p.key
		}
	}
	if len(unknown) > 0 {
		p := unknown[0]
		return nil, &Error{Pos: f.pos(p.k), Err: joinKinds(ErrUnknownModule, ErrUnknownKeyword),
			Msg: "couldn't resolve module/action '" + p.key + "'. This often indicates a misspelling, missing collection, or incorrect module path."}
	}

	// Arguments: the args keyword first, then the module's own, which win.
	args := map[string]any{}
	if p := findKey(keywords, "args"); p != nil {
		if err := f.argsKeyword(p, args); err != nil {
			return nil, err
		}
	}
	switch {
	case action != nil && module != nil:
		name, _, _ := f.actionName(action)
		return nil, errorf(f.pos(module.k), ErrConflict, "conflicting action statements: %s, %s", name, module.key)
	case action != nil:
		name, margs, err := f.actionArgs(action)
		if err != nil {
			return nil, err
		}
		moduleName = name
		t.Action, _, _ = f.actionName(action) // as written
		for k, v := range margs {
			args[k] = v
		}
		if action.key == "local_action" {
			t.DelegateTo = "localhost"
		}
	case module != nil:
		margs, err := f.moduleArgs(module.v, moduleName)
		if err != nil {
			return nil, err
		}
		for k, v := range margs {
			args[k] = v
		}
	default:
		return nil, errorf(t.Pos, ErrInvalid, "no module/action detected in task.")
	}
	t.Module = moduleName
	if raw, ok := args["_raw_params"].(string); ok && raw != "" && !rawParamModules[moduleName] {
		if !isTemplate(raw) {
			names := make([]string, 0, len(rawParamModules))
			for m := range rawParamModules {
				names = append(names, m)
			}
			sort.Strings(names)
			at := t.Pos
			if module != nil {
				at = f.pos(module.v)
			}
			return nil, errorf(at, ErrInvalid, "this task '%s' has extra params, which is only allowed in the following modules: %s", moduleName, strings.Join(names, ", "))
		}
		delete(args, "_raw_params")
		args["_variable_params"] = raw
	}
	t.Args = args

	for _, p := range keywords {
		if err := f.taskKeyword(t, p); err != nil {
			return nil, err
		}
	}
	if loop != nil {
		if t.LoopKind != "" {
			return nil, errorf(f.pos(loop.k), ErrConflict, "duplicate loop in task: %s", strings.TrimPrefix(loop.key, "with_"))
		}
		if err := f.withLoop(t, loop); err != nil {
			return nil, err
		}
	}
	switch t.Module {
	case "import_tasks":
		return f.importTasks(t, handler)
	case "include_tasks":
		if shortName(t.Action) == "include" {
			return f.include(t, handler)
		}
	case "import_role", "include_role":
		if handler {
			return nil, errorf(t.Pos, ErrUnsupported, "Using '%s' as a handler is not supported.", t.Action)
		}
		if t.Module == "import_role" {
			return f.importRole(t, argPos(f, module, "name", "role"))
		}
		if err := f.checkIncludeRole(t); err != nil {
			return nil, err
		}
	}
	return []*Task{t}, nil
}

// argPos is the position of the first of keys in a module's mapping of
// arguments, or of the module's value.
func argPos(f *file, module *pair, keys ...string) Pos {
	if module == nil {
		return Pos{}
	}
	if deref(module.v).Kind == yaml.MappingNode {
		if ps, err := f.pairs(module.v); err == nil {
			for _, k := range keys {
				if p := findKey(ps, k); p != nil {
					return f.pos(p.v)
				}
			}
		}
	}
	return f.pos(module.v)
}

// joinKinds wraps two sentinels in one error for errors.Is.
func joinKinds(a, b error) error { return &kinds{a, b} }

type kinds [2]error

func (k *kinds) Error() string   { return k[0].Error() }
func (k *kinds) Unwrap() []error { return k[:] }

// argsKeyword merges the args keyword into args.
func (f *file) argsKeyword(p *pair, args map[string]any) error {
	if isNull(p.v) {
		return nil
	}
	v, err := f.value(p.v, true)
	if err != nil {
		return err
	}
	switch x := v.(type) {
	case map[string]any:
		for k, v := range x {
			args[k] = v
		}
	case string:
		if !isTemplate(x) {
			return errorf(f.pos(p.v), ErrInvalid, "Complex args containing variables cannot use bare variables (without Jinja2 delimiters), and must use the full variable style ('{{var_name}}')")
		}
		args["_variable_params"] = x
	default:
		return errorf(f.pos(p.v), ErrInvalid, "Complex args must be a dictionary or variable string (\"{{var}}\"), got %s", typeName(v))
	}
	return nil
}

// moduleArgs converts the value of a module key: key=value text, a
// mapping, or nothing.
func (f *file) moduleArgs(n *yaml.Node, module string) (map[string]any, error) {
	if isNull(n) {
		return nil, nil
	}
	switch deref(n).Kind {
	case yaml.MappingNode:
		v, err := f.value(n, true)
		if err != nil {
			return nil, err
		}
		return v.(map[string]any), nil
	case yaml.ScalarNode:
		v, err := f.value(n, true)
		if err != nil {
			return nil, err
		}
		s, ok := v.(string)
		if !ok {
			return nil, errorf(f.pos(n), ErrInvalid, "unexpected parameter type in action: %s", typeName(v))
		}
		args, err := parseKV(s, freeformModules[module])
		if err != nil {
			return nil, wrapf(f.pos(n), ErrInvalid, err, "cannot parse the arguments of %s", module)
		}
		return args, nil
	}
	return nil, errorf(f.pos(n), ErrInvalid, "unexpected parameter type in action: %s", kindName(n))
}

// actionName returns the module named by an action or local_action key,
// and the rest of its text.
func (f *file) actionName(p *pair) (string, string, error) {
	n := deref(p.v)
	var text *yaml.Node
	switch n.Kind {
	case yaml.ScalarNode:
		text = p.v
	case yaml.MappingNode:
		ps, err := f.pairs(p.v)
		if err != nil {
			return "", "", err
		}
		m := findKey(ps, "module")
		if m == nil || m.key != "module" {
			return "", "", errorf(f.pos(p.v), ErrInvalid, "no module/action detected in task: '%s' needs a 'module' key", p.key)
		}
		text = m.v
	default:
		return "", "", errorf(f.pos(p.v), ErrInvalid, "unexpected parameter type in action: %s", kindName(p.v))
	}
	s, err := f.stringOf(p.key, text, true)
	if err != nil {
		return "", "", err
	}
	name, rest, err := splitModuleString(s)
	if err != nil {
		return "", "", wrapf(f.pos(text), ErrInvalid, err, "cannot parse '%s'", p.key)
	}
	if name == "" {
		return "", "", errorf(f.pos(text), ErrInvalid, "no module/action detected in task.")
	}
	return name, rest, nil
}

// actionArgs resolves an action or local_action key to a module and its
// arguments.
func (f *file) actionArgs(p *pair) (string, map[string]any, error) {
	name, rest, err := f.actionName(p)
	if err != nil {
		return "", nil, err
	}
	canon, ok := f.l.resolveModule(name)
	if !ok {
		return "", nil, &Error{Pos: f.pos(p.v), Err: ErrUnknownModule,
			Msg: "couldn't resolve module/action '" + name + "'. This often indicates a misspelling, missing collection, or incorrect module path."}
	}
	args := map[string]any{}
	if deref(p.v).Kind == yaml.MappingNode {
		ps, err := f.pairs(p.v)
		if err != nil {
			return "", nil, err
		}
		for _, q := range ps {
			if q.key == "module" {
				continue
			}
			v, err := f.value(q.v, true)
			if err != nil {
				return "", nil, err
			}
			args[q.key] = v
		}
	}
	kv, err := parseKV(rest, freeformModules[canon])
	if err != nil {
		return "", nil, wrapf(f.pos(p.v), ErrInvalid, err, "cannot parse the arguments of %s", canon)
	}
	for k, v := range kv {
		args[k] = v
	}
	return canon, args, nil
}

// taskKeyword sets one keyword of a module task.
func (f *file) taskKeyword(t *Task, p pair) error {
	var err error
	v := p.v
	switch p.key {
	case "args":
		// merged into Args already
	case "async":
		t.Async, err = f.intish(p.key, v)
	case "poll":
		t.Poll, err = f.intish(p.key, v)
	case "register":
		t.Register, err = f.stringOf(p.key, v, false)
	case "until":
		var c []any
		c, err = f.condList(p.key, v)
		switch {
		case deref(v).Kind == yaml.SequenceNode:
			t.Until = c
		case len(c) == 1:
			t.Until = c[0]
		}
	case "retries":
		t.Retries, err = f.intish(p.key, v)
	case "delay":
		t.Delay, err = f.intish(p.key, v)
	case "loop":
		err = f.loop(t, v)
	case "loop_control":
		t.LoopControl, err = f.loopControl(v)
	case "changed_when":
		t.ChangedWhen, err = f.condList(p.key, v)
	case "failed_when":
		t.FailedWhen, err = f.condList(p.key, v)
	case "listen":
		t.Listen, err = f.stringList(p.key, v, false)
	default:
		err = f.commonKeyword(t, p)
	}
	return err
}

// commonKeyword sets a keyword that tasks and blocks share.
func (f *file) commonKeyword(t *Task, p pair) error {
	var err error
	v := p.v
	switch p.key {
	case "name":
		t.Name, err = f.stringOf(p.key, v, true)
	case "when":
		t.When, err = f.condList(p.key, v)
	case "vars":
		owner := "Task"
		if t.Module == "" {
			owner = "Block"
		}
		t.Vars, err = f.varsMap(owner, v)
	case "environment":
		t.Environment, err = f.envMap(v)
	case "become":
		t.Become, err = f.boolPtr(p.key, v)
	case "become_user":
		t.BecomeUser, err = f.stringOf(p.key, v, true)
	case "become_method":
		t.BecomeMethod, err = f.stringOf(p.key, v, true)
	case "become_exe":
		t.BecomeExe, err = f.stringOf(p.key, v, true)
	case "become_flags":
		t.BecomeFlags, err = f.stringOf(p.key, v, true)
	case "ignore_errors":
		t.IgnoreErrors, err = f.boolish(p.key, v)
	case "ignore_unreachable":
		t.IgnoreUnreachable, err = f.boolish(p.key, v)
	case "no_log":
		t.NoLog, err = f.boolish(p.key, v)
	case "any_errors_fatal":
		t.AnyErrorsFatal, err = f.boolish(p.key, v)
	case "check_mode":
		t.CheckMode, err = f.boolish(p.key, v)
	case "diff":
		t.Diff, err = f.boolish(p.key, v)
	case "connection":
		t.Connection, err = f.stringOf(p.key, v, true)
	case "delegate_facts":
		t.DelegateFacts, err = f.boolish(p.key, v)
	case "delegate_to":
		if t.DelegateTo == "" { // local_action wins, as in Ansible
			t.DelegateTo, err = f.stringOf(p.key, v, true)
		}
	case "notify":
		t.Notify, err = f.stringList(p.key, v, false)
	case "port":
		t.Port, err = f.intish(p.key, v)
	case "remote_user":
		t.RemoteUser, err = f.stringOf(p.key, v, true)
	case "run_once":
		t.RunOnce, err = f.boolish(p.key, v)
	case "tags":
		t.Tags, err = f.stringList(p.key, v, true)
	case "throttle":
		t.Throttle, err = f.intish(p.key, v)
	case "timeout":
		t.Timeout, err = f.intish(p.key, v)
	case "collections", "debugger", "module_defaults":
		// accepted and ignored
	}
	return err
}

// block parses a task that has block, rescue or always.
func (f *file) block(n *yaml.Node, ps []pair, handler bool) (*Task, error) {
	t := &Task{Pos: f.pos(n)}
	for _, p := range ps {
		var err error
		switch {
		case p.key == "block":
			t.Block, err = f.taskList(p.key, p.v, handler)
		case p.key == "rescue":
			t.Rescue, err = f.taskList(p.key, p.v, handler)
		case p.key == "always":
			t.Always, err = f.taskList(p.key, p.v, handler)
		case commonKeywords[p.key]:
			err = f.commonKeyword(t, p)
		default:
			err = errorf(f.pos(p.k), ErrUnknownKeyword, "'%s' is not a valid attribute for a Block", p.key)
		}
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}

// importTasks inlines the tasks of an import_tasks, applying the import's
// keywords to each of them.
func (f *file) importTasks(imp *Task, handler bool) ([]*Task, error) {
	if imp.LoopKind != "" {
		return nil, errorf(imp.Pos, ErrInvalid, "You cannot use loops on 'import_tasks' statements. You should use 'include_tasks' instead.")
	}
	return f.inline(imp, taskFileName(imp), "import_tasks", handler)
}

// taskFileName is the file an import_tasks, include_tasks or include names.
func taskFileName(t *Task) string {
	name, _ := t.Args["_raw_params"].(string)
	if name == "" {
		name, _ = t.Args["file"].(string)
	}
	return strings.TrimSpace(name)
}

// include is the old task-level include as ansible-core 2.14 loads it
// (load_list_of_tasks, TaskInclude.get_vars): its arguments besides the
// file name are variables of the included tasks, under its vars keyword;
// it is static, its file's tasks inlined as import_tasks does, unless the
// file name is a template, it has a loop, or it is in a file an
// include_tasks loads at run time (a role's tasks are loaded with no
// parent, even by include_role, so an include there is static), where it
// is an include_tasks named by its action ("include").
func (f *file) include(t *Task, handler bool) ([]*Task, error) {
	name := taskFileName(t)
	params := map[string]any{}
	for k, v := range t.Args {
		if k != "_raw_params" && k != "file" && k != "tags" && k != "when" {
			params[k] = v
		}
	}
	if len(params) > 0 {
		t.Vars = mergeMaps(params, t.Vars)
	}
	if isTemplate(name) || t.LoopKind != "" || f.l.dynamic {
		// The arguments stay too: the include's result shows them
		// (include_args).
		return []*Task{t}, nil
	}
	return f.inline(t, name, "include", handler)
}

// inline loads the task file name of the static import imp (an
// import_tasks or a static include) and applies imp's keywords to each of
// its tasks.
func (f *file) inline(imp *Task, name, what string, handler bool) ([]*Task, error) {
	path, err := f.importPath(&yaml.Node{Line: imp.Pos.Line, Column: imp.Pos.Col}, name, what)
	if err != nil {
		return nil, err
	}
	tasks, err := f.l.taskFile(path, imp.Pos, handler)
	if err != nil {
		return nil, err
	}
	for _, t := range tasks {
		inherit(t, imp)
	}
	return tasks, nil
}

// inherit applies the keywords of a static import to one imported task:
// conditions are prepended, vars and environment merged under the task's
// own, tags united, and other keywords set where the task has none.
func inherit(t, imp *Task) {
	if len(imp.When) > 0 {
		t.When = append(append([]any(nil), imp.When...), t.When...)
	}
	if len(imp.Vars) > 0 {
		t.Vars = mergeMaps(imp.Vars, t.Vars)
	}
	if len(imp.Environment) > 0 {
		t.Environment = mergeMaps(imp.Environment, t.Environment)
	}
	t.Tags = union(imp.Tags, t.Tags)
	if t.Become == nil {
		t.Become = imp.Become
	}
	for _, s := range []struct{ dst, src *string }{
		{&t.BecomeUser, &imp.BecomeUser}, {&t.BecomeMethod, &imp.BecomeMethod}, {&t.BecomeExe, &imp.BecomeExe},
		{&t.BecomeFlags, &imp.BecomeFlags}, {&t.DelegateTo, &imp.DelegateTo}, {&t.Connection, &imp.Connection},
		{&t.RemoteUser, &imp.RemoteUser},
	} {
		if *s.dst == "" {
			*s.dst = *s.src
		}
	}
	for _, a := range []struct{ dst, src *any }{
		{&t.IgnoreErrors, &imp.IgnoreErrors}, {&t.IgnoreUnreachable, &imp.IgnoreUnreachable}, {&t.NoLog, &imp.NoLog},
		{&t.RunOnce, &imp.RunOnce}, {&t.CheckMode, &imp.CheckMode}, {&t.Diff, &imp.Diff}, {&t.Throttle, &imp.Throttle},
		{&t.Timeout, &imp.Timeout}, {&t.AnyErrorsFatal, &imp.AnyErrorsFatal}, {&t.DelegateFacts, &imp.DelegateFacts},
		{&t.Port, &imp.Port},
	} {
		if *a.dst == nil {
			*a.dst = *a.src
		}
	}
}
