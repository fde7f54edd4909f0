package settings

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/jetplay/jetplay/internal/testenv"
)

// dumpEntry is one setting of ansible-config dump --format json.
type dumpEntry struct {
	Name   string          `json:"name"`
	Origin string          `json:"origin"`
	Value  json.RawMessage `json:"value"`
}

// runDump runs ansible-config dump with args in cwd under env and returns
// the base settings (or, with -t connection, the ssh plugin's) by name, and
// stderr. A failure returns a nil map and stderr.
func runDump(t *testing.T, bin, cwd string, env map[string]string, args ...string) (map[string]dumpEntry, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"dump", "--format", "json"}, args...)...)
	cmd.Dir = cwd
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, errOut.String()
	}
	var entries []dumpEntry
	if len(args) > 0 && args[0] == "-t" {
		var plugins []map[string][]dumpEntry
		if err := json.Unmarshal(out.Bytes(), &plugins); err != nil {
			t.Fatalf("ansible-config %q: %v\n%s", args, err, out.String())
		}
		for _, p := range plugins {
			entries = append(entries, p["ssh"]...)
		}
	} else if err := json.Unmarshal(out.Bytes(), &entries); err != nil {
		t.Fatalf("ansible-config %q: %v\n%s", args, err, out.String())
	}
	m := map[string]dumpEntry{}
	for _, e := range entries {
		m[e.Name] = e
	}
	return m, errOut.String()
}

// sameJSON reports whether our value and ansible-config's print as the same
// JSON value.
func sameJSON(t *testing.T, ours any, theirs json.RawMessage) bool {
	t.Helper()
	b, err := json.Marshal(ours)
	if err != nil {
		t.Fatal(err)
	}
	var a, c any
	if json.Unmarshal(b, &a) != nil || json.Unmarshal(theirs, &c) != nil {
		t.Fatalf("cannot compare %s with %s", b, theirs)
	}
	return reflect.DeepEqual(a, c)
}

// A file that sets every typed setting, with the INI forms Ansible accepts:
// comments, an inline ; comment, quotes, a continuation line, % signs (no
// interpolation), [DEFAULT], relative paths (under the file's directory),
// ~ and $VAR, both collections keys, the ssh plugin's sections, unknown
// keys and sections.
const fullConfig = `# a comment
; another
[DEFAULT]
shared = from-default

[defaults]
home = .ansible-home
inventory = hosts.ini, ./more/inv ; an inline comment
roles_path = roles:~/shared/roles:/abs/roles
collections_paths = /first
collections_path = colls
library = $SOMEVAR/lib:${SOMEVAR}2:$NOTSET/x
remote_user = 'deploy'
private_key_file = keys/id_ed25519
forks = 7
timeout = 15
gathering = smart
gather_subset = all, !facter
interpreter_python = "/usr/bin/python3"
ansible_managed = Ansible managed: {file} on %Y-%m-%d
   by {uid};x ;comment
vault_password_file = ~/.vault_pass
vault_identity = site
vault_identity_list = dev@~/dev.txt, prod@prompt
vault_id_match = False
ask_vault_pass = on
ask_pass = 0
retry_files_enabled = yes
stdout_callback = json
host_key_checking = False
pipelining = off
unknown_key = kept#not a comment
    two lines

[privilege_escalation]
become = True
become_method: su
become_user = admin
become_ask_pass = 1

[ssh_connection]
ssh_args = -o ControlMaster=auto -o ControlPersist=30m
timeout = 20
pipelining = True

[custom section]
anything = goes
`

