package settings

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// setup writes files (relative to a temp root; "" content makes a
// directory) and returns the root.
func setup(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, name)
		if content == "" {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func ptr[T any](v T) *T { return &v }

func TestLoadPrecedence(t *testing.T) {
	t.Parallel()
	root := setup(t, map[string]string{
		"cwd/ansible.cfg": "[defaults]\nforks = 7\nremote_user = fileuser\ninventory = inv/hosts\n" +
			"[privilege_escalation]\nbecome = yes\n",
		"home/": "",
	})
	cwd, home := root+"/cwd", root+"/home"
	tests := []struct {
		name       string
		env        map[string]string
		flags      Overrides
		key        string
		want       any
		wantOrigin string
	}{
		{name: "default", key: "timeout", want: 10, wantOrigin: "default"},
		{name: "file", key: "forks", want: 7, wantOrigin: cwd + "/ansible.cfg"},
		{name: "file path under its directory", key: "inventory", want: []string{cwd + "/inv/hosts"}, wantOrigin: cwd + "/ansible.cfg"},
		{name: "env over file", env: map[string]string{"ANSIBLE_FORKS": "9"}, key: "forks", want: 9, wantOrigin: "env: ANSIBLE_FORKS"},
		{name: "flag over env", env: map[string]string{"ANSIBLE_FORKS": "9"}, flags: Overrides{Forks: ptr(2)},
			key: "forks", want: 2, wantOrigin: "cli: forks"},
		{name: "flag false over file true", flags: Overrides{Become: ptr(false)}, key: "become", want: false, wantOrigin: "cli: become"},
		{name: "flag inventory as given", flags: Overrides{Inventory: []string{"web1,web2,"}},
			key: "inventory", want: []string{"web1,web2,"}, wantOrigin: "cli: inventory"},
		{name: "flag user", flags: Overrides{RemoteUser: ptr("cli")}, key: "remote_user", want: "cli", wantOrigin: "cli: remote_user"},
		{name: "later env wins", env: map[string]string{"ANSIBLE_TIMEOUT": "1", "ANSIBLE_SSH_TIMEOUT": "2"},
			key: "timeout", want: 2, wantOrigin: "env: ANSIBLE_SSH_TIMEOUT"},
		{name: "empty env int is the default, not the file", env: map[string]string{"ANSIBLE_FORKS": ""},
			key: "forks", want: 5, wantOrigin: "default"},
		{name: "empty env path is cwd", env: map[string]string{"ANSIBLE_PRIVATE_KEY_FILE": ""},
			key: "private_key_file", want: cwd, wantOrigin: "env: ANSIBLE_PRIVATE_KEY_FILE"},
		{name: "ANSIBLE_HOME moves the defaults", env: map[string]string{"ANSIBLE_HOME": "~/h"},
			key: "roles_path", want: []string{home + "/h/roles", "/usr/share/ansible/roles", "/etc/ansible/roles"}, wantOrigin: "default"},
		{name: "env list", env: map[string]string{"ANSIBLE_GATHER_SUBSET": " all , '!facter' "},
			key: "gather_subset", want: []string{"all", "!facter"}, wantOrigin: "env: ANSIBLE_GATHER_SUBSET"},
		{name: "unset is None", key: "remote_user", want: "fileuser", wantOrigin: cwd + "/ansible.cfg"},
		{name: "None", key: "private_key_file", want: nil, wantOrigin: "default"},
		{name: "untyped vault_id_match", env: map[string]string{"ANSIBLE_VAULT_ID_MATCH": "False"},
			key: "vault_id_match", want: "False", wantOrigin: "env: ANSIBLE_VAULT_ID_MATCH"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := load(tc.env, cwd, home, tc.flags, root+"/etc/ansible.cfg")
			if err != nil {
				t.Fatal(err)
			}
			e, ok := s.Lookup(tc.key)
			if !ok {
				t.Fatalf("no setting %s", tc.key)
			}
			if !reflect.DeepEqual(e.Value, tc.want) {
				t.Errorf("value %#v, want %#v", e.Value, tc.want)
			}
			if e.Origin.String() != tc.wantOrigin {
				t.Errorf("origin %q, want %q", e.Origin, tc.wantOrigin)
			}
		})
	}
}

