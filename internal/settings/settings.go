package settings

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// SystemConfig is the system-wide configuration file, the last place
// Load looks.
const SystemConfig = "/etc/ansible/ansible.cfg"

// Settings is the configuration in effect: every typed setting with its
// value and where it came from, the file's other keys, and what Ansible
// would warn about while reading them.
type Settings struct {
	// ConfigFile is the ansible.cfg read, "" when none was found.
	ConfigFile string

	// Home is ANSIBLE_HOME ([defaults] home), default ~/.ansible; the
	// path defaults below are under it.
	Home string
	// Inventory is the inventory sources ([defaults] inventory,
	// ANSIBLE_INVENTORY, -i), default /etc/ansible/hosts.
	Inventory []string
	// RolesPath ([defaults] roles_path, ANSIBLE_ROLES_PATH), default
	// Home/roles, /usr/share/ansible/roles, /etc/ansible/roles.
	RolesPath []string
	// CollectionsPaths ([defaults] collections_paths or collections_path,
	// ANSIBLE_COLLECTIONS_PATHS or ANSIBLE_COLLECTIONS_PATH, the latter
	// winning), default Home/collections, /usr/share/ansible/collections.
	CollectionsPaths []string
	// Library is the module path ([defaults] library, ANSIBLE_LIBRARY),
	// default Home/plugins/modules, /usr/share/ansible/plugins/modules.
	Library []string
	// ModuleUtils ([defaults] module_utils, ANSIBLE_MODULE_UTILS), default
	// Home/plugins/module_utils, /usr/share/ansible/plugins/module_utils.
	ModuleUtils []string
	// RemoteUser ([defaults] remote_user, ANSIBLE_REMOTE_USER, -u), ""
	// when unset (the connection's own user).
	RemoteUser string
	// PrivateKeyFile ([defaults] private_key_file,
	// ANSIBLE_PRIVATE_KEY_FILE, --private-key), "" when unset.
	PrivateKeyFile string
	// HostKeyChecking, as the ssh connection plugin reads it ([defaults]
	// or [ssh_connection] host_key_checking, ANSIBLE_HOST_KEY_CHECKING or
	// ANSIBLE_SSH_HOST_KEY_CHECKING), default true.
	HostKeyChecking bool
	// Forks ([defaults] forks, ANSIBLE_FORKS, -f), default 5.
	Forks int
	// Timeout is the connection timeout in seconds, as the ssh connection
	// plugin reads it ([defaults] or [ssh_connection] timeout,
	// ANSIBLE_TIMEOUT or ANSIBLE_SSH_TIMEOUT, -T), default 10.
	Timeout int
	// Become ([privilege_escalation] become, ANSIBLE_BECOME, -b), default
	// false.
	Become bool
	// BecomeMethod ([privilege_escalation] become_method,
	// ANSIBLE_BECOME_METHOD, --become-method), default "sudo".
	BecomeMethod string
	// BecomeUser ([privilege_escalation] become_user, ANSIBLE_BECOME_USER,
	// --become-user), default "root".
	BecomeUser string
	// BecomeAskPass ([privilege_escalation] become_ask_pass,
	// ANSIBLE_BECOME_ASK_PASS, -K), default false.
	BecomeAskPass bool
	// AskPass ([defaults] ask_pass, ANSIBLE_ASK_PASS, -k), default false.
	AskPass bool
	// Gathering ([defaults] gathering, ANSIBLE_GATHERING): implicit
	// (default), explicit or smart.
	Gathering string
	// GatherSubset ([defaults] gather_subset, ANSIBLE_GATHER_SUBSET), nil
	// when unset; deprecated in Ansible 2.14.
	GatherSubset []string
	// InterpreterPython ([defaults] interpreter_python,
	// ANSIBLE_PYTHON_INTERPRETER), default "auto".
	InterpreterPython string
	// AnsibleManaged is the ansible_managed template text ([defaults]
	// ansible_managed; there is no variable), default "Ansible managed".
	AnsibleManaged string
	// VaultPasswordFile ([defaults] vault_password_file,
	// ANSIBLE_VAULT_PASSWORD_FILE), "" when unset.
	VaultPasswordFile string
	// VaultIdentity is the label of a vault password given without one
	// ([defaults] vault_identity, ANSIBLE_VAULT_IDENTITY), default
	// "default".
	VaultIdentity string
	// VaultIdentityList are vault id slugs loaded before the command
	// line's ([defaults] vault_identity_list, ANSIBLE_VAULT_IDENTITY_LIST).
	VaultIdentityList []string
	// VaultIDMatch ([defaults] vault_id_match, ANSIBLE_VAULT_ID_MATCH):
	// Ansible gives it no type, so any non-empty text, "False" too, turns
	// it on. Default false.
	VaultIDMatch bool
	// AskVaultPass ([defaults] ask_vault_pass, ANSIBLE_ASK_VAULT_PASS, -J),
	// default false.
	AskVaultPass bool
	// RetryFilesEnabled ([defaults] retry_files_enabled,
	// ANSIBLE_RETRY_FILES_ENABLED), default false.
	RetryFilesEnabled bool
	// StdoutCallback ([defaults] stdout_callback, ANSIBLE_STDOUT_CALLBACK),
	// default "default".
	StdoutCallback string
	// SSHArgs, an option of the ssh connection plugin ([ssh_connection]
	// ssh_args, ANSIBLE_SSH_ARGS), default "-C -o ControlMaster=auto -o
	// ControlPersist=60s".
	SSHArgs string
	// Pipelining, as the ssh connection plugin reads it ([defaults],
	// [connection] or [ssh_connection] pipelining, ANSIBLE_PIPELINING or
	// ANSIBLE_SSH_PIPELINING), default false.
	Pipelining bool

	// Warnings are Ansible's warnings about the configuration, such as an
	// ansible.cfg ignored in a world-writable directory.
	Warnings []string
	// Deprecations are the deprecated settings that were set.
	Deprecations []Deprecation

	entries []Entry // the typed settings, in defs order
	others  []Entry // the file's keys no typed setting reads
}

