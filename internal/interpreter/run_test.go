package interpreter

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/sshdtest"
	"github.com/jetplay/jetplay/internal/testenv"
)

// Runs of small payloads of our own with the real python3, over the local
// connection and over OpenSSH.

func requirePython3(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI needs /usr/bin/python3")
		}
		t.Skip("no /usr/bin/python3")
	}
}

// sshConn starts sshd for the current user and returns a connection to it.
func sshConn(t *testing.T) conn.Conn {
	t.Helper()
	srv := sshdtest.Start(t, sshdtest.Options{})
	p, err := conn.NewSSHPool(conn.SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}, KeyFiles: []string{}, NoAgent: true,
		JobDir: t.TempDir(), Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	h := srv.Hosts[0]
	return p.Conn("host1", job.Target{Address: h.Addr, Port: h.Port, User: h.User, KeyFile: h.KeyFile})
}

// connections are the connections every run test runs over.
func connections(t *testing.T) map[string]conn.Conn {
	return map[string]conn.Conn{"local": conn.Local{}, "openssh": sshConn(t)}
}

const (
	modOK = `#!/usr/bin/python
import json, os, sys
rest = sys.stdin.read()
print(json.dumps({"changed": True, "msg": "hi \u00e9", "env": os.environ.get("JP_VAR"), "cwd": os.getcwd(),
                  "stdin_rest": rest, "uid": os.getuid(), "exe": sys.executable, "big": 10000000000000000001, "f": 1.0}))
`
	modJunk = `#!/usr/bin/python
print("Last login: yesterday")
print('{"changed": false, "stdout": "a\\nb", "results": "x", "_ansible_no_log": true}')
print("trailing junk")
`
	modTraceback = `#!/usr/bin/python
import sys
sys.stdout.write("partial")
raise ValueError("boom")
`
	modNothing = "#!/usr/bin/python\npass\n"
	modFails   = `#!/usr/bin/python
import json, sys
print(json.dumps({"failed": True, "msg": "it failed", "rc": 3, "warnings": ["careful"], "deprecations": [{"msg": "old", "version": "9.9"}]}))
sys.exit(1)
`
	modSleep = "#!/usr/bin/python\nimport time\ntime.sleep(60)\n"
	// WANT_JSON: the args file is JSON; it also reports its own path.
	modWantJSON = `#!/usr/bin/python
# WANT_JSON
import json, os, stat, sys
args = json.load(open(sys.argv[1]))
st = os.stat(os.path.dirname(sys.argv[0]))
print(json.dumps({"args": args, "path": sys.argv[0], "dirmode": oct(stat.S_IMODE(st.st_mode)), "uid": os.getuid()}))
`
	// Old style: key=value words.
	modOld = `#!/usr/bin/python
import json, shlex, sys
print(json.dumps({"words": shlex.split(open(sys.argv[1]).read())}))
`
	// A "binary" module: run as it is, args file as its argument.
	modBinary = `#!/bin/sh
printf '{"args": %s, "bash": "%s", "me": "%s"}\n' "$(cat "$1")" "${BASH_VERSION:+yes}" "$0"
`
)

func newTask(style Style, payload string) Task {
	return Task{Host: "h", Module: "mod", Style: style, Payload: []byte(payload), Shebang: "",
		Interpreters: map[string]string{"python": "/usr/bin/python3"}}
}

