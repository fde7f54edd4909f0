package action

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/job"
)

func TestNormal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		module  string
		args    map[string]any
		async   int
		poll    int
		timeout int
		wantJob *Job
		wantMsg string
	}{
		{"sync job", "command", map[string]any{"_raw_params": "echo hi"}, 0, 15, 7,
			&Job{Module: "command", Args: map[string]any{"_raw_params": "echo hi"}, Poll: 15, Timeout: 7, NoLog: true, Check: true}, ""},
		{"async launch", "shell", map[string]any{"_raw_params": "sleep 1"}, 30, 0, 0,
			&Job{Module: "shell", Args: map[string]any{"_raw_params": "sleep 1"}, Async: 30, NoLog: true, Check: true}, ""},
		{"bad args", "ping", map[string]any{"nope": 1}, 0, 15, 0, nil, "Unsupported parameters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := &fakeEngine{run: func(Job) Outcome { return Outcome{Result: map[string]any{"changed": true}, Fault: Timeout} }}
			c := newCall(t, tt.module, tt.args, nil)
			c.Async, c.Poll, c.Timeout, c.NoLog, c.Check = tt.async, tt.poll, tt.timeout, true, true
			o := run(t, c, e)
			if tt.wantJob == nil {
				if len(e.jobs) != 0 || o.Result["failed"] != true || !strings.Contains(o.Result["msg"].(string), tt.wantMsg) {
					t.Errorf("normal = %v, jobs %v; want failed with %q and no job", o.Result, e.jobs, tt.wantMsg)
				}
				return
			}
			if len(e.jobs) != 1 || !reflect.DeepEqual(e.jobs[0], *tt.wantJob) {
				t.Errorf("jobs = %+v, want %+v", e.jobs, *tt.wantJob)
			}
			if o.Fault != Timeout || o.Result["changed"] != true {
				t.Errorf("normal = %v %v, want the job's outcome", o.Fault, o.Result)
			}
		})
	}
}

