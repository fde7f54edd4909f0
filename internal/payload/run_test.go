package payload

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// runEnv is what running payloads for real needs: a Builder over the
// installed ansible-core and collections plus a module_utils directory of
// the test's own, and a python3 to run them (any python3: the payload
// needs no Ansible on the host).
type runEnv struct {
	b       *Builder
	python  string
	site    string // the directory holding the ansible package
	library string // the test's library/ directory
	collDir string // the first collection root
}

func newRunEnv(t *testing.T) runEnv {
	t.Helper()
	_, info := installed(t)
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 to run payloads with")
	}
	dir := t.TempDir()
	lib, mu := filepath.Join(dir, "library"), filepath.Join(dir, "module_utils")
	for _, d := range []string{lib, mu} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(mu, "jp_helper.py"), []byte("def shout(s):\n    return s.upper() + '!'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	muDirs := []fs.FS{os.DirFS(mu)}
	for _, d := range info.ModuleUtilsPaths {
		muDirs = append(muDirs, os.DirFS(d))
	}
	var roots []fs.FS
	for _, r := range info.CollectionPaths {
		roots = append(roots, os.DirFS(r))
	}
	if len(info.CollectionPaths) == 0 {
		t.Fatal("ansible-core reports no collection root")
	}
	b, err := New(Config{Finder: newDirFinder(muDirs, roots, os.DirFS(info.Ansible))})
	if err != nil {
		t.Fatal(err)
	}
	return runEnv{b: b, python: python, site: filepath.Dir(info.Ansible), library: lib, collDir: info.CollectionPaths[0]}
}

// build builds the module file at path as the task's module name.
func (e runEnv) build(t *testing.T, path, name string) *Payload {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.b.Build(context.Background(), Module{Name: name, FQN: FQN(path, e.site, name), Source: src})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// pipe runs the payload's wrapper as pipelining does: the host's Python
// with the script on stdin. It returns the module's JSON, its exit code
// and stderr; the system temp dir it gets must be left empty.
func (e runEnv) pipe(t *testing.T, p *Payload, task Task) (map[string]any, int, string) {
	t.Helper()
	task.Python = e.python
	w, err := p.Wrapper(task)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(w, []byte("#!"+e.python+"\n")) {
		t.Errorf("wrapper starts %q, want the #! line of %s", w[:min(len(w), 40)], e.python)
	}
	tmp := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.python)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "PYTHONDONTWRITEBYTECODE=1")
	cmd.Stdin = bytes.NewReader(w)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	rc := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		rc = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("the wrapper left %v in the temp dir", left)
	}
	return parseOutput(t, stdout.Bytes(), stderr.String()), rc, stderr.String()
}

func parseOutput(t *testing.T, stdout []byte, stderr string) map[string]any {
	t.Helper()
	var res map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(stdout), &res); err != nil {
		t.Fatalf("module output is no JSON object: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
	}
	return res
}

func TestRunPing(t *testing.T) {
	e := newRunEnv(t)
	p := e.build(t, filepath.Join(e.site, "ansible", "modules", "ping.py"), "ping")
	data := "pong é \"quoted\" 'single' \\ back\nnew\ttab <>& \u2028 😀"
	res, rc, stderr := e.pipe(t, p, Task{Args: map[string]any{"data": data}})
	if rc != 0 || res["ping"] != data {
		t.Fatalf("ping: rc %d, result %v, stderr %s", rc, res, stderr)
	}
	inv, _ := res["invocation"].(map[string]any)
	if args, _ := inv["module_args"].(map[string]any); args["data"] != data {
		t.Errorf("invocation = %v, want module_args.data %q", inv, data)
	}
}

