package playbook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// excerptFile is the file the Excerpt cases point into.
const excerptFile = `- hosts: all
  tasks:
    - name: a task
      debug:
        msg: "{{ x }}"
    - command: echo a=b
    - name: with {{ tpl }}
      debug: msg=hi

    - name: "partially" quoted
      ping:
`

// The wants are ansible-core 2.14's AnsibleError messages for an object at
// that position of excerptFile (after "msg\n\n"), with the file's path as
// @FILE@.
func TestPosExcerpt(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "t.yml")
	if err := os.WriteFile(path, []byte(excerptFile), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		line, col int
		want      string
	}{
		{"task line", 3, 7, "The error appears to be in '@FILE@': line 3, column 7, but may\nbe elsewhere in the file depending on the exact syntax problem.\n\nThe offending line appears to be:\n\n  tasks:\n    - name: a task\n      ^ here\n"},
		{"unquoted template hint", 5, 9, "The error appears to be in '@FILE@': line 5, column 9, but may\nbe elsewhere in the file depending on the exact syntax problem.\n\nThe offending line appears to be:\n\n      debug:\n        msg: \"{{ x }}\"\n        ^ here\nWe could be wrong, but this one looks like it might be an issue with\nmissing quotes. Always quote template expression brackets when they\nstart a value. For instance:\n\n    with_items:\n      - {{ foo }}\n\nShould be written as:\n\n    with_items:\n      - \"{{ foo }}\"\n"},
		{"k=v on the line before", 7, 7, "The error appears to be in '@FILE@': line 6, column 22, but may\nbe elsewhere in the file depending on the exact syntax problem.\n\nThe offending line appears to be:\n\n    - command: echo a=b\n                     ^ here\n\nThere appears to be both 'k=v' shorthand syntax and YAML in this task. Only one syntax may be used.\nWe could be wrong, but this one looks like it might be an issue with\nmissing quotes. Always quote template expression brackets when they\nstart a value. For instance:\n\n    with_items:\n      - {{ foo }}\n\nShould be written as:\n\n    with_items:\n      - \"{{ foo }}\"\n"},
		{"blank line moves up", 9, 1, "The error appears to be in '@FILE@': line 9, column 1, but may\nbe elsewhere in the file depending on the exact syntax problem.\n\nThe offending line appears to be:\n\n    - name: with {{ tpl }}\n      debug: msg=hi\n^ here\n"},
		{"partially quoted hint", 10, 7, "The error appears to be in '@FILE@': line 10, column 7, but may\nbe elsewhere in the file depending on the exact syntax problem.\n\nThe offending line appears to be:\n\n\n    - name: \"partially\" quoted\n      ^ here\nThis one looks easy to fix. It seems that there is a value started\nwith a quote, and the YAML parser is expecting to see the line ended\nwith the same kind of quote. For instance:\n\n    when: \"ok\" in result.stdout\n\nCould be written as:\n\n   when: '\"ok\" in result.stdout'\n\nOr equivalently:\n\n   when: \"'ok' in result.stdout\"\n"},
		{"past the end", 40, 3, "The error appears to be in '@FILE@': line 40, column 3, but may\nbe elsewhere in the file depending on the exact syntax problem.\n\nThe offending line appears to be:\n\n    - name: \"partially\" quoted\n      ping:\n  ^ here\n"},
		{"first line", 1, 3, "The error appears to be in '@FILE@': line 1, column 3, but may\nbe elsewhere in the file depending on the exact syntax problem.\n\nThe offending line appears to be:\n\n\n- hosts: all\n  ^ here\n"},
		{"no line", 0, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Pos{File: path, Line: tt.line, Col: tt.col}.Excerpt()
			if want := strings.ReplaceAll(tt.want, "@FILE@", path); got != want {
				t.Errorf("Excerpt() =\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestPosExcerptRelativeAndMissing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "t.yml")
	if err := os.WriteFile(path, []byte(excerptFile), 0o600); err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil {
		t.Skip("no relative path to the temporary directory:", err)
	}
	// Ansible names the file by its absolute path.
	if got := (Pos{File: rel, Line: 3, Col: 7}).Excerpt(); !strings.HasPrefix(got, "The error appears to be in '"+path+"': line 3, column 7") {
		t.Errorf("relative path: Excerpt() = %q", got)
	}
	missing := filepath.Join(dir, "gone.yml")
	want := "The error appears to be in '" + missing + "': line 2, column 1, but may\n" +
		"be elsewhere in the file depending on the exact syntax problem.\n\n(could not open file to display line)"
	if got := (Pos{File: missing, Line: 2, Col: 1}).Excerpt(); got != want {
		t.Errorf("missing file: Excerpt() = %q, want %q", got, want)
	}
}
