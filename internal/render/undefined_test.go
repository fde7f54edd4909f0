package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

func TestUndefinedMessage(t *testing.T) {
	t.Parallel()
	e := New()
	vars := map[string]any{"x": map[string]any{"a": 1}}
	tests := []struct {
		name   string
		args   any
		want   string
		wantOK bool
	}{
		{"undefined variable", "{{ foo }}", "'foo' is undefined", true},
		{"missing attribute", "{{ x.bar }}", "'dict object' has no attribute 'bar'", true},
		{"inside a mapping (wrapped)", map[string]any{"msg": "a {{ foo }}"}, "'foo' is undefined", true},
		{"mandatory", "{{ nope | mandatory }}", "Mandatory variable 'nope' not defined.", true},
		{"other error", "{{ 1 | nosuchfilter }}", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Value(tt.args, vars)
			if err == nil {
				t.Fatal("no error")
			}
			got, ok := UndefinedMessage(err)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("UndefinedMessage(%v) = %q, %v; want %q, %v", err, got, ok, tt.want, tt.wantOK)
			}
			if errors.Is(err, ErrUndefined) != tt.wantOK {
				t.Errorf("errors.Is(%v, ErrUndefined) = %v", err, !tt.wantOK)
			}
		})
	}
	if _, ok := UndefinedMessage(nil); ok {
		t.Error("UndefinedMessage(nil) is ok")
	}
}

// TestUnresolved: a variable holding an Unresolved value is undefined to
// templates, as Ansible's lazy variable whose template is undefined.
func TestUnresolved(t *testing.T) {
	e := New()
	_, err := e.Template("{{ undefined_var }}", map[string]any{})
	u, ok := NewUnresolved("{{ undefined_var }}", err)
	if !ok {
		t.Fatalf("NewUnresolved(%v) not ok", err)
	}
	if _, ok := NewUnresolved("x", errors.New("other")); ok {
		t.Error("NewUnresolved of an error that is not about an undefined value is ok")
	}
	vars := map[string]any{"x": u}
	for _, tt := range []struct{ src, want string }{
		{"{{ x | default('d') }}", "d"},
		{"{{ x | d('e') }}", "e"},
		{"{{ x is defined }}", "False"},
		{"{{ x is undefined }}", "True"},
		{"a{{ x | default('') }}b", "ab"},
	} {
		got, err := e.Template(tt.src, vars)
		if err != nil || fmt.Sprint(got) != tt.want && !(tt.want == "False" && got == false) && !(tt.want == "True" && got == true) {
			t.Errorf("%s = %#v, %v; want %s", tt.src, got, err, tt.want)
		}
	}
	for _, src := range []string{"{{ x }}", "a{{ x }}b"} {
		_, err := e.Template(src, vars)
		if msg, ok := UndefinedMessage(err); !ok || msg != "'undefined_var' is undefined" {
			t.Errorf("%s: error %v, message %q; want 'undefined_var' is undefined", src, err, msg)
		}
	}
	b, err := json.Marshal(vars)
	if err != nil || string(b) != `{"x":"{{ undefined_var }}"}` {
		t.Errorf("json %s, %v", b, err)
	}
}