func TestRunNewStyle(t *testing.T) {
	t.Parallel()
	requirePython3(t)
	r := newTestRunner(t)
	dir := t.TempDir()
	for name, c := range connections(t) {
		t.Run(name, func(t *testing.T) {
			ctx := testCtx(t, time.Minute)

			task := newTask(StyleNew, modOK)
			task.Env, task.Dir = map[string]string{"JP_VAR": "v $x"}, dir
			res, err := r.Run(ctx, c, task)
			if err != nil {
				t.Fatal(err)
			}
			v := res.Values
			if !res.Parsed || v["_ansible_parsed"] != true || v["changed"] != true || v["msg"] != "hi é" || v["env"] != "v $x" || v["cwd"] != dir ||
				v["stdin_rest"] != "" || v["big"] != json.Number("10000000000000000001") || v["f"] != json.Number("1.0") || res.RC != 0 {
				t.Fatalf("result %+v", res)
			}
			if res.Interpreter.Shebang != "#!/usr/bin/python3" || res.Interpreter.Discovered || res.Facts != nil || len(res.Display) != 0 {
				t.Fatalf("interpreter %+v facts %v display %q", res.Interpreter, res.Facts, res.Display)
			}

			res, err = r.Run(ctx, c, newTask(StyleNew, modJunk))
			if err != nil {
				t.Fatal(err)
			}
			v = res.Values
			if !res.Parsed || v["ansible_module_results"] != "x" || v["results"] != nil || v["_ansible_no_log"] != nil ||
				!reflect.DeepEqual(v["stdout_lines"], []any{"a", "b"}) {
				t.Fatalf("junk: %v", v)
			}
			wantDisplay := []string{"Module invocation had junk after the JSON data: trailing junk",
				"Found internal 'results' key in module return, renamed to 'ansible_module_results'.",
				"Removed unexpected internal key in module return: _ansible_no_log = True"}
			if !reflect.DeepEqual(res.Display, wantDisplay) {
				t.Fatalf("display %q, want %q", res.Display, wantDisplay)
			}

			res, err = r.Run(ctx, c, newTask(StyleNew, modTraceback))
			if err != nil {
				t.Fatal(err)
			}
			v = res.Values
			exc, _ := v["exception"].(string)
			if res.Parsed || v["failed"] != true || v["msg"] != MsgModuleFailure || v["module_stdout"] != "partial" || v["rc"] != 1 ||
				!strings.HasPrefix(exc, "Traceback (most recent call last):") || !strings.HasSuffix(exc, "ValueError: boom\n") || v["module_stderr"] != exc {
				t.Fatalf("traceback: %v", v)
			}

			res, err = r.Run(ctx, c, newTask(StyleNew, modNothing))
			if err != nil {
				t.Fatal(err)
			}
			if want := map[string]any{"failed": true, "_ansible_parsed": false, "module_stdout": "", "module_stderr": "", "rc": 0, "msg": MsgModuleFailure}; !reflect.DeepEqual(res.Values, want) {
				t.Fatalf("nothing: %v, want %v", res.Values, want)
			}

			res, err = r.Run(ctx, c, newTask(StyleNew, modFails))
			if err != nil {
				t.Fatal(err)
			}
			if !res.Parsed || !res.Failed() || res.RC != 1 || res.Values["rc"] != json.Number("3") || !reflect.DeepEqual(res.Warnings, []string{"careful"}) ||
				len(res.Deprecations) != 1 || res.Deprecations[0]["msg"] != "old" {
				t.Fatalf("failed module: %+v", res)
			}

			missing := newTask(StyleNew, modOK)
			missing.Interpreters = map[string]string{"python": "/nonexistent/python3"}
			res, err = r.Run(ctx, c, missing)
			if err != nil {
				t.Fatal(err)
			}
			if v := res.Values; v["msg"] != MsgSetInterpreter || v["rc"] != 127 || !strings.Contains(v["module_stderr"].(string), "/nonexistent/python3: not found") {
				t.Fatalf("missing interpreter: %v", v)
			}

			slow := newTask(StyleNew, modSleep)
			slow.Timeout, slow.Grace = 500*time.Millisecond, 5*time.Second
			start := time.Now()
			res, err = r.Run(ctx, c, slow)
			if err != nil {
				t.Fatal(err)
			}
			if !res.TimedOut || res.Parsed || res.RC != -15 || time.Since(start) > 20*time.Second {
				t.Fatalf("timeout: %+v after %v", res, time.Since(start))
			}

			noLine := newTask(StyleNew, "print(1)\n")
			if _, err := r.Run(ctx, c, noLine); !errors.Is(err, ErrNoShebang) || err.Error() != "module (mod) is missing interpreter line" {
				t.Fatalf("no interpreter line: %v", err)
			}
			if _, err := r.Run(ctx, c, Task{Style: StyleNew}); !errors.Is(err, ErrNoPayload) {
				t.Fatalf("no payload: %v", err)
			}
			if _, err := r.Run(ctx, c, Task{Style: "powershell", Payload: []byte("x")}); !errors.Is(err, ErrStyle) {
				t.Fatalf("bad style: %v", err)
			}
		})
	}
}