func TestLoadTypedFields(t *testing.T) {
	t.Parallel()
	root := setup(t, map[string]string{"c/ansible.cfg": fullConfig, "home/": ""})
	home := root + "/home"
	env := map[string]string{"ANSIBLE_CONFIG": root + "/c/ansible.cfg", "SOMEVAR": "/v"}
	s, err := load(env, "/", home, Overrides{}, root+"/none")
	if err != nil {
		t.Fatal(err)
	}
	dir := root + "/c"
	want := Settings{
		ConfigFile:        dir + "/ansible.cfg",
		Home:              dir + "/.ansible-home",
		Inventory:         []string{dir + "/hosts.ini", dir + "/more/inv"},
		RolesPath:         []string{dir + "/roles", home + "/shared/roles", "/abs/roles"},
		CollectionsPaths:  []string{dir + "/colls"},
		Library:           []string{"/v/lib", "/v2", dir + "/$NOTSET/x"},
		ModuleUtils:       []string{dir + "/.ansible-home/plugins/module_utils", "/usr/share/ansible/plugins/module_utils"},
		RemoteUser:        "deploy",
		PrivateKeyFile:    dir + "/keys/id_ed25519",
		HostKeyChecking:   false,
		Forks:             7,
		Timeout:           20,
		Become:            true,
		BecomeMethod:      "su",
		BecomeUser:        "admin",
		BecomeAskPass:     true,
		AskPass:           false,
		Gathering:         "smart",
		GatherSubset:      []string{"all", "!facter"},
		InterpreterPython: "/usr/bin/python3",
		AnsibleManaged:    "Ansible managed: {file} on %Y-%m-%d\nby {uid};x",
		VaultPasswordFile: home + "/.vault_pass",
		VaultIdentity:     "site",
		VaultIdentityList: []string{"dev@~/dev.txt", "prod@prompt"},
		VaultIDMatch:      true, // "False" is a non-empty string
		AskVaultPass:      true,
		RetryFilesEnabled: true,
		StdoutCallback:    "json",
		SSHArgs:           "-o ControlMaster=auto -o ControlPersist=30m",
		Pipelining:        true,
		Deprecations:      s.Deprecations,
		entries:           s.entries,
		others:            s.others,
	}
	if !reflect.DeepEqual(*s, want) {
		got, w := reflect.ValueOf(*s), reflect.ValueOf(want)
		for i := range got.NumField() {
			if f := got.Type().Field(i); f.IsExported() && !reflect.DeepEqual(got.Field(i).Interface(), w.Field(i).Interface()) {
				t.Errorf("%s = %#v, want %#v", f.Name, got.Field(i).Interface(), w.Field(i).Interface())
			}
		}
	}
	if len(s.Deprecations) != 1 || s.Deprecations[0].Version != "2.18" || !strings.HasPrefix(s.Deprecations[0].Msg, "DEFAULT_GATHER_SUBSET option, ") {
		t.Errorf("deprecations %+v", s.Deprecations)
	}
	var others []string
	for _, e := range s.Dump() {
		if e.Name == "" {
			others = append(others, e.Section+"."+e.Key+"="+e.Value.(string))
		}
	}
	wantOthers := []string{"DEFAULT.shared=from-default", "defaults.unknown_key=kept#not a comment\ntwo lines", "custom section.anything=goes"}
	if !reflect.DeepEqual(others, wantOthers) {
		t.Errorf("other keys %q, want %q", others, wantOthers)
	}
	if d := s.Dump(); d[0].Name != "CONFIG_FILE" || d[0].Value != dir+"/ansible.cfg" {
		t.Errorf("first entry %+v", d[0])
	}
}

func TestFindConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		files    map[string]string
		env      map[string]string
		cwd      string
		public   bool // cwd is world-writable
		want     string
		wantWarn bool
	}{
		{name: "none", files: map[string]string{"cwd/": ""}, cwd: "cwd", want: ""},
		{name: "ANSIBLE_CONFIG first", files: map[string]string{"e.cfg": "[d]\n", "cwd/ansible.cfg": "[d]\n"},
			env: map[string]string{"ANSIBLE_CONFIG": "ROOT/e.cfg"}, cwd: "cwd", want: "e.cfg"},
		{name: "ANSIBLE_CONFIG relative to cwd", files: map[string]string{"cwd/sub/x.cfg": "[d]\n"},
			env: map[string]string{"ANSIBLE_CONFIG": "sub/x.cfg"}, cwd: "cwd", want: "cwd/sub/x.cfg"},
		{name: "ANSIBLE_CONFIG directory", files: map[string]string{"d/ansible.cfg": "[d]\n", "cwd/": ""},
			env: map[string]string{"ANSIBLE_CONFIG": "ROOT/d"}, cwd: "cwd", want: "d/ansible.cfg"},
		{name: "ANSIBLE_CONFIG missing: next", files: map[string]string{"cwd/ansible.cfg": "[d]\n"},
			env: map[string]string{"ANSIBLE_CONFIG": "ROOT/nope.cfg"}, cwd: "cwd", want: "cwd/ansible.cfg"},
		{name: "home", files: map[string]string{"home/.ansible.cfg": "[d]\n", "cwd/": ""}, cwd: "cwd", want: "home/.ansible.cfg"},
		{name: "system", files: map[string]string{"etc/ansible.cfg": "[d]\n", "cwd/": ""}, cwd: "cwd", want: "etc/ansible.cfg"},
		{name: "world-writable cwd", files: map[string]string{"pub/ansible.cfg": "[d]\n", "home/.ansible.cfg": "[d]\n"},
			cwd: "pub", public: true, want: "home/.ansible.cfg", wantWarn: true},
		{name: "world-writable cwd, nothing to skip", files: map[string]string{"pub/": ""}, cwd: "pub", public: true, want: ""},
		{name: "world-writable cwd, ANSIBLE_CONFIG used: no warning", files: map[string]string{"pub/ansible.cfg": "[d]\n", "e.cfg": "[d]\n"},
			env: map[string]string{"ANSIBLE_CONFIG": "ROOT/e.cfg"}, cwd: "pub", public: true, want: "e.cfg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := setup(t, tc.files)
			cwd := filepath.Join(root, tc.cwd)
			if tc.public {
				if err := os.Chmod(cwd, 0o777); err != nil {
					t.Fatal(err)
				}
			}
			env := map[string]string{}
			for k, v := range tc.env {
				env[k] = strings.ReplaceAll(v, "ROOT", root)
			}
			got, warnings := findConfig(Resolver{Env: env, Cwd: cwd, Home: root + "/home"}, root+"/etc/ansible.cfg")
			want := ""
			if tc.want != "" {
				want = filepath.Join(root, tc.want)
			}
			if got != want {
				t.Errorf("found %q, want %q", got, want)
			}
			if (len(warnings) > 0) != tc.wantWarn {
				t.Errorf("warnings %q, want a warning: %v", warnings, tc.wantWarn)
			}
			if tc.wantWarn && !strings.HasPrefix(warnings[0], "Ansible is being run in a world writable directory ("+cwd+"), ignoring it") {
				t.Errorf("warning %q", warnings[0])
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		file    string
		wantErr error
		wantMsg string
	}{
		{name: "int", env: map[string]string{"ANSIBLE_FORKS": "5.0"}, wantErr: ErrInvalid,
			wantMsg: "Invalid type for configuration option setting: DEFAULT_FORKS (from env: ANSIBLE_FORKS): invalid literal for int() with base 10: '5.0'"},
		{name: "plugin int", file: "[defaults]\ntimeout = ten\n", wantErr: ErrInvalid,
			wantMsg: "Invalid type for configuration option plugin_type: connection plugin: ssh setting: timeout (from FILE): invalid literal for int() with base 10: 'ten'"},
		{name: "empty int in the file", file: "[defaults]\nforks =\n", wantErr: ErrInvalid,
			wantMsg: "Invalid type for configuration option setting: DEFAULT_FORKS (from FILE): invalid literal for int() with base 10: ''"},
		{name: "choice", file: "[defaults]\ngathering = 'lazy'\n", wantErr: ErrInvalid,
			wantMsg: `Invalid value "lazy" for configuration option "setting: DEFAULT_GATHERING ", valid values are: implicit, explicit, smart`},
		{name: "parse", file: "x\n", wantErr: ErrConfigFile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			files := map[string]string{"cwd/": ""}
			if tc.file != "" {
				files["cwd/ansible.cfg"] = tc.file
			}
			root := setup(t, files)
			_, err := load(tc.env, root+"/cwd", root, Overrides{}, root+"/none")
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if want := strings.ReplaceAll(tc.wantMsg, "FILE", root+"/cwd/ansible.cfg"); want != "" && err.Error() != want {
				t.Errorf("message %q, want %q", err, want)
			}
		})
	}
}