// Deprecation is a deprecated setting that was set, as Ansible reports it.
type Deprecation struct {
	// Msg is Ansible's message, such as "DEFAULT_GATHER_SUBSET option,
	// ..., use module_defaults instead".
	Msg string
	// Version is the ansible-core version that removes it.
	Version string
}

// Source is where a setting's value came from.
type Source int

// The sources, in rising precedence.
const (
	FromDefault Source = iota
	FromFile
	FromEnv
	FromFlag
)

// Origin says where a value came from: the file's path, the environment
// variable's name or the setting's key for a flag.
type Origin struct {
	Source Source
	Name   string
}

// String prints the origin as ansible-config dump does: "default", the
// file's path, "env: ANSIBLE_FORKS"; a flag is "cli: forks".
func (o Origin) String() string {
	switch o.Source {
	case FromFile:
		return o.Name
	case FromEnv:
		return "env: " + o.Name
	case FromFlag:
		return "cli: " + o.Name
	}
	return "default"
}

// Entry is one setting as Dump lists it.
type Entry struct {
	// Key is jetplay's name for a typed setting (its ini key, such as
	// "forks"), or the ini key of a key jetplay does not use.
	Key string
	// Name is ansible-config's name (DEFAULT_FORKS; for an option of the
	// ssh connection plugin, the option's name); "" for a key jetplay does
	// not use.
	Name string
	// Plugin is "ssh" for an option of the ssh connection plugin
	// (ansible-config dump -t connection), "" otherwise.
	Plugin string
	// Section is the ini section of a key jetplay does not use.
	Section string
	// Value is nil (Ansible's None), a bool, an int, a string or a
	// []string; the raw text for a key jetplay does not use.
	Value any
	// Origin is where the value came from.
	Origin Origin
}

// Changed reports whether the value is not the default, as ansible-config
// dump --only-changed lists it.
func (e Entry) Changed() bool { return e.Origin.Source != FromDefault }

