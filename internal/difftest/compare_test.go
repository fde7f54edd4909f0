package difftest

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// doc wraps one task's host results in a json callback document.
func doc(t *testing.T, hosts, stats string) map[string]any {
	t.Helper()
	d, err := Decode([]byte(`{"plays": [{"play": {"name": "p", "id": "x"}, "tasks": [
		{"task": {"name": "t", "id": "y", "duration": {"start": "s"}}, "hosts": ` + hosts + `}]}],
		"stats": ` + stats + `}`))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCompare(t *testing.T) {
	const stats = `{"node1": {"ok": 1, "changed": 1}}`
	tests := []struct {
		name        string
		ansible     string
		jetplay     string
		jetplayStat string
		want        []string
		wantNote    bool
	}{
		{
			name:    "timing and ids ignored",
			ansible: `{"node1": {"rc": 0, "changed": true, "start": "a", "delta": "1", "ansible_job_id": "j123.45", "results_file": "/root/.ansible_async/j123.45", "attempts": 3, "msg": "job j123.45 done"}}`,
			jetplay: `{"node1": {"rc": 0, "changed": true, "start": "b", "delta": "2", "ansible_job_id": "r01abcdef12.00000001", "results_file": "jetplay_status/r01abcdef12.00000001", "attempts": 1, "msg": "job r01abcdef12.00000001 done"}}`,
		},
		{
			name:    "interpreter fact dropped",
			ansible: `{"node1": {"changed": true, "ansible_facts": {"discovered_interpreter_python": "/usr/bin/python3"}}}`,
			jetplay: `{"node1": {"changed": true}}`,
		},
		{
			name:    "value, status and presence",
			ansible: `{"node1": {"rc": 0, "changed": true, "stdout": "x"}}`,
			jetplay: `{"node1": {"rc": 1, "changed": true, "failed": true, "start": "b"}}`,
			want: []string{
				`plays[0].tasks[0].hosts.node1.status: ansible="changed" jetplay="failed"`,
				`plays[0].tasks[0].hosts.node1.failed: ansible=<absent> jetplay=true`,
				`plays[0].tasks[0].hosts.node1.rc: ansible=0 jetplay=1`,
				`plays[0].tasks[0].hosts.node1.start: ansible=<absent> jetplay="b"`,
				`plays[0].tasks[0].hosts.node1.stdout: ansible="x" jetplay=<absent>`,
			},
		},
		{
			name:    "zero is not false",
			ansible: `{"node1": {"changed": true, "failed": 0}}`,
			jetplay: `{"node1": {"changed": true, "failed": false}}`,
			want:    []string{`plays[0].tasks[0].hosts.node1.failed: ansible=0 jetplay=false`},
		},
		{
			name:    "loop items",
			ansible: `{"node1": {"changed": true, "results": [{"item": "a", "rc": 0}, {"item": "b", "rc": 0}]}}`,
			jetplay: `{"node1": {"changed": true, "results": [{"item": "a", "rc": 0}, {"item": "b", "rc": 2}]}}`,
			want:    []string{`plays[0].tasks[0].hosts.node1.results[1].rc: ansible=0 jetplay=2`},
		},
		{
			name:        "recap",
			ansible:     `{"node1": {"changed": true}}`,
			jetplay:     `{"node1": {"changed": true}}`,
			jetplayStat: `{"node1": {"ok": 1, "changed": 0}}`,
			want:        []string{`stats.node1.changed: ansible=1 jetplay=0`},
		},
		{
			name:     "wrapper kill against controller timeout",
			ansible:  `{"node1": {"failed": true, "msg": "Timeout exceeded", "child_pid": 7}}`,
			jetplay:  `{"node1": {"failed": true, "msg": "async task did not complete within the requested time - 2s", "async_result": {}}}`,
			wantNote: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			js := cmpOr(tt.jetplayStat, stats)
			c := Compare(doc(t, tt.ansible, stats), doc(t, tt.jetplay, js))
			var got []string
			for _, d := range c.Diffs {
				got = append(got, d.String())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("diffs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if (len(c.Notes) > 0) != tt.wantNote {
				t.Errorf("notes = %q, want a note: %v", c.Notes, tt.wantNote)
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestDecode(t *testing.T) {
	d, err := Decode([]byte("Pausing for 1 seconds\n{\"plays\": []}\n"))
	if err != nil || d["plays"] == nil {
		t.Fatalf("Decode = %v, %v", d, err)
	}
	if _, err := Decode([]byte("ERROR! no playbook")); !errors.Is(err, ErrNoDocument) {
		t.Fatalf("err = %v, want ErrNoDocument", err)
	}
}

func TestReportFolds(t *testing.T) {
	diffs := []Diff{
		{Path: "plays[0].tasks[0].hosts.node1.action", Ansible: `"ansible.builtin.debug"`, Jetplay: `"debug"`},
		{Path: "plays[0].tasks[0].hosts.node2.action", Ansible: `"ansible.builtin.debug"`, Jetplay: `"debug"`},
		{Path: "plays[0].tasks[0].hosts.node1.rc", Ansible: "0", Jetplay: "1"},
	}
	want := `plays[0].tasks[0].hosts.node1.action: ansible="ansible.builtin.debug" jetplay="debug" (and 1 more like it on other hosts or items)
plays[0].tasks[0].hosts.node1.rc: ansible=0 jetplay=1
`
	if got := Report(diffs); got != want {
		t.Errorf("Report =\n%s\nwant\n%s", got, want)
	}
}

func TestNormalizeText(t *testing.T) {
	ansible := `
PLAY [p] ***

TASK [t] ***
ASYNC POLL on node2: jid=j1.2 started=1 finished=0
ASYNC OK on node2: jid=j1.2
changed: [node2]
FAILED - RETRYING: [node1]: t (3 retries left).
fatal: [node1]: FAILED! => {"ansible_facts": {"discovered_interpreter_python": "/usr/bin/python3"}, "ansible_job_id": "j3.4", "delta": "0:00:01", "rc": 1, "results_file": "/root/.ansible_async/j3.4"}
...ignoring

PLAY RECAP ***
node1 : ok=1
`
	jetplay := `
PLAY [p] ***

TASK [t] ***
fatal: [node1]: FAILED! => {"ansible_job_id": "r0123456789.00000001", "delta": "0:00:02", "rc": 1, "results_file": "jetplay_status/r0123456789.00000001"}
...ignoring
ASYNC OK on node2: jid=r0123456789.00000002
changed: [node2]

PLAY RECAP ***
node1 : ok=1
`
	if d := LineDiff(NormalizeText(ansible), NormalizeText(jetplay)); d != "" {
		t.Errorf("normalized texts differ:\n%s", d)
	}
	if d := LineDiff(NormalizeText(ansible), NormalizeText(strings.Replace(jetplay, "rc\": 1", "rc\": 2", 1))); d == "" {
		t.Error("a changed rc was normalized away")
	}
}