func TestRunFiles(t *testing.T) {
	t.Parallel()
	requirePython3(t)
	r := newTestRunner(t)
	args := map[string]any{"msg": "it's $x \"q\"", "n": json.Number("3"), "flag": true, "none": nil, "list": []any{"a", json.Number("1")},
		"_ansible_check_mode": false}
	for name, c := range connections(t) {
		t.Run(name, func(t *testing.T) {
			ctx := testCtx(t, time.Minute)
			tmp := t.TempDir()

			task := newTask(StyleWantJSON, modWantJSON)
			task.Args, task.RemoteTmp, task.ModulePath = args, tmp, "/playbook/library/mod.py"
			res, err := r.Run(ctx, c, task)
			if err != nil {
				t.Fatal(err)
			}
			v := res.Values
			p, _ := v["path"].(string)
			if !res.Parsed || !reflect.DeepEqual(plain(t, v["args"]), plain(t, args)) || v["dirmode"] != "0o700" ||
				filepath.Dir(filepath.Dir(p)) != tmp || filepath.Base(p) != "AnsiballZ_mod.py" || !strings.HasPrefix(filepath.Base(filepath.Dir(p)), "ansible-tmp-") {
				t.Fatalf("want_json: %v", v)
			}
			if _, err := os.Stat(filepath.Dir(p)); !os.IsNotExist(err) {
				t.Fatalf("the temporary directory is still there: %v", err)
			}

			task = newTask(StyleOld, modOld)
			task.Args, task.RemoteTmp = args, tmp
			res, err = r.Run(ctx, c, task)
			if err != nil {
				t.Fatal(err)
			}
			want := []any{"_ansible_check_mode=False", "flag=True", "list=['a', 1]", "msg=it's $x \"q\"", "n=3", "none=None"}
			if !reflect.DeepEqual(res.Values["words"], want) {
				t.Fatalf("old style words %q, want %q", res.Values["words"], want)
			}

			task = newTask(StyleBinary, modBinary)
			task.Args, task.RemoteTmp = map[string]any{"a": "b"}, tmp
			res, err = r.Run(ctx, c, task)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Parsed || !reflect.DeepEqual(res.Values["args"], map[string]any{"a": "b"}) || res.Values["bash"] != "" || res.Interpreter.Shebang != "" {
				t.Fatalf("binary: %v %+v", res.Values, res.Interpreter)
			}

			task = newTask(StyleWantJSON, modBinary)
			task.Interpreters = map[string]string{"sh": "/bin/bash"}
			task.Args, task.RemoteTmp = map[string]any{"a": "b"}, tmp
			res, err = r.Run(ctx, c, task)
			if err != nil {
				t.Fatal(err)
			}
			if res.Values["bash"] != "yes" || res.Interpreter.Shebang != "#!/bin/bash" {
				t.Fatalf("ansible_sh_interpreter: %v %+v", res.Values, res.Interpreter)
			}
			if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
				t.Fatalf("left in remote_tmp: %v", ents)
			}

			task.RemoteTmp = "/proc/no/such/dir"
			var me *ModuleError
			if _, err := r.Run(ctx, c, task); !errors.Is(err, ErrTempFiles) || !errors.As(err, &me) || !strings.HasPrefix(me.Msg, "Failed to create temporary directory.") {
				t.Fatalf("unwritable remote_tmp: %v", err)
			}
		})
	}
}

