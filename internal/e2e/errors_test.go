package e2e

import (
	"strings"
	"testing"
)

// TestBadInputGivesOneLineErrorWithFileAndLine: each kind of bad input is
// one line naming the file (and line), with a non-zero exit, before anything
// is published.
func TestBadInputGivesOneLineErrorWithFileAndLine(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, file, body string
		args             []string
		want             []string
		// code, when set, is ansible-playbook's exit code for the error
		// (jetplay's 5 for a missing inventory, a deliberate difference).
		code int
	}{
		{name: "malformed YAML", file: "malformed.yml", body: "- hosts: localhost\n  tasks:\n    - debug: msg=hi\n      foo: [\n",
			want: []string{"malformed.yml:4", "YAML"}, code: 4},
		{name: "unknown module", file: "unknown.yml", body: "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: x\n      no_such_mod: a=b\n",
			want: []string{"unknown.yml:5", "no_such_mod"}, code: 4},
		{name: "unknown play keyword", file: "badkw.yml", body: "- hosts: localhost\n  gather_facts: false\n  bogus_kw: 1\n  tasks:\n    - debug: msg=hi\n",
			want: []string{"badkw.yml:3", "'bogus_kw' is not a valid attribute for a Play"}, code: 4},
		{name: "bad extra vars", file: "ok.yml", body: "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: msg=hi\n",
			args: []string{"-e", "{bad"}, want: []string{"extra vars"}, code: 4},
		{name: "broken template", file: "broken.yml", body: "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: x\n      debug:\n        msg: \"{{ foo | }}\"\n",
			want: []string{"broken.yml:6", "{{ foo | }}"}},
		{name: "missing inventory", file: "ok.yml", body: "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: msg=hi\n",
			args: []string{"-i", dir + "/no-such-inventory.ini"}, want: []string{"no-such-inventory.ini"}, code: 5},
		{name: "missing playbook", args: []string{dir + "/absent.yml"}, want: []string{"absent.yml"}, code: 1},
		{name: "missing task file", file: "imp.yml", body: "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - import_tasks: nofile.yml\n",
			want: []string{"imp.yml:4", "nofile.yml"}, code: 1},
		{name: "missing role", file: "norole.yml", body: "- hosts: localhost\n  gather_facts: false\n  roles:\n    - no_such_role\n",
			want: []string{"norole.yml:4", "the role 'no_such_role' was not found in"}, code: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.file != "" {
				args = append(args, writeFile(t, dir, tt.file, tt.body))
			}
			code, out, errOut := runPublisher(t, "", args...)
			if code == 0 {
				t.Fatalf("exit 0, want non-zero\n%s", out)
			}
			if tt.code != 0 && code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			msg := strings.TrimRight(errOut, "\n")
			if strings.Count(msg, "\n") != 0 {
				t.Errorf("error is not one line: %q", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			if strings.Contains(out, "PLAY [") {
				t.Errorf("a play started despite the error:\n%s", out)
			}
		})
	}
}
