package module

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/conn"
)

// run runs a module through conn.Local and fails the test on an error;
// it returns the result's values.
func run(t *testing.T, name string, args map[string]any, opt Options) map[string]any {
	t.Helper()
	return runResult(t, name, args, opt).Values
}

// runResult is run returning the whole Result.
func runResult(t *testing.T, name string, args map[string]any, opt Options) Result {
	t.Helper()
	res, err := Run(context.Background(), conn.Local{}, name, args, opt)
	if err != nil {
		t.Fatalf("Run(%s, %v): %v", name, args, err)
	}
	return res
}

// subset checks that every key of want is in got with an equal value.
func subset(t *testing.T, got, want map[string]any) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("key %q missing from %v", k, got)
			continue
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s = %#v, want %#v", k, g, w)
		}
	}
}

// keys checks that res has exactly these keys.
func keys(t *testing.T, res map[string]any, want ...string) {
	t.Helper()
	var got []string
	for k := range res {
		got = append(got, k)
	}
	if len(got) != len(want) {
		t.Errorf("keys = %v, want %v", got, want)
		return
	}
	for _, k := range want {
		if _, ok := res[k]; !ok {
			t.Errorf("keys = %v, want %v", got, want)
			return
		}
	}
}

var (
	timeRe  = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$`)
	deltaRe = regexp.MustCompile(`^0:00:0\d(\.\d{6})?$`)
)

func TestCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	exists := filepath.Join(dir, "exists")
	if err := os.WriteFile(exists, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		mod  string
		args map[string]any
		want map[string]any
		keys []string // exact key set when set (invocation included)
	}{
		{"free form", "command", map[string]any{"_raw_params": `echo "a b" 'c d' e\ f`},
			map[string]any{"changed": true, "cmd": []any{"echo", "a b", "c d", "e f"}, "rc": 0, "stdout": "a b c d e f", "stderr": "", "msg": ""},
			[]string{"changed", "cmd", "delta", "end", "invocation", "msg", "rc", "start", "stderr", "stdout"}},
		// No shell: ";" is an argument. $HOME is expanded from the host's
		// environment, as Ansible's command module does; cmd shows it as written.
		{"no shell", "command", map[string]any{"_raw_params": `echo $HOME; x $(id)`},
			map[string]any{"stdout": os.Getenv("HOME") + "; x $(id)", "cmd": []any{"echo", "$HOME;", "x", "$(id)"}}, nil},
		{"argv", "ansible.builtin.command", map[string]any{"argv": []any{"echo", "a b"}},
			map[string]any{"cmd": []any{"echo", "a b"}, "stdout": "a b"}, nil},
		{"cmd", "command", map[string]any{"cmd": "printf 'x\\n\\n'"},
			map[string]any{"stdout": "x"}, nil},
		{"keep ends", "command", map[string]any{"cmd": "printf 'x\\n\\n'", "strip_empty_ends": false},
			map[string]any{"stdout": "x\n\n"}, nil},
		{"non-zero", "command", map[string]any{"_raw_params": "/bin/false"},
			map[string]any{"failed": true, "changed": true, "rc": 1, "msg": "non-zero return code"},
			[]string{"changed", "cmd", "delta", "end", "failed", "invocation", "msg", "rc", "start", "stderr", "stdout"}},
		{"missing program", "command", map[string]any{"_raw_params": "/nonexistent/bin/tool x"},
			map[string]any{"failed": true, "changed": false, "rc": 2, "cmd": "/nonexistent/bin/tool x", "stdout": "", "stderr": "",
				"msg": "[Errno 2] No such file or directory: b'/nonexistent/bin/tool'"},
			[]string{"changed", "cmd", "failed", "invocation", "msg", "rc", "stderr", "stdout"}},
		{"missing program with stdin", "command", map[string]any{"_raw_params": "/nonexistent/bin/tool", "stdin": "x"},
			map[string]any{"failed": true, "rc": 2, "msg": "[Errno 2] No such file or directory: b'/nonexistent/bin/tool'"}, nil},
		{"permission denied", "command", map[string]any{"_raw_params": exists},
			map[string]any{"failed": true, "rc": 13, "msg": "[Errno 13] Permission denied: b'" + exists + "'"}, nil},
		{"stdin", "command", map[string]any{"_raw_params": "cat", "stdin": "hello"},
			map[string]any{"stdout": "hello", "cmd": []any{"cat"}}, nil},
		{"stdin newline kept", "command", map[string]any{"_raw_params": "od -c", "stdin": "a", "stdin_add_newline": true},
			map[string]any{"rc": 0}, nil},
		{"creates", "command", map[string]any{"_raw_params": "echo hi", "creates": exists},
			map[string]any{"changed": false, "rc": 0, "cmd": []any{"echo", "hi"}, "start": nil, "end": nil, "delta": nil, "stderr": "",
				"stdout": "skipped, since " + exists + " exists", "msg": "Did not run command since '" + exists + "' exists"},
			[]string{"changed", "cmd", "delta", "end", "invocation", "msg", "rc", "start", "stderr", "stdout"}},
		{"creates glob", "command", map[string]any{"_raw_params": "echo hi", "creates": filepath.Join(dir, "ex*")},
			map[string]any{"changed": false, "msg": "Did not run command since '" + filepath.Join(dir, "ex*") + "' exists"}, nil},
		{"creates relative to chdir", "command", map[string]any{"_raw_params": "echo hi", "creates": "exists", "chdir": dir},
			map[string]any{"changed": false}, nil},
		{"creates absent", "command", map[string]any{"_raw_params": "echo hi", "creates": filepath.Join(dir, "no such")},
			map[string]any{"changed": true, "stdout": "hi"}, nil},
		{"removes", "command", map[string]any{"_raw_params": "echo hi", "removes": "/nonexistent"},
			map[string]any{"changed": false, "rc": 0, "stdout": "skipped, since /nonexistent does not exist",
				"msg": "Did not run command since '/nonexistent' does not exist"}, nil},
		{"removes present", "command", map[string]any{"_raw_params": "echo hi", "removes": exists},
			map[string]any{"changed": true, "stdout": "hi"}, nil},
		{"chdir", "command", map[string]any{"_raw_params": "pwd", "chdir": dir},
			map[string]any{"stdout": dir}, nil},
		{"chdir missing", "command", map[string]any{"_raw_params": "pwd", "chdir": "/nonexistent"},
			map[string]any{"failed": true, "changed": false, "rc": nil, "cmd": []any{"pwd"}, "start": nil,
				"msg": "Unable to change directory before execution: [Errno 2] No such file or directory: b'/nonexistent'"}, nil},
		{"chdir not a dir", "command", map[string]any{"_raw_params": "pwd", "chdir": exists},
			map[string]any{"failed": true, "msg": "Unable to change directory before execution: [Errno 20] Not a directory: b'" + exists + "'"}, nil},
		{"no command", "command", map[string]any{},
			map[string]any{"failed": true, "rc": 256, "msg": "no command given", "cmd": nil}, nil},
		{"both", "command", map[string]any{"_raw_params": "echo", "argv": []any{"echo"}},
			map[string]any{"failed": true, "rc": 256, "msg": "only command or argv can be given, not both"}, nil},
		{"unterminated quote", "command", map[string]any{"_raw_params": "echo 'x"},
			map[string]any{"failed": true, "msg": "MODULE FAILURE\nSee stdout/stderr for the exact error"}, nil},
		{"unsupported parameter", "command", map[string]any{"cmd": "echo", "foo": 1},
			map[string]any{"failed": true, "changed": false, "msg": "Unsupported parameters for (ansible.legacy.command) module: foo. Supported parameters include: _raw_params, _uses_shell, argv, chdir, creates, executable, removes, stdin, stdin_add_newline, strip_empty_ends."},
			[]string{"changed", "failed", "invocation", "msg"}},
		{"shell", "shell", map[string]any{"_raw_params": "echo $0; echo err >&2; printf 'x\\n\\n\\n'"},
			map[string]any{"changed": true, "cmd": "echo $0; echo err >&2; printf 'x\\n\\n\\n'", "stdout": "/bin/sh\nx", "stderr": "err", "rc": 0}, nil},
		{"shell executable chdir", "ansible.builtin.shell", map[string]any{"_raw_params": `echo "$BASH_VERSION" | cut -c1; pwd`, "executable": "/bin/bash", "chdir": dir},
			map[string]any{"stdout": "5\n" + dir}, nil},
		{"shell exit", "shell", map[string]any{"_raw_params": "exit 5"},
			map[string]any{"failed": true, "rc": 5, "changed": true, "msg": "non-zero return code"}, nil},
		{"shell signal", "shell", map[string]any{"_raw_params": "kill -TERM $$"},
			map[string]any{"failed": true, "rc": -15, "changed": true, "msg": "non-zero return code"}, nil},
		{"shell stdin", "shell", map[string]any{"_raw_params": "tr a-z A-Z", "stdin": "abc"},
			map[string]any{"stdout": "ABC", "cmd": "tr a-z A-Z"}, nil},
		{"shell creates", "shell", map[string]any{"_raw_params": "echo hi", "creates": exists},
			map[string]any{"changed": false, "cmd": "echo hi", "stdout": "skipped, since " + exists + " exists"}, nil},
		{"shell missing", "shell", map[string]any{"_raw_params": "/nonexistent/x"},
			map[string]any{"failed": true, "rc": 127, "changed": true}, nil},
		{"raw", "raw", map[string]any{"_raw_params": "echo raw; echo e >&2"},
			map[string]any{"changed": true, "rc": 0, "stdout": "raw\n", "stderr": "e\n"},
			[]string{"changed", "rc", "stderr", "stdout"}},
		{"raw exit", "raw", map[string]any{"_raw_params": "exit 3"},
			map[string]any{"changed": true, "failed": true, "rc": 3, "msg": "non-zero return code"},
			[]string{"changed", "failed", "msg", "rc", "stderr", "stdout"}},
		{"ping", "ping", map[string]any{},
			map[string]any{"changed": false, "ping": "pong", "invocation": map[string]any{"module_args": map[string]any{"data": "pong"}}},
			[]string{"changed", "invocation", "ping"}},
		{"ping data", "ping", map[string]any{"data": "hi"}, map[string]any{"ping": "hi"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, tt.mod, tt.args, Options{})
			subset(t, res, tt.want)
			if tt.keys != nil {
				keys(t, res, tt.keys...)
			}
			if res["rc"] != nil && res["start"] != nil {
				if !timeRe.MatchString(res["start"].(string)) || !timeRe.MatchString(res["end"].(string)) {
					t.Errorf("start, end = %q, %q", res["start"], res["end"])
				}
				if !deltaRe.MatchString(res["delta"].(string)) {
					t.Errorf("delta = %q", res["delta"])
				}
			}
		})
	}
}

func TestCommandInvocation(t *testing.T) {
	t.Parallel()
	res := run(t, "command", map[string]any{"_raw_params": "echo hi"}, Options{})
	want := map[string]any{"module_args": map[string]any{"_raw_params": "echo hi", "_uses_shell": false, "argv": nil,
		"chdir": nil, "creates": nil, "executable": nil, "removes": nil, "stdin": nil, "stdin_add_newline": true, "strip_empty_ends": true}}
	if !reflect.DeepEqual(res["invocation"], want) {
		t.Errorf("invocation = %v, want %v", res["invocation"], want)
	}
}

func TestCommandEnvAndExecutableWarning(t *testing.T) {
	t.Parallel()
	res := run(t, "command", map[string]any{"_raw_params": "printenv JP_X", "executable": "/bin/bash"}, Options{Env: map[string]string{"JP_X": "42"}})
	subset(t, res, map[string]any{"stdout": "42", "warnings": []any{"As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '/bin/bash'."}})
}

func TestAsyncNotSupported(t *testing.T) {
	t.Parallel()
	dest := filepath.Join(t.TempDir(), "f")
	for _, name := range []string{"raw", "copy"} {
		res := runResult(t, name, map[string]any{"_raw_params": "touch " + dest, "content": "x", "dest": dest}, Options{Async: time.Second})
		subset(t, res.Values, map[string]any{"failed": true, "msg": "async is not supported for this task."})
		if res.TimedOut || !res.Failed() {
			t.Errorf("%s: TimedOut %v, Failed %v; want false, true", name, res.TimedOut, res.Failed())
		}
	}
	if _, err := os.Stat(dest); err == nil {
		t.Error("a module without async support ran")
	}
}

func TestAsyncTimeoutKillsTree(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "pids")
	script := "sleep 300 & echo $! > " + pidFile + "; echo started; sleep 300 & echo $! >> " + pidFile + "; wait"
	r := runResult(t, "shell", map[string]any{"_raw_params": script}, Options{Async: time.Second})
	if !r.TimedOut || !r.Failed() {
		t.Errorf("TimedOut %v, Failed %v; want true, true", r.TimedOut, r.Failed())
	}
	res := r.Values
	keys(t, res, "changed", "child_pid", "failed", "invocation", "msg", "stderr", "stdout")
	subset(t, res, map[string]any{"failed": true, "changed": false, "msg": "Timeout exceeded", "stdout": "started\n"})
	if pid, _ := res["child_pid"].(int); pid <= 0 {
		t.Errorf("child_pid = %v", res["child_pid"])
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pids := strings.Fields(string(data))
	if len(pids) != 2 {
		t.Fatalf("pids = %q", pids)
	}
	for _, s := range pids {
		pid, _ := strconv.Atoi(s)
		// The sleeps were children of the killed shell: once reaped by
		// init they no longer exist. Poll briefly for the reaping.
		deadline := time.Now().Add(5 * time.Second)
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if alive(pid) {
			t.Errorf("sleep %d survived the timeout", pid)
		}
	}
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

func TestAsyncFinishesInTime(t *testing.T) {
	t.Parallel()
	res := runResult(t, "command", map[string]any{"_raw_params": "echo ok"}, Options{Async: 10 * time.Second, Detach: true, JobID: "j1"})
	subset(t, res.Values, map[string]any{"rc": 0, "stdout": "ok", "changed": true})
	if res.TimedOut || res.Failed() {
		t.Errorf("TimedOut %v, Failed %v; want false, false", res.TimedOut, res.Failed())
	}
}

// Every module with async support says TimedOut when the async deadline
// killed its main command, with Ansible's kill result; a module whose
// command finished in time does not.
func TestRunTimedOut(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args map[string]any
	}{
		{"command", map[string]any{"_raw_params": "sleep 9"}},
		{"shell", map[string]any{"_raw_params": "sleep 9"}},
		{"ping", nil},
		{"file", map[string]any{"path": "/tmp/x", "state": "touch"}},
		{"stat", map[string]any{"path": "/tmp/x"}},
		{"get_url", map[string]any{"url": "http://127.0.0.1:1/x", "dest": "/tmp/x"}},
		{"package", map[string]any{"name": "x", "state": "present", "use": "apt"}},
		{"service", map[string]any{"name": "x", "state": "started", "use": "systemd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, killed := range []bool{true, false} {
				rec := &recorder{answer: func(c conn.Command) (conn.Result, error) {
					if c.Timeout > 0 && killed {
						return conn.Result{TimedOut: true, PID: 42, Stdout: []byte("partial")}, nil
					}
					return conn.Result{}, nil
				}}
				res, err := Run(context.Background(), rec, tt.name, tt.args, Options{Async: time.Minute})
				if err != nil {
					t.Fatal(err)
				}
				if res.TimedOut != killed {
					t.Errorf("killed %v: TimedOut = %v, values %v", killed, res.TimedOut, res.Values)
				}
				if killed {
					subset(t, res.Values, map[string]any{"failed": true, "changed": false, "msg": "Timeout exceeded",
						"child_pid": 42, "stdout": "partial", "stderr": ""})
				}
			}
		})
	}
}

// recorder is a Runner that records commands and answers from a script.
type recorder struct {
	cmds   []conn.Command
	answer func(c conn.Command) (conn.Result, error)
}

func (r *recorder) Run(_ context.Context, c conn.Command) (conn.Result, error) {
	r.cmds = append(r.cmds, c)
	if r.answer == nil {
		return conn.Result{}, nil
	}
	return r.answer(c)
}

func TestRunPassesOptions(t *testing.T) {
	t.Parallel()
	rec := &recorder{answer: func(c conn.Command) (conn.Result, error) {
		if len(c.Argv) > 2 && c.Argv[2] == precheckScript {
			return conn.Result{Stdout: []byte("run\n")}, nil
		}
		return conn.Result{}, nil
	}}
	opt := Options{Async: 5 * time.Second, Detach: true, JobID: "jid1", Become: true, BecomeUser: "bob",
		BecomeMethod: "su", BecomePassword: "pw", Env: map[string]string{"A": "1"}}
	if _, err := Run(context.Background(), rec, "command", map[string]any{"_raw_params": "ls -l", "creates": "/x y"}, opt); err != nil {
		t.Fatal(err)
	}
	if len(rec.cmds) != 2 {
		t.Fatalf("commands = %+v", rec.cmds)
	}
	check, main := rec.cmds[0], rec.cmds[1]
	if check.Timeout != 0 || check.Detach || !check.Become || check.Env["A"] != "1" {
		t.Errorf("check command = %+v", check)
	}
	if got := check.Argv[len(check.Argv)-2]; got != "/x y" {
		t.Errorf("creates passed as %q", got)
	}
	want := conn.Command{Argv: []string{"ls", "-l"}, Timeout: 5 * time.Second, Detach: true, JobID: "jid1", Become: true,
		BecomeUser: "bob", BecomeMethod: "su", BecomePassword: "pw", Env: map[string]string{"A": "1"}}
	if !reflect.DeepEqual(main, want) {
		t.Errorf("main command = %+v, want %+v", main, want)
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	unreachable := &conn.UnreachableError{Host: "h", Err: errors.New("dial tcp: refused")}
	rec := &recorder{answer: func(conn.Command) (conn.Result, error) { return conn.Result{}, unreachable }}
	for _, name := range []string{"command", "shell", "raw", "ping", "file", "stat", "wait_for"} {
		args := map[string]any{"path": "/tmp"}
		switch name {
		case "command", "shell", "raw":
			args = map[string]any{"_raw_params": "true"}
		case "ping":
			args = nil
		}
		_, err := Run(context.Background(), rec, name, args, Options{})
		var ue *conn.UnreachableError
		if !errors.As(err, &ue) || !errors.Is(err, conn.ErrUnreachable) {
			t.Errorf("%s: err = %v, want the UnreachableError", name, err)
		}
	}
	if _, err := Run(context.Background(), rec, "debug", nil, Options{}); !errors.Is(err, ErrNotHostModule) {
		t.Errorf("debug: err = %v", err)
	}
	if _, err := Run(context.Background(), rec, "nope", nil, Options{}); !errors.Is(err, ErrUnknownModule) {
		t.Errorf("nope: err = %v", err)
	}
}

func TestRunCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := Run(ctx, conn.Local{}, "command", map[string]any{"_raw_params": "sleep 30"}, Options{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want DeadlineExceeded", err)
	}
}

func TestPyTime(t *testing.T) {
	t.Parallel()
	loc := time.Local
	tm := time.Date(2026, 11, 28, 20, 5, 18, 123456789, loc)
	if got := pyTime(tm); got != "2026-11-28 20:05:18.123456" {
		t.Errorf("pyTime = %q", got)
	}
	if got := pyTime(tm.Truncate(time.Second)); got != "2026-11-28 20:05:18" {
		t.Errorf("pyTime = %q", got)
	}
	for d, want := range map[time.Duration]string{
		3456 * time.Microsecond: "0:00:00.003456",
		time.Second:             "0:00:01",
		26*time.Hour + 3*time.Minute + 4*time.Second: "1 day, 2:03:04",
		50 * time.Hour:    "2 days, 2:00:00",
		-time.Millisecond: "-1 day, 23:59:59.999000",
	} {
		if got := pyDelta(d); got != want {
			t.Errorf("pyDelta(%v) = %q, want %q", d, got, want)
		}
	}
}