// TestRunBecome: as root, sudo and su to nobody ask for no password; the
// one given must not reach the payload, whose input is the program alone.
// The files of an old-style module go to /var/tmp (nobody has no home).
func TestRunBecome(t *testing.T) {
	t.Parallel()
	requirePython3(t)
	if os.Getuid() != 0 {
		t.Skip("needs root: sudo and su then ask for no password")
	}
	r := newTestRunner(t)
	for name, c := range connections(t) {
		for _, method := range []string{"sudo", "su"} {
			t.Run(name+"/"+method, func(t *testing.T) {
				ctx := testCtx(t, time.Minute)
				task := newTask(StyleNew, modOK)
				task.Become, task.BecomeUser, task.BecomeMethod, task.BecomePassword = true, "nobody", method, "pw line"
				task.Env = map[string]string{"JP_VAR": "through become"}
				res, err := r.Run(ctx, c, task)
				if err != nil {
					t.Fatal(err)
				}
				if !res.Parsed || res.Values["uid"] != json.Number("65534") || res.Values["stdin_rest"] != "" || res.Values["env"] != "through become" {
					t.Fatalf("become: %v", res.Values)
				}
				task = newTask(StyleWantJSON, modWantJSON)
				task.Become, task.BecomeUser, task.BecomeMethod, task.BecomePassword = true, "nobody", method, "pw line"
				res, err = r.Run(ctx, c, task)
				if err != nil {
					t.Fatal(err)
				}
				p, _ := res.Values["path"].(string)
				if !res.Parsed || res.Values["uid"] != json.Number("65534") || !strings.HasPrefix(p, "/var/tmp/ansible-tmp-") {
					t.Fatalf("become, want_json: %v", res.Values)
				}
				if _, err := os.Stat(filepath.Dir(p)); !os.IsNotExist(err) {
					t.Fatalf("the temporary directory is still there: %v", err)
				}
			})
		}
	}
}

// TestRunDiscoversAsAnsible: with no interpreter set, the first task on a
// host discovers it, as Ansible's first task does, fact and warnings
// compared with what ansible-core itself reports for this machine, for
// the default fallback list and for lists that make it warn.
func TestRunDiscoversAsAnsible(t *testing.T) {
	t.Parallel()
	requirePython3(t)
	testenv.LookPath(t, "ansible")
	scenarios := []struct {
		name     string
		mode     string
		fallback []string
	}{
		{name: "default", mode: "auto"},
		{name: "platform python not in the list", mode: "auto", fallback: []string{"python3.11", "/usr/bin/python"}},
		{name: "silent", mode: "auto_silent", fallback: []string{"python3.11", "/usr/bin/python"}},
		{name: "legacy", mode: "auto_legacy", fallback: []string{"/usr/bin/python3", "/usr/bin/python"}},
		{name: "nothing found", mode: "auto", fallback: []string{"/nonexistent/python3"}},
	}
	r := newTestRunner(t)
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			want := ansiblePing(t, sc.mode, sc.fallback)
			task := newTask(StyleNew, modOK)
			task.Host, task.Shebang, task.Interpreters, task.PythonFallback = "localhost", AnsiballZShebang, map[string]string{"python": sc.mode}, sc.fallback
			res, err := r.Run(testCtx(t, time.Minute), conn.Local{}, task)
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Facts["discovered_interpreter_python"]; got != want.Facts["discovered_interpreter_python"] || !res.Interpreter.Discovered {
				t.Fatalf("discovered %v, Ansible %v", got, want.Facts["discovered_interpreter_python"])
			}
			if !reflect.DeepEqual(res.Warnings, want.Warnings) && len(res.Warnings)+len(want.Warnings) > 0 {
				t.Fatalf("warnings\n got %q\nwant %q", res.Warnings, want.Warnings)
			}
			if want.Msg != "" && res.Values["msg"] != want.Msg {
				t.Fatalf("msg %q, Ansible %q", res.Values["msg"], want.Msg)
			}
			// The next task with the fact passed back, as the play engine
			// does: no discovery, no fact, no warning.
			task.DiscoveredPython = want.Facts["discovered_interpreter_python"].(string)
			res, err = r.Run(testCtx(t, time.Minute), conn.Local{}, task)
			if err != nil || res.Interpreter.Discovered || len(res.Warnings) != 0 || res.Facts != nil {
				t.Fatalf("with the fact: %+v %v", res, err)
			}
		})
	}
}

