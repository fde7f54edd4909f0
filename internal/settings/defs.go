package settings

// kind is how a setting's text becomes its value: Ansible's ensure_type.
type kind int

const (
	kindStr      kind = iota // a string, surrounding matching quotes removed
	kindBool                 // Ansible's boolean(): unknown text is false
	kindInt                  // Python's int()
	kindList                 // comma separated, each stripped and unquoted
	kindPath                 // one path, resolved
	kindPathspec             // colon separated paths, resolved
	kindPathlist             // comma separated paths, resolved
	kindTruthy               // untyped string read with Python truthiness
)

// iniKey is a section and key of ansible.cfg.
type iniKey struct{ section, key string }

// def is one typed setting, as base.yml (or the ssh connection plugin's
// documentation) defines it. Sources listed later win, as in Ansible.
type def struct {
	key        string // jetplay's name: the ini key
	name       string // ansible-config dump's name
	plugin     string // "ssh" for an option of the ssh connection plugin
	kind       kind
	ini        []iniKey
	env        []string
	dflt       func(home string) any // nil: None
	choices    []string
	deprecated *Deprecation
	flag       func(*Overrides) (any, bool)
	field      func(*Settings) any // a pointer to the Settings field
}

func defaults(k string) []iniKey { return []iniKey{{"defaults", k}} }
func escalation(k string) []iniKey {
	return []iniKey{{"privilege_escalation", k}}
}
func value(v any) func(string) any { return func(string) any { return v } }
func underHome(suffix string) func(string) any {
	return func(home string) any { return home + suffix }
}

// flagString and friends read one field of Overrides.
func flagString(get func(*Overrides) *string) func(*Overrides) (any, bool) {
	return func(o *Overrides) (any, bool) {
		if p := get(o); p != nil {
			return *p, true
		}
		return nil, false
	}
}

func flagBool(get func(*Overrides) *bool) func(*Overrides) (any, bool) {
	return func(o *Overrides) (any, bool) {
		if p := get(o); p != nil {
			return *p, true
		}
		return nil, false
	}
}

func flagInt(get func(*Overrides) *int) func(*Overrides) (any, bool) {
	return func(o *Overrides) (any, bool) {
		if p := get(o); p != nil {
			return *p, true
		}
		return nil, false
	}
}

