package play

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jetplay/jetplay/internal/playbook"
)

// TestTemplatedRoleName: a templated role name is rendered at load time
// with the play's vars, vars_files and extra vars (in increasing
// precedence); an undefined variable fails the load with ErrRole, Ansible's
// message and the file and line.
func TestTemplatedRoleName(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"roles/a/tasks/main.yml": "- debug: msg=a\n",
		"roles/b/tasks/main.yml": "- debug: msg=b\n",
		"roles/c/tasks/main.yml": "- debug: msg=c\n",
		"names.yml":              "from_file: b\nfrom_extra: a\n",
		"ok.yml": `- hosts: all
  vars: {from_vars: a, from_file: a}
  vars_files: [names.yml]
  roles: ["{{ from_vars }}", "{{ from_file }}", {role: "{{ from_extra }}"}]
  tasks:
    - import_role: {name: "{{ from_extra }}"}
`,
		"bad.yml": "- hosts: all\n  roles:\n    - role: \"{{ nope }}\"\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opts := ModuleOptions()
	opts.ExtraVars = map[string]any{"from_extra": "c"}
	b, err := playbook.Load(filepath.Join(dir, "ok.yml"), opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range b.Plays[0].Roles {
		got = append(got, r.Name)
	}
	// The play's roles: those of roles:, then import_role's.
	if want := "a b c c"; strings.Join(got, " ") != want {
		t.Errorf("roles = %q, want %q", got, want)
	}

	_, err = playbook.Load(filepath.Join(dir, "bad.yml"), opts)
	if !errors.Is(err, playbook.ErrRole) {
		t.Fatalf("err = %v, want ErrRole", err)
	}
	if want := "bad.yml:3:"; !strings.Contains(err.Error(), want) {
		t.Errorf("err = %q, want the position %q", err, want)
	}
	if want := "'nope' is undefined. 'nope' is undefined"; !strings.HasSuffix(err.Error(), want) {
		t.Errorf("err = %q, want it to end with %q", err, want)
	}
}