// TestRunDiscoversAsAnsibleOverOpenSSH: the same over OpenSSH, against
// Ansible's ssh connection to the same sshd.
func TestRunDiscoversAsAnsibleOverOpenSSH(t *testing.T) {
	t.Parallel()
	requirePython3(t)
	testenv.LookPath(t, "ansible")
	srv := sshdtest.Start(t, sshdtest.Options{})
	h := srv.Hosts[0]
	p, err := conn.NewSSHPool(conn.SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}, KeyFiles: []string{}, NoAgent: true,
		Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	c := p.Conn("target", job.Target{Address: h.Addr, Port: h.Port, User: h.User, KeyFile: h.KeyFile})
	for _, fallback := range [][]string{nil, {"python3.11", "/usr/bin/python"}} {
		want := ansiblePingAt(t, "target", []string{"-c", "ssh", "-e", "ansible_host=" + h.Addr, "-e", "ansible_port=" + strconv.Itoa(h.Port),
			"-e", "ansible_user=" + h.User, "-e", "ansible_ssh_private_key_file=" + h.KeyFile,
			"--ssh-common-args=-o UserKnownHostsFile=" + srv.KnownHosts + " -o StrictHostKeyChecking=yes"}, "auto", fallback)
		task := newTask(StyleNew, modOK)
		task.Host, task.Shebang, task.Interpreters, task.PythonFallback = "target", AnsiballZShebang, nil, fallback
		res, err := newTestRunner(t).Run(testCtx(t, time.Minute), c, task)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Facts["discovered_interpreter_python"]; got != want.Facts["discovered_interpreter_python"] {
			t.Fatalf("fallback %q: discovered %v, Ansible %v", fallback, got, want.Facts["discovered_interpreter_python"])
		}
		if !reflect.DeepEqual(res.Warnings, want.Warnings) && len(res.Warnings)+len(want.Warnings) > 0 {
			t.Fatalf("fallback %q: warnings\n got %q\nwant %q", fallback, res.Warnings, want.Warnings)
		}
	}
}

// pingResult is what `ansible localhost -m ping` reported.
type pingResult struct {
	Facts    map[string]any `json:"ansible_facts"`
	Warnings []string       `json:"warnings"`
	Msg      string         `json:"msg"`
}

// ansiblePing runs Ansible's ping on localhost (local connection) with the
// discovery settings given and returns its result.
func ansiblePing(t *testing.T, mode string, fallback []string) pingResult {
	t.Helper()
	return ansiblePingAt(t, "localhost", []string{"-c", "local"}, mode, fallback)
}

// ansiblePingAt runs Ansible's ping on host (args: how to reach it) with
// the discovery settings given and returns its result.
func ansiblePingAt(t *testing.T, host string, args []string, mode string, fallback []string) pingResult {
	t.Helper()
	vars := map[string]any{"ansible_python_interpreter": mode}
	if fallback != nil {
		vars["ansible_interpreter_python_fallback"] = fallback
	}
	ev, _ := json.Marshal(vars)
	args = append([]string{"-i", host + ",", "-m", "ping", "-e", string(ev)}, args...)
	cmd := exec.CommandContext(testCtx(t, 2*time.Minute), "ansible", append(args, host)...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "ANSIBLE_LOAD_CALLBACK_PLUGINS=1", "ANSIBLE_STDOUT_CALLBACK=json", "ANSIBLE_NOCOLOR=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, _ := cmd.Output() // a failed ping exits 2 and still prints its JSON
	var doc struct {
		Plays []struct {
			Tasks []struct {
				Hosts map[string]pingResult `json:"hosts"`
			} `json:"tasks"`
		} `json:"plays"`
	}
	if err := json.Unmarshal(out, &doc); err != nil || len(doc.Plays) == 0 || len(doc.Plays[0].Tasks) == 0 {
		t.Fatalf("ansible's output: %v\n%s\n%s", err, out, stderr.String())
	}
	res, ok := doc.Plays[0].Tasks[0].Hosts[host]
	if !ok || res.Facts["discovered_interpreter_python"] == nil {
		t.Fatalf("ansible reported no discovery:\n%s", out)
	}
	return res
}