func TestCopy(t *testing.T) {
	t.Parallel()
	book := t.TempDir()
	files := filepath.Join(book, "files")
	mustWrite(t, filepath.Join(files, "a.txt"), "A")
	mustWrite(t, filepath.Join(files, "tree", "x"), "X")
	mustWrite(t, filepath.Join(files, "tree", "sub", "y"), "Y")
	if err := os.Symlink(filepath.Join(book, "gone"), filepath.Join(files, "dangling", "l")); err != nil {
		if err := os.MkdirAll(filepath.Join(files, "dangling"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(book, "gone"), filepath.Join(files, "dangling", "l")); err != nil {
			t.Fatal(err)
		}
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	absTree := filepath.Join(files, "tree")
	tests := []struct {
		name     string
		args     map[string]any
		wantArgs map[string]any // nil: no job
		wantMsg  string
	}{
		{"file", map[string]any{"src": "a.txt", "dest": "/d"},
			map[string]any{"src": "a.txt", "dest": "/d", "_content_b64": b64("A"), "_original_basename": "a.txt"}, ""},
		{"content untouched", map[string]any{"content": "c", "dest": "/d"}, map[string]any{"content": "c", "dest": "/d"}, ""},
		{"remote_src untouched", map[string]any{"src": "/etc/x", "dest": "/d", "remote_src": true},
			map[string]any{"src": "/etc/x", "dest": "/d", "remote_src": true}, ""},
		{"directory itself", map[string]any{"src": "tree", "dest": "/d"},
			map[string]any{"src": "tree", "dest": "/d", "_src_path": absTree,
				"_dir_dirs":  []any{"tree/sub"},
				"_dir_files": []any{map[string]any{"path": "tree/sub/y", "b64": b64("Y")}, map[string]any{"path": "tree/x", "b64": b64("X")}}}, ""},
		{"directory contents", map[string]any{"src": "tree/", "dest": "/d"},
			map[string]any{"src": "tree/", "dest": "/d", "_src_path": absTree + "/",
				"_dir_dirs":  []any{"sub"},
				"_dir_files": []any{map[string]any{"path": "sub/y", "b64": b64("Y")}, map[string]any{"path": "x", "b64": b64("X")}}}, ""},
		{"missing", map[string]any{"src": "none.txt", "dest": "/d"}, nil,
			"Could not find or access 'none.txt'\nSearched in:\n\t"},
		{"dangling link", map[string]any{"src": "dangling", "dest": "/d"}, nil, "jetplay does not implement copying the dangling link"},
		{"bad args", map[string]any{"src": "a.txt"}, nil, "missing required arguments: dest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := &fakeEngine{}
			c := newCall(t, "copy", tt.args, nil)
			c.BookDir = book
			o := run(t, c, e)
			if tt.wantArgs == nil {
				msg, _ := o.Result["msg"].(string)
				if len(e.jobs) != 0 || o.Result["failed"] != true || !strings.Contains(msg, tt.wantMsg) {
					t.Errorf("copy = %v, jobs %v; want failed with %q and no job", o.Result, e.jobs, tt.wantMsg)
				}
				return
			}
			if len(e.jobs) != 1 || e.jobs[0].Module != "copy" || !reflect.DeepEqual(e.jobs[0].Args, tt.wantArgs) {
				t.Errorf("jobs = %+v, want one copy job with %v", e.jobs, tt.wantArgs)
			}
		})
	}
}

func mustWrite(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestTemplate(t *testing.T) {
	t.Parallel()
	book := t.TempDir()
	mustWrite(t, filepath.Join(book, "templates", "t.j2"), "name={{ who }}\n")
	mustWrite(t, filepath.Join(book, "templates", "bad.j2"), "{{ nope }}")
	tests := []struct {
		name     string
		args     map[string]any
		wantArgs map[string]any
		wantMsg  string
	}{
		{"rendered into copy", map[string]any{"src": "t.j2", "dest": "/d", "mode": "0644", "trim_blocks": false},
			map[string]any{"dest": "/d", "mode": "0644", "content": "name=web\n"}, ""},
		{"no src", map[string]any{"dest": "/d"}, nil, "missing required arguments: src"},
		{"missing file", map[string]any{"src": "none.j2", "dest": "/d"}, nil, "Could not find or access 'none.j2'"},
		{"template error", map[string]any{"src": "bad.j2", "dest": "/d"}, nil, "AnsibleError: template error while templating string: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := &fakeEngine{}
			c := newCall(t, "template", tt.args, map[string]any{"who": "web"})
			c.BookDir, c.NoLog, c.Diff, c.Timeout = book, true, true, 9
			o := run(t, c, e)
			if tt.wantArgs == nil {
				msg, _ := o.Result["msg"].(string)
				if len(e.jobs) != 0 || !strings.HasPrefix(msg, tt.wantMsg) {
					t.Errorf("template = %v, jobs %v; want failed with %q", o.Result, e.jobs, tt.wantMsg)
				}
				return
			}
			want := Job{Module: "copy", Args: tt.wantArgs, NoLog: true, Diff: true}
			if len(e.jobs) != 1 || !reflect.DeepEqual(e.jobs[0], want) {
				t.Errorf("jobs = %+v, want %+v", e.jobs, want)
			}
		})
	}
}

func TestWaitForConnection(t *testing.T) {
	t.Parallel()
	down := Outcome{Result: map[string]any{"failed": true, "unreachable": true, "msg": "no route"}}
	up := Outcome{Result: map[string]any{"changed": false, "ping": "pong"}}
	tests := []struct {
		name     string
		args     map[string]any
		check    bool
		answers  []Outcome
		wantJobs []string
		want     map[string]any
	}{
		{"up at once", nil, false, []Outcome{up}, []string{"w1"}, map[string]any{"changed": false, "elapsed": 0}},
		{"up at the third", map[string]any{"sleep": 0}, false, []Outcome{down, down, up}, []string{"w1", "w2", "w3"},
			map[string]any{"changed": false, "elapsed": 0}},
		{"timed out", map[string]any{"sleep": 0.01, "timeout": 0}, false, []Outcome{down}, []string{"w1"},
			map[string]any{"failed": true, "changed": false, "elapsed": 0, "msg": "timed out waiting for ping module test: no route"}},
		{"check mode", nil, true, nil, nil, map[string]any{"changed": false, "skipped": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := 0
			e := &fakeEngine{run: func(Job) Outcome { o := tt.answers[min(n, len(tt.answers)-1)]; n++; return o }}
			c := newCall(t, "wait_for_connection", tt.args, nil)
			c.Check = tt.check
			o := run(t, c, e)
			var execs []string
			for _, j := range e.jobs {
				if j.Module != "ping" || len(j.Args) != 0 {
					t.Errorf("job %+v, want a ping without arguments", j)
				}
				execs = append(execs, j.Exec)
			}
			if !reflect.DeepEqual(execs, tt.wantJobs) {
				t.Errorf("job execs = %v, want %v", execs, tt.wantJobs)
			}
			if !reflect.DeepEqual(o.Result, tt.want) {
				t.Errorf("wait_for_connection = %v, want %v", o.Result, tt.want)
			}
		})
	}
}

// finished is the status record of a job that succeeded with result.
func finished(id job.ID, result map[string]any) job.Status {
	return job.Status{JID: id, State: job.Succeeded, Result: result}
}

func TestAsyncStatus(t *testing.T) {
	t.Parallel()
	id := job.ID("r1.00001")
	running := job.Status{JID: id, State: job.Running}
	tests := []struct {
		name        string
		args        map[string]any
		statuses    map[job.ID]job.Status
		statusErr   error
		deleteErr   error
		want        map[string]any // keys checked
		wantDeleted bool
	}{
		{"running", map[string]any{"jid": string(id)}, map[job.ID]job.Status{id: running},
			nil, nil, map[string]any{"finished": 0, "started": 1, "ansible_job_id": string(id),
				"invocation": map[string]any{"module_args": map[string]any{"jid": string(id), "mode": "status"}}}, false},
		{"finished", map[string]any{"jid": string(id)}, map[job.ID]job.Status{id: finished(id, map[string]any{"rc": 0, "changed": true})},
			nil, nil, map[string]any{"finished": 1, "rc": 0, "changed": true}, false},
		{"not found", map[string]any{"jid": string(id)}, nil, nil, nil,
			map[string]any{"failed": true, "msg": "could not find job", "results_file": job.ResultsFile(id), "stdout_lines": []any{}}, false},
		{"cleanup", map[string]any{"jid": string(id), "mode": "cleanup"}, map[job.ID]job.Status{id: running}, nil, nil,
			map[string]any{"failed": false, "erased": job.ResultsFile(id), "started": 0,
				"invocation": map[string]any{"module_args": map[string]any{"jid": string(id), "mode": "cleanup"}}}, true},
		{"cleanup not found", map[string]any{"jid": string(id), "mode": "cleanup"}, nil, nil, nil,
			map[string]any{"failed": true, "msg": "could not find job", "erased": job.ResultsFile(id)}, false},
		{"cleanup fails", map[string]any{"jid": string(id), "mode": "cleanup"}, map[job.ID]job.Status{id: running}, nil, errors.New("kv down"),
			map[string]any{"failed": true, "msg": "cleanup of job r1.00001: kv down"}, false},
		{"bad mode", map[string]any{"jid": string(id), "mode": "x"}, map[job.ID]job.Status{id: running}, nil, nil,
			map[string]any{"failed": true, "msg": "value of mode must be one of: status, cleanup, got: x"}, false},
		{"status error", map[string]any{"jid": string(id)}, nil, errors.New("bus gone"), nil,
			map[string]any{"failed": true, "msg": "bus gone"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := &fakeEngine{statuses: tt.statuses, statusErr: tt.statusErr, deleteErr: tt.deleteErr}
			o := run(t, newCall(t, "async_status", tt.args, nil), e)
			for k, w := range tt.want {
				if g := o.Result[k]; !reflect.DeepEqual(g, w) {
					t.Errorf("%s = %#v, want %#v (result %v)", k, g, w, o.Result)
				}
			}
			if got := len(e.deleted) == 1; got != tt.wantDeleted {
				t.Errorf("deleted %v, want deleted %v", e.deleted, tt.wantDeleted)
			}
		})
	}
}

func TestAsyncStatusUntil(t *testing.T) {
	t.Parallel()
	id := job.ID("r1.00002")
	running := job.Status{JID: id, State: job.Running}
	done := finished(id, map[string]any{"rc": 0})
	isFinished := func(res map[string]any) (bool, error) { return res["finished"] == 1, nil }
	tests := []struct {
		name         string
		args         map[string]any
		statuses     map[job.ID]job.Status
		updates      []job.Status
		until        func(map[string]any) (bool, error)
		delay        time.Duration
		changedWhen  []any
		wantHandled  bool
		wantFailed   bool
		wantAttempts int
		wantRetries  []int
		wantMsg      string
		wantChanged  any
	}{
		{"holds at once", map[string]any{"jid": string(id)}, map[job.ID]job.Status{id: done}, nil, isFinished, time.Hour, nil,
			true, false, 1, nil, "", false},
		{"holds on a change", map[string]any{"jid": string(id)}, map[job.ID]job.Status{id: running}, []job.Status{running, done}, isFinished,
			time.Hour, nil, true, false, 2, []int{3}, "", false},
		// The ticker's lines race the budget: only the first is certain.
		{"budget used up", map[string]any{"jid": string(id)}, map[job.ID]job.Status{id: running}, []job.Status{running}, isFinished,
			time.Millisecond, nil, true, true, 3, []int{3}, "", false},
		{"job never found", map[string]any{"jid": string(id)}, nil, nil,
			func(res map[string]any) (bool, error) { return res["rc"] == 0, nil }, time.Hour, nil,
			true, true, 3, []int{3, 2, 1}, "could not find job", false},
		{"until error", map[string]any{"jid": string(id)}, map[job.ID]job.Status{id: done}, nil,
			func(map[string]any) (bool, error) { return false, errors.New("bad until") }, time.Hour, nil,
			true, true, 0, nil, "bad until", nil},
		{"changed_when judged first", map[string]any{"jid": string(id)}, map[job.ID]job.Status{id: done}, nil,
			func(res map[string]any) (bool, error) { return res["changed"] == true, nil }, time.Hour, []any{"r.rc == 0"},
			true, false, 1, nil, "", true},
		{"cleanup is not a status check", map[string]any{"jid": string(id), "mode": "cleanup"}, nil, nil, isFinished, time.Hour, nil,
			false, false, 0, nil, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := &fakeEngine{statuses: tt.statuses, updates: tt.updates}
			c := newCall(t, "async_status", tt.args, nil)
			c.Until, c.Delay = tt.until, tt.delay
			c.Task.ChangedWhen, c.Task.Register = tt.changedWhen, "r"
			o, handled := AsyncStatusUntil(context.Background(), c, e)
			if handled != tt.wantHandled {
				t.Fatalf("handled = %v, want %v", handled, tt.wantHandled)
			}
			if !handled {
				return
			}
			if failed := o.Result["failed"] == true; failed != tt.wantFailed {
				t.Errorf("failed = %v, want %v (result %v)", failed, tt.wantFailed, o.Result)
			}
			if tt.wantAttempts > 0 && o.Result["attempts"] != tt.wantAttempts {
				t.Errorf("attempts = %v, want %d", o.Result["attempts"], tt.wantAttempts)
			}
			got := e.retries
			if tt.name == "budget used up" && len(got) > 1 {
				got = got[:1]
			}
			if !reflect.DeepEqual(got, tt.wantRetries) {
				t.Errorf("RETRYING lines = %v, want %v", e.retries, tt.wantRetries)
			}
			if tt.wantMsg != "" && o.Result["msg"] != tt.wantMsg {
				t.Errorf("msg = %v, want %q", o.Result["msg"], tt.wantMsg)
			}
			if tt.wantChanged != nil && o.Result["changed"] != tt.wantChanged {
				t.Errorf("changed = %v, want %v", o.Result["changed"], tt.wantChanged)
			}
		})
	}
}

