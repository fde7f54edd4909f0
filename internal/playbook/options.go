package playbook

// Options are the callbacks a load uses to validate what it reads. The zero
// value accepts every module name and every template.
type Options struct {
	// Module resolves a module name (short, "ansible.builtin.x" or
	// "ansible.legacy.x") to its canonical short name; ok=false means an
	// unknown module, which fails the load with ErrUnknownModule. Nil accepts
	// every name and strips the ansible.builtin. and ansible.legacy. prefixes.
	// The task-level builtins (import_tasks, include_tasks, include, meta,
	// import_role, include_role) are recognised without it.
	Module func(name string) (canonical string, ok bool)
	// CheckTemplate, if set, is called on every string value that contains
	// "{{" or "{%" (task args, vars, names, loop, environment, ...), except
	// values tagged !unsafe. A returned error fails the load with ErrTemplate.
	CheckTemplate func(s string) error
	// CheckExpr, if set, is called on every string conditional (the items of
	// when, changed_when, failed_when and until); such strings are not passed
	// to CheckTemplate. A returned error fails the load with ErrTemplate.
	CheckExpr func(expr string) error
	// RolesPath is the configured roles path (Ansible's roles_path,
	// ANSIBLE_ROLES_PATH): directories searched for roles after roles/
	// beside the playbook and before the playbook's directory. Nil searches
	// only those two; DefaultRolesPath is Ansible's default.
	RolesPath []string
	// Template, if set, renders a templated role name (of roles:, a meta
	// dependency or import_role) at load time with the play's vars,
	// vars_files and ExtraVars, as Ansible does; its error fails the load
	// with ErrRole. Nil leaves such names an ErrUnsupported error.
	Template func(s string, vars map[string]any) (any, error)
	// ExtraVars are the command line's extra variables, for Template.
	ExtraVars map[string]any
}
