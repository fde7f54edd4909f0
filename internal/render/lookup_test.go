package render

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// Expected values and messages come from ansible-playbook 2.14.
func TestPipeLookup(t *testing.T) {
	e := New()
	dir := t.TempDir()
	vars := map[string]any{"playbook_dir": dir}
	tests := []struct {
		name    string
		in      string
		want    any
		wantMsg string // LookupMessage of the error
	}{
		{name: "output", in: "{{ lookup('pipe', 'echo piped') }}", want: "piped"},
		{name: "trailing white space stripped", in: `{{ lookup('pipe', 'printf " a  \n\n"') }}|`, want: " a|"},
		{name: "runs in the playbook's directory", in: "{{ lookup('pipe', 'pwd') }}", want: dir},
		{name: "stdin is empty", in: "{{ lookup('pipe', 'cat') }}", want: ""},
		{name: "two commands", in: "{{ lookup('pipe', 'echo 1', 'echo 2') }}", want: "1,2"},
		{name: "query", in: "{{ query('pipe', 'echo [1, 2]') }}", want: []any{"[1, 2]"}},
		{name: "text that looks like a list", in: "{{ lookup('pipe', 'echo [1, 2]') }}", want: []any{1, 2}},
		{
			name: "exit status", in: "{{ lookup('pipe', 'echo out; exit 3') }}",
			wantMsg: "An unhandled exception occurred while running the lookup plugin 'pipe'. Error was a <class " +
				"'ansible.errors.AnsibleError'>, original message: lookup_plugin.pipe(echo out; exit 3) returned 3. " +
				"lookup_plugin.pipe(echo out; exit 3) returned 3",
		},
		{
			name: "killed", in: "x{{ lookup('pipe', 'kill -9 $$') }}",
			wantMsg: "An unhandled exception occurred while running the lookup plugin 'pipe'. Error was a <class " +
				"'ansible.errors.AnsibleError'>, original message: lookup_plugin.pipe(kill -9 $$) returned -9. " +
				"lookup_plugin.pipe(kill -9 $$) returned -9",
		},
		{name: "errors ignored", in: "{{ lookup('pipe', 'exit 1', errors='ignore') }}", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Template(tt.in, vars)
			if tt.wantMsg != "" {
				msg, ok := LookupMessage(err)
				if !ok || msg != tt.wantMsg || !errors.Is(err, ErrRender) {
					t.Fatalf("Template(%q) error = %v\nLookupMessage = %q, %v\nwant %q", tt.in, err, msg, ok, tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("Template(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Template(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestTemplateLookup(t *testing.T) {
	e := New()
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("templates/greeting.j2", "hello {{ who }}\n")
	write("beside.j2", "{{ who }}")
	write("templates/list.j2", "{{ [num, 2] }}")
	write("templates/vars.j2", "{{ who }} {{ template_path }} {{ template_fullpath }} {{ template_destpath }} {{ ansible_managed }}\n")
	write("templates/escape.j2", `{{ 'a\tb' }}`)
	write("templates/bad.j2", "{{ lookup('pipe', 'exit 4') }}\n")
	write("templates/loop.j2", "{% for who in ['x'] %}{{ lookup('template', 'beside.j2') }}{% endfor %}")
	vars := map[string]any{"ansible_search_path": []any{dir}, "who": "me", "num": 3}
	pipeMsg := "An unhandled exception occurred while running the lookup plugin 'pipe'. Error was a <class " +
		"'ansible.errors.AnsibleError'>, original message: lookup_plugin.pipe(exit 4) returned 4. lookup_plugin.pipe(exit 4) returned 4"
	tests := []struct {
		name    string
		in      string
		want    any
		wantMsg string
	}{
		{name: "templates/ first", in: "{{ lookup('template', 'greeting.j2') }}", want: "hello me\n"},
		{name: "beside", in: "{{ lookup('template', 'beside.j2') }}", want: "me"},
		{name: "absolute path", in: "{{ lookup('template', '" + filepath.Join(dir, "beside.j2") + "') }}", want: "me"},
		{name: "convert_data", in: "{{ lookup('template', 'list.j2') }}", want: []any{3, 2}},
		{name: "convert_data false", in: "{{ lookup('template', 'list.j2', convert_data=False) }}", want: "[3, 2]"},
		{name: "two terms, one no text", in: "{{ lookup('template', 'list.j2', 'beside.j2') }}", want: []any{[]any{3, 2}, "me"}},
		{
			name: "template vars", in: "{{ lookup('template', 'vars.j2', template_vars={'who': 'you'}) }}",
			want: "you vars.j2 " + filepath.Join(dir, "templates/vars.j2") + "  Ansible managed\n",
		},
		{name: "python escapes", in: "{{ lookup('template', 'escape.j2') }}", want: "a\tb"},
		{name: "the template's variables, not Jinja's", in: "{{ lookup('template', 'loop.j2') }}", want: "me"},
		{
			name: "missing", in: "{{ lookup('template', 'nope.j2') }}",
			wantMsg: "An unhandled exception occurred while running the lookup plugin 'template'. Error was a <class " +
				"'ansible.errors.AnsibleError'>, original message: the template file nope.j2 could not be found for the lookup. " +
				"the template file nope.j2 could not be found for the lookup",
		},
		{
			name: "a lookup failing inside", in: "{{ lookup('template', 'bad.j2') }}",
			wantMsg: "An unhandled exception occurred while running the lookup plugin 'template'. Error was a <class " +
				"'ansible.errors.AnsibleError'>, original message: " + pipeMsg + ". " + pipeMsg,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Template(tt.in, vars)
			if tt.wantMsg != "" {
				if msg, ok := LookupMessage(err); !ok || msg != tt.wantMsg {
					t.Fatalf("Template(%q) error = %v\nLookupMessage = %q, %v\nwant %q", tt.in, err, msg, ok, tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("Template(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Template(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}
