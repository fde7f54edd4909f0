package report

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestTextCases(t *testing.T) {
	task := Task{Name: "t", Action: "command", ID: "t1"}
	tests := []struct {
		name    string
		verbose int
		run     func(r Reporter)
		wantOut string
		wantErr string
	}{
		{
			// Observed with ansible-playbook 2.14: the censored item result
			// carries no label, the censored loop result no "results".
			name: "no_log loop",
			run: func(r Reporter) {
				r.TaskStart(task)
				r.Item(ItemResult{Host: "h1", Status: Changed, Item: "a",
					Result: map[string]any{"changed": true, "item": "a", "_ansible_no_log": true}})
				r.HostResult(task, HostResult{Host: "h1", Status: Changed,
					Result: map[string]any{"changed": true, "_ansible_no_log": true, "results": []any{}}})
			},
			wantOut: "changed: [h1] => (item=None)\nchanged: [h1]\n",
		},
		{
			name: "no_log failure",
			run: func(r Reporter) {
				r.HostResult(task, HostResult{Host: "h1", Status: Failed, Result: map[string]any{"rc": 1, "changed": true, "_ansible_no_log": true}})
			},
			wantOut: `fatal: [h1]: FAILED! => {"censored": "the output has been hidden due to the fact that 'no_log: true' was specified for this result", "changed": true}` + "\n",
		},
		{
			name: "exception",
			run: func(r Reporter) {
				r.HostResult(task, HostResult{Host: "h1", Status: Failed, Ignored: true, Result: map[string]any{
					"changed": false, "failed": true, "msg": "async is not supported for this task.", "exception": "NoneType: None\n"}})
			},
			wantOut: "An exception occurred during task execution. To see the full traceback, use -vvv. The error was: NoneType: None\n" +
				`fatal: [h1]: FAILED! => {"changed": false, "msg": "async is not supported for this task."}` + "\n...ignoring\n",
		},
		{
			// Observed with ansible-playbook 2.14: a debug whose msg has an
			// undefined variable fails before the action runs, so its
			// result is not shown indented; one that failed_when failed is.
			name: "failed debug",
			run: func(r Reporter) {
				debug := Task{Name: "d", Action: "debug", ID: "d1"}
				r.HostResult(debug, HostResult{Host: "h1", Status: Failed, Result: map[string]any{
					"failed": true, "msg": "The task includes an option with an undefined variable.", "_ansible_no_log": false}})
				r.HostResult(debug, HostResult{Host: "h2", Status: Failed, Result: map[string]any{
					"failed": true, "changed": false, "failed_when_result": true, "msg": "x", "_ansible_verbose_always": true}})
			},
			wantOut: "fatal: [h1]: FAILED! => {\"msg\": \"The task includes an option with an undefined variable.\"}\n" +
				"fatal: [h2]: FAILED! => {\n    \"msg\": \"x\"\n}\n",
		},
		{
			name: "warnings and deprecations",
			run: func(r Reporter) {
				res := map[string]any{"changed": false, "warnings": []any{"w1", "w1"},
					"deprecations": []any{map[string]any{"msg": "old thing", "version": "2.16", "collection_name": "ansible.builtin"}}}
				r.HostResult(task, HostResult{Host: "h1", Status: OK, Result: res})
				r.Warning("w1")
			},
			wantOut: "ok: [h1]\n",
			wantErr: "[WARNING]: w1\n[DEPRECATION WARNING]: old thing. This feature will be removed from ansible-\ncore in version 2.16. Deprecation warnings can be disabled by setting \ndeprecation_warnings=False in ansible.cfg.\n",
		},
		{
			name:    "verbose ok drops invocation",
			verbose: 1,
			run: func(r Reporter) {
				r.HostResult(task, HostResult{Host: "h1", Status: OK, Result: map[string]any{"changed": false, "rc": 0.0,
					"invocation": map[string]any{"module_args": map[string]any{}}, "_ansible_no_log": false}})
			},
			wantOut: `ok: [h1] => {"changed": false, "rc": 0}` + "\n",
		},
		{
			name: "debug without verbose_always key",
			run: func(r Reporter) {
				dbg := Task{Name: "d", Action: "ansible.builtin.debug", ID: "t1"}
				r.HostResult(dbg, HostResult{Host: "h1", Status: OK, Result: map[string]any{"msg": "hi", "changed": false, "failed": false}})
			},
			wantOut: "ok: [h1] => {\n    \"msg\": \"hi\"\n}\n",
		},
		{
			name: "delegated with address",
			run: func(r Reporter) {
				r.HostResult(task, HostResult{Host: "h1", Status: Unreachable, Delegated: "db", Result: map[string]any{
					"msg": "down", "unreachable": true, "changed": false, "_ansible_delegated_vars": map[string]any{"ansible_host": "10.0.0.9", "secret": "x"}}})
			},
			wantOut: `fatal: [h1 -> db(10.0.0.9)]: UNREACHABLE! => {"changed": false, "msg": "down", "unreachable": true}` + "\n",
		},
		{
			name:    "no hosts matched",
			run:     func(r Reporter) { r.NoHostsMatched("web") },
			wantOut: "skipping: no hosts matched\n",
			wantErr: "[WARNING]: Could not match supplied host pattern, ignoring: web\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errw bytes.Buffer
			r := NewText(TextConfig{Out: &out, Err: &errw, Verbosity: tt.verbose})
			r.PlayStart(Play{Name: "p", Strategy: "free"}) // free: banners only with results
			out.Reset()
			tt.run(r)
			got := out.String()
			if i := strings.Index(got, "*\n"); i >= 0 && strings.HasPrefix(got, "\nTASK") {
				got = got[i+2:]
			}
			if got != tt.wantOut {
				t.Errorf("out:\n%q\nwant\n%q", got, tt.wantOut)
			}
			if errw.String() != tt.wantErr {
				t.Errorf("err:\n%q\nwant\n%q", errw.String(), tt.wantErr)
			}
		})
	}
}

