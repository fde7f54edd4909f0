package playbook

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testModules are the modules the fake resolver knows.
var testModules = set("command", "shell", "async_status", "debug", "set_fact", "fail", "assert",
	"pause", "wait_for", "wait_for_connection", "include_tasks", "import_tasks", "meta", "package",
	"yum", "dnf", "apt", "service", "systemd", "get_url", "copy", "file", "stat", "template",
	"ping", "setup", "raw")

var errBadTemplate = errors.New("unexpected '{'")

// testOptions resolves testModules and rejects templates containing "{{ {"
// and expressions containing "((".
func testOptions() Options {
	return Options{
		Module: func(name string) (string, bool) {
			s := shortName(name)
			return s, testModules[s]
		},
		CheckTemplate: func(s string) error {
			if strings.Contains(s, "{{ {") {
				return errBadTemplate
			}
			return nil
		},
		CheckExpr: func(s string) error {
			if strings.Contains(s, "((") {
				return errBadTemplate
			}
			return nil
		},
	}
}

// writeFiles writes name → content under a new temporary directory and
// returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// stripPos clears the positions of tasks so they can be compared.
// stripPos clears how a task was written (position, action spelling), which
// the table tests do not pin; TestActionAsWritten does.
func stripPos(ts []*Task) []*Task {
	for _, t := range ts {
		t.Pos = Pos{}
		t.Action = ""
		stripPos(t.Block)
		stripPos(t.Rescue)
		stripPos(t.Always)
	}
	return ts
}

func sprint(v any) string { return fmt.Sprintf("%#v", v) }