func TestResolverPath(t *testing.T) {
	t.Parallel()
	r := Resolver{Env: map[string]string{"A": "/a", "B_1": "b", "E": ""}, Cwd: "/work", Home: "/home/u/"}
	tests := []struct{ path, base, want string }{
		{"x", "", "/work/x"},
		{"x", "/etc/cfgdir", "/etc/cfgdir/x"},
		{"/abs/../y/./z", "", "/y/z"},
		{"~", "", "/home/u"},
		{"~/k", "", "/home/u/k"},
		{"~other/k", "", "/work/~other/k"},
		{"$A/x", "", "/a/x"},
		{"${A}x/$B_1.d", "", "/ax/b.d"},
		{"$NOPE/x", "", "/work/$NOPE/x"},
		{"${NOPE", "", "/work/${NOPE"},
		{"$/x$", "", "/work/$/x$"},
		{"$E/x", "", "/x"},
		{"{{CWD}}/p", "/else", "/work/p"},
		{"", "", "/work"},
		{"//net/x", "", "//net/x"},
		{"///x", "", "/x"},
	}
	for _, tc := range tests {
		if got := r.Path(tc.path, tc.base); got != tc.want {
			t.Errorf("Path(%q, %q) = %q, want %q", tc.path, tc.base, got, tc.want)
		}
	}
}

func TestConvert(t *testing.T) {
	t.Parallel()
	tests := []struct {
		k       kind
		in      any
		want    any
		wantErr bool
	}{
		{kindBool, "Yes", true, false},
		{kindBool, " on ", true, false},
		{kindBool, "T", true, false},
		{kindBool, "1.0", false, false},
		{kindBool, "whatever", false, false},
		{kindBool, true, true, false},
		{kindInt, " +42 ", 42, false},
		{kindInt, "-1_000", -1000, false},
		{kindInt, "007", 7, false},
		{kindInt, "1__0", nil, true},
		{kindInt, "_1", nil, true},
		{kindInt, "0x10", nil, true},
		{kindInt, "+-1", nil, true},
		{kindInt, 5, 5, false},
		{kindList, "a, 'b' ,\"c\",", []string{"a", "b", "c", ""}, false},
		{kindStr, `"quoted"`, "quoted", false},
		{kindStr, `'mixed"`, `'mixed"`, false},
		{kindStr, `"esc\"`, `"esc\"`, false},
		{kindStr, `''`, "", false},
		{kindStr, `'`, "'", false},
		{kindPathlist, " a , /b ", []string{"/w/a", "/b"}, false},
		{kindPathspec, "a:/b:", []string{"/w/a", "/b", "/w"}, false},
		{kindPath, nil, nil, false},
	}
	r := Resolver{Cwd: "/w"}
	for _, tc := range tests {
		got, err := convert(tc.k, tc.in, r, "")
		if (err != nil) != tc.wantErr {
			t.Errorf("convert(%v, %#v) error %v", tc.k, tc.in, err)
			continue
		}
		if err == nil && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("convert(%v, %#v) = %#v, want %#v", tc.k, tc.in, got, tc.want)
		}
	}
}