// defs are the typed settings, ANSIBLE_HOME first: the path defaults are
// under it.
var defs = []def{
	{key: "home", name: "ANSIBLE_HOME", kind: kindPath, ini: defaults("home"), env: []string{"ANSIBLE_HOME"},
		dflt: value("~/.ansible"), field: func(s *Settings) any { return &s.Home }},
	{key: "inventory", name: "DEFAULT_HOST_LIST", kind: kindPathlist, ini: defaults("inventory"), env: []string{"ANSIBLE_INVENTORY"},
		dflt: value("/etc/ansible/hosts"), field: func(s *Settings) any { return &s.Inventory },
		flag: func(o *Overrides) (any, bool) { return o.Inventory, o.Inventory != nil }},
	{key: "roles_path", name: "DEFAULT_ROLES_PATH", kind: kindPathspec, ini: defaults("roles_path"), env: []string{"ANSIBLE_ROLES_PATH"},
		dflt: underHome("/roles:/usr/share/ansible/roles:/etc/ansible/roles"), field: func(s *Settings) any { return &s.RolesPath }},
	{key: "collections_paths", name: "COLLECTIONS_PATHS", kind: kindPathspec,
		ini:  []iniKey{{"defaults", "collections_paths"}, {"defaults", "collections_path"}},
		env:  []string{"ANSIBLE_COLLECTIONS_PATHS", "ANSIBLE_COLLECTIONS_PATH"},
		dflt: underHome("/collections:/usr/share/ansible/collections"), field: func(s *Settings) any { return &s.CollectionsPaths }},
	{key: "library", name: "DEFAULT_MODULE_PATH", kind: kindPathspec, ini: defaults("library"), env: []string{"ANSIBLE_LIBRARY"},
		dflt: underHome("/plugins/modules:/usr/share/ansible/plugins/modules"), field: func(s *Settings) any { return &s.Library }},
	{key: "module_utils", name: "DEFAULT_MODULE_UTILS_PATH", kind: kindPathspec, ini: defaults("module_utils"), env: []string{"ANSIBLE_MODULE_UTILS"},
		dflt: underHome("/plugins/module_utils:/usr/share/ansible/plugins/module_utils"), field: func(s *Settings) any { return &s.ModuleUtils }},
	{key: "remote_user", name: "DEFAULT_REMOTE_USER", kind: kindStr, ini: defaults("remote_user"), env: []string{"ANSIBLE_REMOTE_USER"},
		field: func(s *Settings) any { return &s.RemoteUser }, flag: flagString(func(o *Overrides) *string { return o.RemoteUser })},
	{key: "private_key_file", name: "DEFAULT_PRIVATE_KEY_FILE", kind: kindPath, ini: defaults("private_key_file"), env: []string{"ANSIBLE_PRIVATE_KEY_FILE"},
		field: func(s *Settings) any { return &s.PrivateKeyFile }, flag: flagString(func(o *Overrides) *string { return o.PrivateKeyFile })},
	{key: "host_key_checking", name: "host_key_checking", plugin: "ssh", kind: kindBool,
		ini:  []iniKey{{"defaults", "host_key_checking"}, {"ssh_connection", "host_key_checking"}},
		env:  []string{"ANSIBLE_HOST_KEY_CHECKING", "ANSIBLE_SSH_HOST_KEY_CHECKING"},
		dflt: value(true), field: func(s *Settings) any { return &s.HostKeyChecking }},
	{key: "forks", name: "DEFAULT_FORKS", kind: kindInt, ini: defaults("forks"), env: []string{"ANSIBLE_FORKS"},
		dflt: value(5), field: func(s *Settings) any { return &s.Forks }, flag: flagInt(func(o *Overrides) *int { return o.Forks })},
	{key: "timeout", name: "timeout", plugin: "ssh", kind: kindInt,
		ini:  []iniKey{{"defaults", "timeout"}, {"ssh_connection", "timeout"}},
		env:  []string{"ANSIBLE_TIMEOUT", "ANSIBLE_SSH_TIMEOUT"},
		dflt: value(10), field: func(s *Settings) any { return &s.Timeout }, flag: flagInt(func(o *Overrides) *int { return o.Timeout })},
	{key: "become", name: "DEFAULT_BECOME", kind: kindBool, ini: escalation("become"), env: []string{"ANSIBLE_BECOME"},
		dflt: value(false), field: func(s *Settings) any { return &s.Become }, flag: flagBool(func(o *Overrides) *bool { return o.Become })},
	{key: "become_method", name: "DEFAULT_BECOME_METHOD", kind: kindStr, ini: escalation("become_method"), env: []string{"ANSIBLE_BECOME_METHOD"},
		dflt: value("sudo"), field: func(s *Settings) any { return &s.BecomeMethod }, flag: flagString(func(o *Overrides) *string { return o.BecomeMethod })},
	{key: "become_user", name: "DEFAULT_BECOME_USER", kind: kindStr, ini: escalation("become_user"), env: []string{"ANSIBLE_BECOME_USER"},
		dflt: value("root"), field: func(s *Settings) any { return &s.BecomeUser }, flag: flagString(func(o *Overrides) *string { return o.BecomeUser })},
	{key: "become_ask_pass", name: "DEFAULT_BECOME_ASK_PASS", kind: kindBool, ini: escalation("become_ask_pass"), env: []string{"ANSIBLE_BECOME_ASK_PASS"},
		dflt: value(false), field: func(s *Settings) any { return &s.BecomeAskPass }, flag: flagBool(func(o *Overrides) *bool { return o.BecomeAskPass })},
	{key: "ask_pass", name: "DEFAULT_ASK_PASS", kind: kindBool, ini: defaults("ask_pass"), env: []string{"ANSIBLE_ASK_PASS"},
		dflt: value(false), field: func(s *Settings) any { return &s.AskPass }, flag: flagBool(func(o *Overrides) *bool { return o.AskPass })},
	{key: "gathering", name: "DEFAULT_GATHERING", kind: kindStr, ini: defaults("gathering"), env: []string{"ANSIBLE_GATHERING"},
		dflt: value("implicit"), choices: []string{"implicit", "explicit", "smart"}, field: func(s *Settings) any { return &s.Gathering }},
	{key: "gather_subset", name: "DEFAULT_GATHER_SUBSET", kind: kindList, ini: defaults("gather_subset"), env: []string{"ANSIBLE_GATHER_SUBSET"},
		deprecated: &Deprecation{
			Msg: "DEFAULT_GATHER_SUBSET option, the module_defaults keyword is a more generic version and can apply to all calls to the " +
				"M(ansible.builtin.gather_facts) or M(ansible.builtin.setup) actions, use module_defaults instead",
			Version: "2.18",
		},
		field: func(s *Settings) any { return &s.GatherSubset }},
	{key: "interpreter_python", name: "INTERPRETER_PYTHON", kind: kindStr, ini: defaults("interpreter_python"), env: []string{"ANSIBLE_PYTHON_INTERPRETER"},
		dflt: value("auto"), field: func(s *Settings) any { return &s.InterpreterPython }},
	{key: "ansible_managed", name: "DEFAULT_MANAGED_STR", kind: kindStr, ini: defaults("ansible_managed"),
		dflt: value("Ansible managed"), field: func(s *Settings) any { return &s.AnsibleManaged }},
	{key: "vault_password_file", name: "DEFAULT_VAULT_PASSWORD_FILE", kind: kindPath, ini: defaults("vault_password_file"), env: []string{"ANSIBLE_VAULT_PASSWORD_FILE"},
		field: func(s *Settings) any { return &s.VaultPasswordFile }},
	{key: "vault_identity", name: "DEFAULT_VAULT_IDENTITY", kind: kindStr, ini: defaults("vault_identity"), env: []string{"ANSIBLE_VAULT_IDENTITY"},
		dflt: value("default"), field: func(s *Settings) any { return &s.VaultIdentity }},
	{key: "vault_identity_list", name: "DEFAULT_VAULT_IDENTITY_LIST", kind: kindList, ini: defaults("vault_identity_list"), env: []string{"ANSIBLE_VAULT_IDENTITY_LIST"},
		dflt: value([]string{}), field: func(s *Settings) any { return &s.VaultIdentityList }},
	{key: "vault_id_match", name: "DEFAULT_VAULT_ID_MATCH", kind: kindTruthy, ini: defaults("vault_id_match"), env: []string{"ANSIBLE_VAULT_ID_MATCH"},
		dflt: value(false), field: func(s *Settings) any { return &s.VaultIDMatch }},
	{key: "ask_vault_pass", name: "DEFAULT_ASK_VAULT_PASS", kind: kindBool, ini: defaults("ask_vault_pass"), env: []string{"ANSIBLE_ASK_VAULT_PASS"},
		dflt: value(false), field: func(s *Settings) any { return &s.AskVaultPass }, flag: flagBool(func(o *Overrides) *bool { return o.AskVaultPass })},
	{key: "retry_files_enabled", name: "RETRY_FILES_ENABLED", kind: kindBool, ini: defaults("retry_files_enabled"), env: []string{"ANSIBLE_RETRY_FILES_ENABLED"},
		dflt: value(false), field: func(s *Settings) any { return &s.RetryFilesEnabled }},
	{key: "stdout_callback", name: "DEFAULT_STDOUT_CALLBACK", kind: kindStr, ini: defaults("stdout_callback"), env: []string{"ANSIBLE_STDOUT_CALLBACK"},
		dflt: value("default"), field: func(s *Settings) any { return &s.StdoutCallback }},
	{key: "ssh_args", name: "ssh_args", plugin: "ssh", kind: kindStr, ini: []iniKey{{"ssh_connection", "ssh_args"}}, env: []string{"ANSIBLE_SSH_ARGS"},
		dflt: value("-C -o ControlMaster=auto -o ControlPersist=60s"), field: func(s *Settings) any { return &s.SSHArgs }},
	{key: "pipelining", name: "pipelining", plugin: "ssh", kind: kindBool,
		ini:  []iniKey{{"defaults", "pipelining"}, {"connection", "pipelining"}, {"ssh_connection", "pipelining"}},
		env:  []string{"ANSIBLE_PIPELINING", "ANSIBLE_SSH_PIPELINING"},
		dflt: value(false), field: func(s *Settings) any { return &s.Pipelining }},
}