func TestSetup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		answer     Outcome
		wantFailed bool
		wantMsg    string
		wantFacts  bool
	}{
		{"facts", Outcome{Result: map[string]any{"stdout": "hostname vm\nmachine x86_64\n", "changed": true}}, false, "", true},
		{"script fails", Outcome{Result: map[string]any{"failed": true, "stderr": "oops", "msg": "non-zero return code"}},
			true, "gathering facts failed: oops non-zero return code", false},
		{"unreachable", Outcome{Result: map[string]any{"unreachable": true, "failed": true, "msg": "ssh: no route"}},
			true, "ssh: no route", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := &fakeEngine{run: func(Job) Outcome { return tt.answer }}
			o := Setup(context.Background(), newCall(t, "setup", nil, nil), e)
			if len(e.jobs) != 1 || e.jobs[0].Module != "shell" || e.jobs[0].Args["_raw_params"] != factsScript {
				t.Errorf("jobs = %+v, want the facts script", e.jobs)
			}
			if (o.Result["failed"] == true) != tt.wantFailed || (tt.wantMsg != "" && o.Result["msg"] != tt.wantMsg) {
				t.Errorf("setup = %v, want failed %v msg %q", o.Result, tt.wantFailed, tt.wantMsg)
			}
			if !tt.wantFacts {
				if e.facts != nil {
					t.Errorf("facts set on failure: %v", e.facts)
				}
				return
			}
			f := e.facts["h1"]
			if f["ansible_hostname"] != "vm" || f["module_setup"] != true {
				t.Errorf("host facts = %v", f)
			}
			if bare, _ := f["ansible_facts"].(map[string]any); bare["hostname"] != "vm" || bare["architecture"] != "x86_64" {
				t.Errorf("ansible_facts = %v", f["ansible_facts"])
			}
			res, _ := o.Result["ansible_facts"].(map[string]any)
			if res["gather_subset"] == nil || res["ansible_gather_subset"] != nil || o.Result["changed"] != false {
				t.Errorf("setup result = %v", o.Result)
			}
		})
	}
}

func TestRegistered(t *testing.T) {
	t.Parallel()
	in := map[string]any{"rc": 0, "_ansible_no_log": false, "results": []any{
		map[string]any{"item": 1, "_ansible_item_label": 1}, "plain"}}
	want := map[string]any{"rc": 0, "results": []any{map[string]any{"item": 1}, "plain"}}
	if got := Registered(in); !reflect.DeepEqual(got, want) {
		t.Errorf("Registered = %v, want %v", got, want)
	}
	if _, ok := in["_ansible_no_log"]; !ok {
		t.Error("Registered changed its input")
	}
}