func TestRunCollectionModule(t *testing.T) {
	e := newRunEnv(t)
	path := filepath.Join(e.collDir, "ansible_collections", "community", "general", "plugins", "modules", "read_csv.py")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("community.general is not installed: %v", err)
	}
	p := e.build(t, path, "community.general.read_csv")
	if p.FQN != "ansible_collections.community.general.plugins.modules.read_csv" {
		t.Fatalf("FQN = %s", p.FQN)
	}
	csv := filepath.Join(t.TempDir(), "users.csv")
	if err := os.WriteFile(csv, []byte("name,uid\nalice,1000\nbob,1001\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, rc, stderr := e.pipe(t, p, Task{Args: map[string]any{"path": csv, "key": "name"}})
	want := map[string]any{"alice": map[string]any{"name": "alice", "uid": "1000"}, "bob": map[string]any{"name": "bob", "uid": "1001"}}
	if rc != 0 || !reflect.DeepEqual(res["dict"], want) {
		t.Fatalf("read_csv: rc %d, result %v, stderr %s", rc, res, stderr)
	}
}

// probeModule is a new-style module of our own in library/, with a
// module_util in module_utils/ beside it.
const probeModule = `#!/usr/bin/python
import resource

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.jp_helper import shout


def main():
    m = AnsibleModule(argument_spec=dict(msg=dict(type='str', required=True)), supports_check_mode=True)
    m.exit_json(changed=not m.check_mode, shout=shout(m.params['msg']), check_mode=m.check_mode,
                diff=m._diff, verbosity=m._verbosity, name=m._name, module_fqn=_module_fqn,
                nofile=resource.getrlimit(resource.RLIMIT_NOFILE)[0],
                hard=resource.getrlimit(resource.RLIMIT_NOFILE)[1])


main()
`

func (e runEnv) write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(e.library, name)
	if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunLibraryModule(t *testing.T) {
	e := newRunEnv(t)
	p := e.build(t, e.write(t, "jp_probe.py", probeModule), "jp_probe")
	if p.FQN != "ansible.modules.jp_probe" {
		t.Fatalf("FQN = %s", p.FQN)
	}
	if !strings.Contains(strings.Join(p.Members, " "), "ansible/module_utils/jp_helper.py") {
		t.Fatalf("members %v lack the library's module_util", p.Members)
	}
	res, rc, stderr := e.pipe(t, p, Task{
		Args:         map[string]any{"msg": "hi"},
		Internal:     Internal{CheckMode: true, Diff: true, Verbosity: 3, RemoteTmp: "/tmp/rt"},
		RlimitNofile: 100,
	})
	if rc != 0 {
		t.Fatalf("rc %d, result %v, stderr %s", rc, res, stderr)
	}
	want := map[string]any{"changed": false, "shout": "HI!", "check_mode": true, "diff": true, "verbosity": 3.0,
		"name": "jp_probe", "module_fqn": "ansible.modules.jp_probe"}
	for k, v := range want {
		if !reflect.DeepEqual(res[k], v) {
			t.Errorf("%s = %v, want %v", k, res[k], v)
		}
	}
	if hard := res["hard"].(float64); res["nofile"] != min(hard, 100) && !(hard < 0 && res["nofile"] == -1.0) {
		t.Errorf("RLIMIT_NOFILE soft = %v (hard %v), want min(hard, 100)", res["nofile"], hard)
	}
	// No check mode, another name for the same module: same zip.
	again, err := e.b.Build(context.Background(), Module{Name: "ansible.legacy.jp_probe", FQN: p.FQN, Source: []byte(probeModule)})
	if err != nil {
		t.Fatal(err)
	}
	if again.SHA256 != p.SHA256 {
		t.Errorf("the same module and closure built again: hash %s, first %s", again.SHA256, p.SHA256)
	}
	res, rc, _ = e.pipe(t, again, Task{Args: map[string]any{"msg": "x"}})
	if rc != 0 || res["changed"] != true || res["check_mode"] != false || res["name"] != "ansible.legacy.jp_probe" {
		t.Errorf("second run: rc %d, result %v", rc, res)
	}
}

func TestRunModuleWithoutExit(t *testing.T) {
	e := newRunEnv(t)
	p := e.build(t, e.write(t, "jp_noexit.py", "#!/usr/bin/python\nfrom ansible.module_utils.basic import AnsibleModule\nx = 1\n"), "jp_noexit")
	res, rc, _ := e.pipe(t, p, Task{})
	if rc != 1 || res["failed"] != true || res["msg"] != "New-style module did not handle its own exit" {
		t.Errorf("rc %d, result %v", rc, res)
	}
}

// TestRunScripts runs the other styles from the file Script returns, as
// Ansible runs them without pipelining: the file with the arguments file
// as argv[1] (none for JSON args).
func TestRunScripts(t *testing.T) {
	e := newRunEnv(t)
	tests := []struct {
		name, src string
		style     Style
		want      map[string]any
	}{
		{name: "jp_old", style: StyleOld,
			src: "#!/bin/sh\n. \"$1\"\nmsg=$(printf '%s' \"$msg\" | sed 's/\"/\\\\\"/g')\n" +
				"printf '{\"got\": \"%s\", \"check\": \"%s\"}\\n' \"$msg\" \"$_ansible_check_mode\"\n",
			want: map[string]any{"got": "it's a \"test\" $HOME", "check": "True"}},
		{name: "jp_want_json", style: StyleWantJSON,
			src:  "#!/usr/bin/python\n# WANT_JSON\nimport json, sys\nargs = json.load(open(sys.argv[1]))\nprint(json.dumps({'got': args['msg'], 'check': args['_ansible_check_mode']}))\n",
			want: map[string]any{"got": "it's a \"test\" $HOME", "check": true}},
		{name: "jp_jsonargs", style: StyleJSONArgs,
			src: "#!/usr/bin/python\nimport json, syslog\nargs = json.loads(r\"\"\"<<INCLUDE_ANSIBLE_MODULE_JSON_ARGS>>\"\"\")\n" +
				"complex = \"<<INCLUDE_ANSIBLE_MODULE_COMPLEX_ARGS>>\"\n" +
				"print(json.dumps({'got': args['msg'], 'check': json.loads(complex)['_ansible_check_mode'], 'version': \"<<ANSIBLE_VERSION>>\", 'fs': '<<SELINUX_SPECIAL_FILESYSTEMS>>', 'facility': syslog.LOG_USER == syslog.LOG_LOCAL0}))\n",
			want: map[string]any{"got": "it's a \"test\" $HOME", "check": true, "version": DefaultAnsibleVersion, "fs": "fuse,nfs,vboxsf,ramfs,9p,vfat", "facility": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.build(t, e.write(t, tt.name, tt.src), tt.name)
			if p.Style != tt.style {
				t.Fatalf("style %s, want %s", p.Style, tt.style)
			}
			script, argsFile, err := p.Script(Task{Python: e.python, Args: map[string]any{"msg": "it's a \"test\" $HOME"},
				Internal: Internal{CheckMode: true, SyslogFacility: "LOG_LOCAL0"}})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			sp, ap := filepath.Join(dir, "AnsiballZ_"+tt.name), filepath.Join(dir, "args")
			if err := os.WriteFile(sp, script, 0o700); err != nil {
				t.Fatal(err)
			}
			argv := []string{}
			if p.Style.ArgsFile() {
				if err := os.WriteFile(ap, argsFile, 0o600); err != nil {
					t.Fatal(err)
				}
				argv = append(argv, ap)
			} else if argsFile != nil {
				t.Errorf("an arguments file for %s", p.Style)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, sp, argv...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v: %s\nscript:\n%s", err, stderr.String(), script)
			}
			if res := parseOutput(t, out, stderr.String()); !reflect.DeepEqual(res, tt.want) {
				t.Errorf("result %v, want %v", res, tt.want)
			}
		})
	}
}