// Overrides are the command line's values, which win over the environment
// and the file. A nil field was not given. Values are used as given, not
// converted: Ansible's command line resolves --private-key itself
// (Resolver.Path does it the same way) and -i values that name files.
type Overrides struct {
	// Inventory is -i, each value as given (a path or a host list).
	Inventory []string
	// RemoteUser is -u.
	RemoteUser *string
	// PrivateKeyFile is --private-key.
	PrivateKeyFile *string
	// Forks is -f.
	Forks *int
	// Timeout is -T.
	Timeout *int
	// Become is -b.
	Become *bool
	// BecomeMethod is --become-method.
	BecomeMethod *string
	// BecomeUser is --become-user.
	BecomeUser *string
	// BecomeAskPass is -K.
	BecomeAskPass *bool
	// AskPass is -k.
	AskPass *bool
	// AskVaultPass is -J.
	AskVaultPass *bool
}

// Lookup returns the typed setting key (such as "forks") as Dump lists it.
func (s *Settings) Lookup(key string) (Entry, bool) {
	for _, e := range s.entries {
		if e.Key == key {
			return e, true
		}
	}
	return Entry{}, false
}

// Dump lists every setting: CONFIG_FILE, the typed settings in a fixed
// order, then each key of the file that no typed setting reads (accepted,
// not an error), in file order, [DEFAULT] first.
func (s *Settings) Dump() []Entry {
	cfg := Entry{Key: "config_file", Name: "CONFIG_FILE", Origin: Origin{Source: FromDefault}}
	if s.ConfigFile != "" {
		cfg.Value = s.ConfigFile
	}
	out := append([]Entry{cfg}, s.entries...)
	return append(out, s.others...)
}

// Load computes the settings as Ansible's configuration manager does,
// from env (the environment variables), cwd (the absolute working
// directory), home (the user's home directory, $HOME) and the command
// line's flags, reading nothing else from the process. The file is the
// first of $ANSIBLE_CONFIG (a file, or a directory holding ansible.cfg),
// ./ansible.cfg (skipped, with a warning, when cwd is world-writable),
// ~/.ansible.cfg and /etc/ansible/ansible.cfg that exists and can be read.
// Each setting takes the first of: a flag, its environment variables (the
// last one set wins), its file keys (the last one present wins), its
// default. Errors: ErrConfigFile (an unreadable or malformed file, an
// extension other than .cfg or .ini), ErrInvalid (a value of the wrong type
// or not among the choices).
func Load(env map[string]string, cwd, home string, flags Overrides) (*Settings, error) {
	return load(env, cwd, home, flags, SystemConfig)
}

// load is Load with the system file's path.
func load(env map[string]string, cwd, home string, flags Overrides, system string) (*Settings, error) {
	r := Resolver{Env: env, Cwd: cwd, Home: home}
	s := &Settings{}
	s.ConfigFile, s.Warnings = findConfig(r, system)
	var file *iniFile
	if s.ConfigFile != "" {
		var err error
		if file, err = readConfig(s.ConfigFile); err != nil {
			return nil, err
		}
	}
	for _, d := range defs {
		e, err := s.resolve(d, r, file, flags)
		if err != nil {
			return nil, err
		}
		s.entries = append(s.entries, e)
	}
	if file != nil {
		s.others = otherKeys(file, s.ConfigFile)
	}
	return s, nil
}

// findConfig returns the configuration file Ansible's find_ini_config_file
// picks, and its warning.
func findConfig(r Resolver, system string) (string, []string) {
	var candidates []string
	fromEnv := ""
	if v, ok := r.Env["ANSIBLE_CONFIG"]; ok {
		fromEnv = r.Path(v, "")
		if st, err := os.Stat(fromEnv); err == nil && st.IsDir() {
			fromEnv = filepath.Join(fromEnv, "ansible.cfg")
		}
		candidates = append(candidates, fromEnv)
	}
	publicCwd := false
	if st, err := os.Stat(r.Cwd); err == nil {
		cwdCfg := filepath.Join(r.Cwd, "ansible.cfg")
		if st.Mode().Perm()&0o002 != 0 {
			_, err := os.Stat(cwdCfg)
			publicCwd = err == nil
		} else {
			candidates = append(candidates, cwdCfg)
		}
	}
	candidates = append(candidates, r.Path("~/.ansible.cfg", ""), system)
	found := ""
	for _, c := range candidates {
		if readable(c) {
			found = c
			break
		}
	}
	var warnings []string
	if publicCwd && (fromEnv == "" || found != fromEnv) {
		warnings = append(warnings, "Ansible is being run in a world writable directory ("+r.Cwd+"),"+
			" ignoring it as an ansible.cfg source. For more information see"+
			" https://docs.ansible.com/ansible/devel/reference_appendices/config.html#cfg-in-world-writable-dir")
	}
	return found, warnings
}

