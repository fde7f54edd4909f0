package module

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCheckMode runs modules in check mode against a scratch directory and
// checks both the results (after ansible-core 2.14's) and that nothing on
// disk changed.
func TestCheckMode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	same := filepath.Join(dir, "same.txt")
	old := filepath.Join(dir, "old.txt")
	gone := filepath.Join(dir, "gone")
	sub := filepath.Join(dir, "sub")
	for p, c := range map[string]string{same: "hello\n", old: "old\n", gone: ""} {
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	check, checkDiff := Options{Check: true}, Options{Check: true, Diff: true}
	steps := []struct {
		name string
		mod  string
		args map[string]any
		opt  Options
		want map[string]any
		keys []string // exact keys, when set
	}{
		{"command skipped", "command", map[string]any{"_raw_params": "touch " + filepath.Join(dir, "c")}, check,
			map[string]any{"changed": false, "skipped": true, "rc": 0, "msg": "Command would have run if not in check mode", "stdout": "", "start": nil},
			[]string{"changed", "cmd", "delta", "end", "invocation", "msg", "rc", "skipped", "start", "stderr", "stdout"}},
		{"command creates exists", "command", map[string]any{"_raw_params": "touch x", "creates": same}, check,
			map[string]any{"changed": false, "msg": "Would not run command since '" + same + "' exists", "stdout": "skipped, since " + same + " exists"}, nil},
		{"shell removes missing", "shell", map[string]any{"_raw_params": "touch x", "_uses_shell": true, "removes": filepath.Join(dir, "nope")}, check,
			map[string]any{"changed": false, "msg": "Would not run command since '" + filepath.Join(dir, "nope") + "' does not exist"}, nil},
		{"command removes exists", "command", map[string]any{"_raw_params": "rm " + same, "removes": same}, check,
			map[string]any{"changed": true, "rc": 0, "msg": "Command would have run if not in check mode"}, nil},
		{"raw skipped", "raw", map[string]any{"_raw_params": "touch " + filepath.Join(dir, "r")}, check,
			map[string]any{"changed": false, "skipped": true}, []string{"changed", "skipped"}},
		{"wait_for skipped", "wait_for", map[string]any{"path": same}, check,
			map[string]any{"skipped": true, "msg": "remote module (wait_for) does not support check mode"}, nil},
		{"copy new", "copy", map[string]any{"content": "hello\n", "dest": filepath.Join(dir, "new.txt")}, check,
			map[string]any{"changed": true, "diff": []any{}}, []string{"changed", "diff", "invocation"}},
		{"copy new with diff", "copy", map[string]any{"content": "hello\n", "dest": filepath.Join(dir, "new.txt")}, checkDiff,
			map[string]any{"changed": true, "diff": []any{map[string]any{"before": "", "after": "hello\n", "after_header": "dynamically generated"}}}, nil},
		{"copy changed with diff", "copy", map[string]any{"content": "new\n", "dest": old}, checkDiff,
			map[string]any{"changed": true, "diff": []any{map[string]any{"before": "old\n", "before_header": old, "after": "new\n", "after_header": "dynamically generated"}}}, nil},
		{"copy same", "copy", map[string]any{"content": "hello\n", "dest": same}, check,
			map[string]any{"changed": false, "dest": same, "path": same, "state": "file", "mode": "0644", "size": int64(6),
				"checksum": "f572d396fae9206628714fb2ce00f72e94f2258f",
				"diff":     map[string]any{"before": map[string]any{"path": same}, "after": map[string]any{"path": same}}}, nil},
		{"copy same new mode", "copy", map[string]any{"content": "hello\n", "dest": same, "mode": "0600"}, check,
			map[string]any{"changed": true, "mode": "0644",
				"diff": map[string]any{"before": map[string]any{"path": same, "mode": "0644"}, "after": map[string]any{"path": same, "mode": "0600"}}}, nil},
		{"file directory", "file", map[string]any{"path": filepath.Join(dir, "d"), "state": "directory"}, check,
			map[string]any{"changed": true, "path": filepath.Join(dir, "d"),
				"diff": map[string]any{"before": map[string]any{"path": filepath.Join(dir, "d"), "state": "absent"}, "after": map[string]any{"path": filepath.Join(dir, "d"), "state": "directory"}}},
			[]string{"changed", "diff", "invocation", "path"}},
		{"file existing directory", "file", map[string]any{"path": sub, "state": "directory", "mode": "u=rwx,go="}, check,
			map[string]any{"changed": true, "state": "directory", "mode": "0755",
				"diff": map[string]any{"before": map[string]any{"path": sub, "mode": "0755"}, "after": map[string]any{"path": sub, "mode": "0700"}}}, nil},
		{"file absent", "file", map[string]any{"path": gone, "state": "absent"}, check,
			map[string]any{"changed": true, "state": "file",
				"diff": map[string]any{"before": map[string]any{"path": gone, "state": "file"}, "after": map[string]any{"path": gone, "state": "absent"}}}, nil},
		{"file absent already", "file", map[string]any{"path": filepath.Join(dir, "nope"), "state": "absent"}, check,
			map[string]any{"changed": false, "state": "absent"}, []string{"changed", "invocation", "path", "state"}},
		{"file touch new", "file", map[string]any{"path": filepath.Join(dir, "t"), "state": "touch"}, check,
			map[string]any{"changed": true, "dest": filepath.Join(dir, "t")}, []string{"changed", "dest", "invocation"}},
		{"file missing", "file", map[string]any{"path": filepath.Join(dir, "nope"), "state": "file"}, check,
			map[string]any{"failed": true, "msg": "file (" + filepath.Join(dir, "nope") + ") is absent, cannot continue"}, nil},
		{"package skipped", "package", map[string]any{"name": "nonexistent-pkg", "state": "present"}, check,
			map[string]any{"changed": false, "skipped": true}, nil},
	}
	for _, s := range steps {
		res := run(t, s.mod, s.args, s.opt)
		t.Logf("%s: %v", s.name, res)
		subset(t, res, s.want)
		if s.keys != nil {
			keys(t, res, s.keys...)
		}
	}
	// Nothing changed on disk.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 4 {
		t.Errorf("check mode changed the directory: %v", names)
	}
	for p, c := range map[string]string{same: "hello\n", old: "old\n"} {
		if b, _ := os.ReadFile(p); string(b) != c {
			t.Errorf("%s = %q, want %q", p, b, c)
		}
	}
	if st, _ := os.Stat(sub); st.Mode().Perm() != 0o755 {
		t.Errorf("%s mode = %o, want 755", sub, st.Mode().Perm())
	}
}

// TestDiffCopy: in diff mode copy writes and returns the content diff.
func TestDiffCopy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dest := filepath.Join(dir, "f")
	if err := os.WriteFile(dest, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := run(t, "copy", map[string]any{"content": "new\n", "dest": dest}, Options{Diff: true})
	subset(t, res, map[string]any{"changed": true,
		"diff": []any{map[string]any{"before": "old\n", "before_header": dest, "after": "new\n", "after_header": "dynamically generated"}}})
	if b, _ := os.ReadFile(dest); string(b) != "new\n" {
		t.Errorf("dest = %q, want the new content", b)
	}
	res = run(t, "copy", map[string]any{"content": "new\n", "dest": dest}, Options{Diff: true})
	subset(t, res, map[string]any{"changed": false})
	if d, ok := res["diff"].([]any); ok {
		t.Errorf("unchanged copy has a content diff: %v", d)
	}
}