// TestAnsibleConfigDump compares Load with ansible-config dump
// (--only-changed for the base settings, -t connection for the ssh
// plugin's) for the typed settings: values and origins, the file found, the
// warnings, and the errors.
func TestAnsibleConfigDump(t *testing.T) {
	bin := testenv.LookPath(t, "ansible-config")
	type scenario struct {
		name  string
		setup func(t *testing.T, root string) (cwd string, env map[string]string)
		full  bool // compare the defaults too (full dump)
		fails bool // Ansible fails: its stderr has our error
	}
	write := func(t *testing.T, path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mkdir := func(t *testing.T, dir string, mode os.FileMode) string {
		t.Helper()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	scenarios := []scenario{
		{name: "no file", full: true, setup: func(t *testing.T, root string) (string, map[string]string) {
			return mkdir(t, root+"/cwd", 0o755), map[string]string{}
		}},
		{name: "ANSIBLE_CONFIG file", setup: func(t *testing.T, root string) (string, map[string]string) {
			write(t, root+"/conf/ansible.cfg", fullConfig)
			return mkdir(t, root+"/cwd", 0o755), map[string]string{"ANSIBLE_CONFIG": root + "/conf/ansible.cfg", "SOMEVAR": "/var/x"}
		}},
		{name: "environment over the file", setup: func(t *testing.T, root string) (string, map[string]string) {
			write(t, root+"/conf/ansible.cfg", fullConfig)
			return mkdir(t, root+"/cwd", 0o755), map[string]string{
				"ANSIBLE_CONFIG":                 "../conf/ansible.cfg",
				"ANSIBLE_HOME":                   "envhome",
				"ANSIBLE_FORKS":                  " 1_2 ",
				"ANSIBLE_TIMEOUT":                "30",
				"ANSIBLE_SSH_TIMEOUT":            "31",
				"ANSIBLE_ROLES_PATH":             "~/r:rel:",
				"ANSIBLE_COLLECTIONS_PATHS":      "/a",
				"ANSIBLE_COLLECTIONS_PATH":       "/b",
				"ANSIBLE_LIBRARY":                "",
				"ANSIBLE_INVENTORY":              "localhost,",
				"ANSIBLE_HOST_KEY_CHECKING":      "yes",
				"ANSIBLE_SSH_HOST_KEY_CHECKING":  "nope",
				"ANSIBLE_BECOME":                 "false",
				"ANSIBLE_BECOME_USER":            "envuser",
				"ANSIBLE_STDOUT_CALLBACK":        `"yaml"`,
				"ANSIBLE_GATHER_SUBSET":          "",
				"ANSIBLE_VAULT_ID_MATCH":         "",
				"ANSIBLE_PIPELINING":             "False",
				"ANSIBLE_SSH_PIPELINING":         "t",
				"ANSIBLE_SSH_ARGS":               "-o A=b",
				"ANSIBLE_PRIVATE_KEY_FILE":       "$HOME/k",
				"ANSIBLE_VAULT_PASSWORD_FILE":    "{{CWD}}/pw",
				"ANSIBLE_PYTHON_INTERPRETER":     "auto_silent",
				"ANSIBLE_VAULT_IDENTITY_LIST":    "a@b",
				"ANSIBLE_RETRY_FILES_ENABLED":    "TRUE",
				"ANSIBLE_BECOME_ASK_PASS":        "Y",
				"ANSIBLE_ASK_PASS":               "yes",
				"ANSIBLE_MODULE_UTILS":           "/mu",
				"ANSIBLE_BECOME_METHOD":          "doas",
				"ANSIBLE_GATHERING":              "explicit",
				"ANSIBLE_REMOTE_USER":            "envremote",
				"ANSIBLE_VAULT_IDENTITY":         "envid",
				"ANSIBLE_ASK_VAULT_PASS":         "no",
				"SOMEVAR":                        "/var/x",
				"ANSIBLE_UNRELATED_NOT_A_OPTION": "x",
			}
		}},
		{name: "empty environment values fall back to the default", setup: func(t *testing.T, root string) (string, map[string]string) {
			write(t, root+"/conf/ansible.cfg", "[defaults]\nforks = 7\ntimeout = 15\n")
			return mkdir(t, root+"/cwd", 0o755), map[string]string{
				"ANSIBLE_CONFIG": root + "/conf/ansible.cfg", "ANSIBLE_FORKS": "", "ANSIBLE_SSH_TIMEOUT": "",
			}
		}},
		{name: "ansible.cfg in cwd", setup: func(t *testing.T, root string) (string, map[string]string) {
			write(t, root+"/cwd/ansible.cfg", "[defaults]\ninventory = inv\nforks=3\n[privilege_escalation]\nbecome=yes\n")
			write(t, root+"/home/.ansible.cfg", "[defaults]\nforks=4\n")
			return mkdir(t, root+"/cwd", 0o755), map[string]string{"ANSIBLE_CONFIG": root + "/missing.cfg"}
		}},
		{name: "ANSIBLE_CONFIG directory", setup: func(t *testing.T, root string) (string, map[string]string) {
			write(t, root+"/d/ansible.cfg", "[defaults]\nforks=6\nroles_path = ./r\n")
			write(t, root+"/cwd/ansible.cfg", "[defaults]\nforks=3\n")
			return mkdir(t, root+"/cwd", 0o755), map[string]string{"ANSIBLE_CONFIG": root + "/d"}
		}},
		{name: "world-writable cwd is skipped, with a warning", setup: func(t *testing.T, root string) (string, map[string]string) {
			write(t, root+"/pub/ansible.cfg", "[defaults]\nforks=3\n")
			write(t, root+"/home/.ansible.cfg", "[defaults]\nforks=4\n[defaults ] \nx=1\n")
			return mkdir(t, root+"/pub", 0o777), map[string]string{}
		}},
		{name: "bad integer", fails: true, setup: func(t *testing.T, root string) (string, map[string]string) {
			return mkdir(t, root+"/cwd", 0o755), map[string]string{"ANSIBLE_FORKS": "many"}
		}},
		{name: "bad integer in the file", fails: true, setup: func(t *testing.T, root string) (string, map[string]string) {
			write(t, root+"/cwd/ansible.cfg", "[ssh_connection]\ntimeout = 5 # seconds\n")
			return mkdir(t, root+"/cwd", 0o755), map[string]string{}
		}},
		{name: "bad choice", fails: true, setup: func(t *testing.T, root string) (string, map[string]string) {
			return mkdir(t, root+"/cwd", 0o755), map[string]string{"ANSIBLE_GATHERING": "Smart"}
		}},
		{name: "duplicate section", fails: true, setup: func(t *testing.T, root string) (string, map[string]string) {
			write(t, root+"/cwd/ansible.cfg", "[defaults]\nforks = 1\n\n[defaults]\n")
			return mkdir(t, root+"/cwd", 0o755), map[string]string{}
		}},
		{name: "duplicate option", fails: true, setup: func(t *testing.T, root string) (string, map[string]string) {
			write(t, root+"/cwd/ansible.cfg", "[DEFAULT]\nx=1\n[defaults]\nForks = 1\n[DEFAULT]\nforks: 2\n[other]\nfoo=1\n  [x]\nFOO : 2\n")
			return mkdir(t, root+"/cwd", 0o755), map[string]string{}
		}},
		{name: "no section header", fails: true, setup: func(t *testing.T, root string) (string, map[string]string) {
			write(t, root+"/cwd/ansible.cfg", "forks = 1\n")
			return mkdir(t, root+"/cwd", 0o755), map[string]string{}
		}},
		{name: "no delimiter", fails: true, setup: func(t *testing.T, root string) (string, map[string]string) {
			write(t, root+"/cwd/ansible.cfg", "[defaults]\nforks\n=x\n")
			return mkdir(t, root+"/cwd", 0o755), map[string]string{}
		}},
		{name: "unsupported extension", fails: true, setup: func(t *testing.T, root string) (string, map[string]string) {
			write(t, root+"/conf/settings.conf", "[defaults]\n")
			return mkdir(t, root+"/cwd", 0o755), map[string]string{"ANSIBLE_CONFIG": root + "/conf/settings.conf"}
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			home := root + "/home"
			if err := os.MkdirAll(home, 0o755); err != nil {
				t.Fatal(err)
			}
			cwd, env := sc.setup(t, root)
			env["HOME"] = home
			env["PATH"] = os.Getenv("PATH")
			env["LANG"] = "C.UTF-8"

			s, loadErr := Load(env, cwd, home, Overrides{})
			base, stderr := runDump(t, bin, cwd, env, "--only-changed")
			if sc.fails {
				if loadErr == nil {
					t.Fatal("Load accepted it")
				}
				if base != nil {
					// A plugin's option is checked when the plugin loads.
					base, stderr = runDump(t, bin, cwd, env, "-t", "connection")
				}
				if base != nil {
					t.Fatalf("ansible-config accepted it; Load: %v", loadErr)
				}
				// "ERROR:" while reading the configuration, "ERROR!" later.
				if !strings.Contains(stderr, "ERROR: "+loadErr.Error()+"\n") && !strings.Contains(stderr, "ERROR! "+loadErr.Error()+"\n") {
					t.Errorf("ansible-config said:\n%s\nLoad said:\n%s", stderr, loadErr)
				}
				return
			}
			if loadErr != nil {
				t.Fatal(loadErr)
			}
			if base == nil {
				t.Fatalf("ansible-config failed:\n%s", stderr)
			}
			if sc.full {
				base, _ = runDump(t, bin, cwd, env)
			}
			ssh, _ := runDump(t, bin, cwd, env, "-t", "connection")
			if ssh == nil {
				t.Fatal("ansible-config dump -t connection failed")
			}
			for _, e := range s.Dump() {
				if e.Name == "" {
					continue
				}
				theirs, ok := base[e.Name]
				if e.Plugin == "ssh" {
					theirs, ok = ssh[e.Name]
				}
				if !ok {
					if e.Changed() {
						t.Errorf("%s: ours %v from %s, ansible-config: default", e.Key, e.Value, e.Origin)
					}
					continue
				}
				if theirs.Origin != e.Origin.String() && !(e.Name == "CONFIG_FILE" && theirs.Origin == "") {
					t.Errorf("%s: origin %q, ansible-config %q", e.Key, e.Origin, theirs.Origin)
				}
				if !sameJSON(t, e.Value, theirs.Value) {
					t.Errorf("%s: value %#v, ansible-config %s", e.Key, e.Value, theirs.Value)
				}
			}
			// Ansible wraps its warnings, also at hyphens.
			squeeze := func(s string) string { return strings.Join(strings.Fields(s), "") }
			for _, w := range s.Warnings {
				if !strings.Contains(squeeze(stderr), squeeze("[WARNING]: "+w)) {
					t.Errorf("warning %q not in ansible-config's stderr:\n%s", w, stderr)
				}
			}
			if strings.Contains(stderr, "[WARNING]") && len(s.Warnings) == 0 {
				t.Errorf("ansible-config warned, Load did not:\n%s", stderr)
			}
		})
	}
}