// readable reports whether path exists and can be opened for reading.
func readable(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	_ = f.Close()
	return true
}

// readConfig reads and parses the configuration file path.
func readConfig(path string) (*iniFile, error) {
	switch ext := filepath.Ext(path); ext {
	case ".cfg", ".ini":
	case ".yaml", ".yml":
		return nil, &ansibleError{msg: "Unsupported configuration file type: yaml", kind: ErrConfigFile}
	default:
		return nil, &ansibleError{msg: "Unsupported configuration file extension for " + path + ": " + ext, kind: ErrConfigFile}
	}
	data, err := os.ReadFile(path)
	if err == nil {
		var f *iniFile
		if f, err = parseINI(string(data)); err == nil {
			return f, nil
		}
	}
	return nil, &ansibleError{msg: "Error reading config file (" + path + "): " + err.Error(), kind: ErrConfigFile, cause: err}
}

// resolve computes one setting and stores it in its Settings field.
func (s *Settings) resolve(d def, r Resolver, file *iniFile, flags Overrides) (Entry, error) {
	e := Entry{Key: d.key, Name: d.name, Plugin: d.plugin}
	var raw any
	found := false
	if d.flag != nil {
		if raw, found = d.flag(&flags); found {
			e.Origin = Origin{Source: FromFlag, Name: d.key}
		}
	}
	if !found {
		for _, name := range d.env {
			if v, ok := r.Env[name]; ok {
				raw, found, e.Origin = v, true, Origin{Source: FromEnv, Name: name}
			}
		}
	}
	if !found && file != nil {
		for _, k := range d.ini {
			if v, ok := file.get(k.section, k.key); ok {
				raw, found, e.Origin = v, true, Origin{Source: FromFile, Name: s.ConfigFile}
			}
		}
	}
	if !found && d.dflt != nil {
		raw = d.dflt(s.Home)
	}
	base := ""
	if e.Origin.Source == FromFile {
		base = filepath.Dir(s.ConfigFile)
	}
	v, err := raw, error(nil)
	if e.Origin.Source != FromFlag { // flags come typed and as given
		v, err = convert(d.kind, raw, r, base)
	}
	if err != nil {
		if e.Origin.Source == FromEnv && raw == "" {
			e.Origin = Origin{}
			raw = nil
			if d.dflt != nil {
				raw = d.dflt(s.Home)
			}
			v, err = convert(d.kind, raw, r, "")
		}
		if err != nil {
			return Entry{}, &ansibleError{msg: fmt.Sprintf("Invalid type for configuration option %s (from %s): %v",
				d.entryName(), e.Origin, err), kind: ErrInvalid}
		}
	}
	if str, ok := v.(string); ok && d.choices != nil && !slices.Contains(d.choices, str) {
		return Entry{}, &ansibleError{msg: fmt.Sprintf(`Invalid value "%s" for configuration option "%s ", valid values are: %s`,
			str, d.entryName(), strings.Join(d.choices, ", ")), kind: ErrInvalid}
	}
	if d.deprecated != nil && e.Origin.Source != FromDefault {
		s.Deprecations = append(s.Deprecations, *d.deprecated)
	}
	e.Value = v
	store(d.field(s), v)
	return e, nil
}

