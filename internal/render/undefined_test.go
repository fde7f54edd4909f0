package render

import (
	"errors"
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
