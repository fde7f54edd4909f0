package action

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestLookup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		module string
		want   bool
	}{
		{"own action", "debug", true},
		{"collection name", "ansible.builtin.set_fact", true},
		{"host module runs normal", "command", true},
		{"meta is the engine's", "meta", false},
		{"include_tasks is the engine's", "include_tasks", false},
		{"unknown module", "no_such_module", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, ok := Lookup(tt.module); ok != tt.want {
				t.Errorf("Lookup(%q) = %v, want %v", tt.module, ok, tt.want)
			}
		})
	}
}

func TestFaultString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		f    Fault
		want string
	}{{None, "none"}, {TaskError, "task error"}, {ActionFail, "action fail"}, {Timeout, "timeout"}, {Fault(99), "unknown"}}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("Fault(%d).String() = %q, want %q", int(tt.f), got, tt.want)
		}
	}
}

func TestRefused(t *testing.T) {
	t.Parallel()
	o := Refused("no")
	want := map[string]any{"failed": true, "changed": false, "msg": "no", "exception": ActionFailTrace}
	if o.Fault != ActionFail || !reflect.DeepEqual(o.Result, want) {
		t.Errorf("Refused = %v %v, want %v %v", o.Fault, o.Result, ActionFail, want)
	}
}

func TestFindFile(t *testing.T) {
	t.Parallel()
	book := t.TempDir()
	role := filepath.Join(book, "roles", "r", "tasks")
	write := func(p string) string {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	inRole := write(filepath.Join(book, "roles", "r", "vars", "a.yml"))
	beside := write(filepath.Join(role, "b.yml"))
	inBook := write(filepath.Join(book, "vars", "c.yml"))
	tests := []struct {
		name, file, taskFile, want string
	}{
		{"role sub directory", "a.yml", filepath.Join(role, "main.yml"), inRole},
		{"beside the task", "b.yml", filepath.Join(role, "main.yml"), beside},
		{"playbook sub directory", "c.yml", filepath.Join(role, "main.yml"), inBook},
		{"implicit task", "c.yml", "", inBook},
		{"nowhere", "d.yml", "", filepath.Join(book, "d.yml")},
		{"absolute", "/x/y.yml", "", "/x/y.yml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &Call{TaskFile: tt.taskFile, BookDir: book}
			if got := c.FindFile(tt.file, "vars"); got != tt.want {
				t.Errorf("FindFile(%q) = %q, want %q", tt.file, got, tt.want)
			}
		})
	}
}