// entryName names the setting as Ansible's _get_entry does, stripped.
func (d def) entryName() string {
	if d.plugin != "" {
		return "plugin_type: connection plugin: " + d.plugin + " setting: " + d.name
	}
	return "setting: " + d.name
}

// store sets the field p points to from v (nil leaves the zero value).
func store(p any, v any) {
	switch p := p.(type) {
	case *string:
		if s, ok := v.(string); ok {
			*p = s
		}
	case *[]string:
		if l, ok := v.([]string); ok {
			*p = l
		}
	case *int:
		if n, ok := v.(int); ok {
			*p = n
		}
	case *bool:
		switch v := v.(type) {
		case bool:
			*p = v
		case string:
			*p = v != "" // Python truthiness of an untyped value
		}
	}
}

// convert is Ansible's ensure_type for the kinds used here; base is the
// directory relative paths are under ("" for cwd). A nil raw stays nil.
func convert(k kind, raw any, r Resolver, base string) (any, error) {
	if raw == nil {
		return nil, nil
	}
	text, isText := raw.(string)
	switch k {
	case kindBool:
		if isText {
			return boolean(text), nil
		}
	case kindInt:
		if isText {
			return pyInt(text)
		}
	case kindList:
		if isText {
			parts := strings.Split(text, ",")
			for i, p := range parts {
				parts[i] = unquote(pyStrip(p))
			}
			return parts, nil
		}
	case kindPath:
		if isText {
			return r.Path(text, base), nil
		}
	case kindPathspec, kindPathlist:
		var parts []string
		switch {
		case isText && k == kindPathspec:
			parts = strings.Split(text, string(os.PathListSeparator))
		case isText:
			parts = strings.Split(text, ",")
			for i, p := range parts {
				parts[i] = pyStrip(p)
			}
		default:
			parts, _ = raw.([]string)
		}
		out := make([]string, len(parts))
		for i, p := range parts {
			out[i] = r.Path(p, base)
		}
		return out, nil
	case kindStr, kindTruthy:
		if isText {
			return unquote(text), nil
		}
	}
	return raw, nil
}

// boolean is Ansible's boolean(value, strict=False).
func boolean(s string) bool {
	switch strings.ToLower(pyStrip(s)) {
	case "y", "yes", "on", "1", "true", "t":
		return true
	}
	return false
}

// errIntLiteral is Python's int() error for text.
func errIntLiteral(s string) error {
	return errors.New("invalid literal for int() with base 10: " + pyRepr(s))
}

// pyInt is Python's int(text): surrounding white space, a sign, and
// underscores between digits.
func pyInt(s string) (int, error) {
	t := pyStrip(s)
	digits := strings.TrimLeft(t, "+-")
	if len(t)-len(digits) > 1 || digits == "" || digits[0] == '_' || digits[len(digits)-1] == '_' || strings.Contains(digits, "__") {
		return 0, errIntLiteral(s)
	}
	n, err := strconv.ParseInt(t[:len(t)-len(digits)]+strings.ReplaceAll(digits, "_", ""), 10, 0)
	if err != nil {
		return 0, errIntLiteral(s)
	}
	return int(n), nil
}

// unquote removes one pair of matching surrounding quotes, as Ansible's
// unquote: not when the closing quote is escaped.
func unquote(s string) string {
	if len(s) > 1 && s[0] == s[len(s)-1] && (s[0] == '"' || s[0] == '\'') && s[len(s)-2] != '\\' {
		return s[1 : len(s)-1]
	}
	return s
}

// otherKeys lists the file's keys that no typed setting reads.
func otherKeys(f *iniFile, path string) []Entry {
	known := map[iniKey]bool{}
	for _, d := range defs {
		for _, k := range d.ini {
			known[k] = true
		}
	}
	var out []Entry
	for _, sec := range append([]*iniSection{f.defaults}, f.sections...) {
		for _, k := range sec.keys {
			if known[iniKey{sec.name, k}] {
				continue
			}
			v, _ := sec.value(k)
			out = append(out, Entry{Key: k, Section: sec.name, Value: v, Origin: Origin{Source: FromFile, Name: path}})
		}
	}
	return out
}