func TestTextFreeStrategyBanners(t *testing.T) {
	var out bytes.Buffer
	r := NewText(TextConfig{Out: &out})
	r.PlayStart(Play{Name: "p", Strategy: "free"})
	a, b := Task{Name: "a", ID: "1"}, Task{Name: "b", ID: "2"}
	r.TaskStart(a)
	r.TaskStart(b)
	r.HostResult(a, HostResult{Host: "h1", Status: OK})
	r.HostResult(b, HostResult{Host: "h2", Status: OK})
	r.HostResult(b, HostResult{Host: "h1", Status: OK})
	r.HostResult(a, HostResult{Host: "h2", Status: OK})
	want := "\nPLAY [p] " + strings.Repeat("*", 71) + "\n" +
		"\nTASK [a] " + strings.Repeat("*", 71) + "\nok: [h1]\n" +
		"\nTASK [b] " + strings.Repeat("*", 71) + "\nok: [h2]\nok: [h1]\n" +
		"\nTASK [a] " + strings.Repeat("*", 71) + "\nok: [h2]\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("disk full") }

func TestFinishReturnsWriteError(t *testing.T) {
	for _, r := range []Reporter{NewText(TextConfig{Out: failWriter{}}), NewJSON(JSONConfig{Out: failWriter{}})} {
		r.PlayStart(Play{Name: "p"})
		if err := r.Finish(Stats{}); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("%T: Finish = %v, want the write error", r, err)
		}
	}
}

// Hosts report concurrently; run with -race.
func TestConcurrentReporters(t *testing.T) {
	for _, r := range []Reporter{NewText(TextConfig{}), NewJSON(JSONConfig{})} {
		task := Task{Name: "t", Action: "command", ID: "t1"}
		r.PlayStart(Play{Name: "p"})
		r.TaskStart(task)
		res := map[string]any{"changed": true, "results": []any{map[string]any{"item": "a"}}}
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				h := fmt.Sprintf("h%d", i)
				r.Item(ItemResult{Host: h, Status: Changed, Item: "a", Result: res["results"].([]any)[0].(map[string]any)})
				r.Retry(h, "t", 1)
				r.AsyncPoll(h, "j")
				r.Warning("w")
				r.HostResult(task, HostResult{Host: h, Status: Changed, Result: res})
			})
		}
		wg.Wait()
		if err := r.Finish(Stats{}); err != nil {
			t.Fatal(err)
		}
	}
}
