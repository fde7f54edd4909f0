package render

import (
	"errors"
	"testing"
)

func TestTests(t *testing.T) {
	e := New()
	tests := []struct {
		in      string
		want    bool
		wantErr error
	}{
		{"failed is failed", true, nil},
		{"ok is failed", false, nil},
		{"failed is failure", true, nil},
		{"ok is succeeded", true, nil},
		{"failed is succeeded", false, nil},
		{"ok is success", true, nil},
		{"ok is successful", true, nil},
		{"ok is changed", true, nil},
		{"failed is changed", false, nil},
		{"loop is changed", true, nil},
		{"skip is skipped", true, nil},
		{"ok is skipped", false, nil},
		{"job is finished", true, nil},
		{"jobf is finished", true, nil},
		{"async is finished", false, nil},
		{"async is started", true, nil},
		{"ok is finished", true, nil},
		{"ok is not unreachable", true, nil},
		{"ok is reachable", true, nil},
		{"nope is failed", false, ErrUndefined},
		{"num is failed", false, ErrRender},
		{"x is defined", true, nil},
		{"n is defined", true, nil},
		{"nope is defined", false, nil},
		{"x.zz is defined", false, nil},
		{"nope.zz is defined", false, nil},
		{"nope is undefined", true, nil},
		{"x is not undefined", true, nil},
		{"n is none", true, nil},
		{"num is none", false, nil},
		{"'abc' is match('ab')", true, nil},
		{"'abc' is match('bc')", false, nil},
		{"'abc' is match('AB', true)", true, nil},
		{"'abc' is search('bc')", true, nil},
		{"'abc' is regex('^a.c$')", true, nil},
		{"'abc' is regex('b', false, false, 'match')", false, nil},
		{"'a' is in(items)", true, nil},
		{"'z' is in items", false, nil},
		{"items is contains('b')", true, nil},
		{"x is contains('y')", true, nil},
		{"'1.2.3' is version('1.2', '>')", true, nil},
		{"'1.2.3' is version('1.2.3', 'eq')", true, nil},
		{"'1.2.3' is version('1.10', 'lt')", true, nil},
		{"'2.0' is version('1.9', '>=')", true, nil},
		{"'1.0' is version('1.0', '<')", false, nil},
		{"'1.0' is version('1.0', 'ne')", false, nil},
		{"'1.0rc1' is version('1.0', '>')", true, nil}, // LooseVersion: longer wins
		{"'1.0' is version_compare('0.9', 'gt')", true, nil},
		{"'1.0' is version('1.0', '~')", false, ErrRender},
		{"'a' is string", true, nil},
		{"1 is string", false, nil},
		{"1 is number", true, nil},
		{"1.5 is number", true, nil},
		{"'1' is number", false, nil},
		{"x is mapping", true, nil},
		{"{'a': 1} is mapping", true, nil},
		{"items is mapping", false, nil},
		{"items is iterable", true, nil},
		{"'s' is iterable", true, nil},
		{"1 is iterable", false, nil},
		{"items is sequence", true, nil},
		{"x is sameas x", true, nil},
		{"t is sameas true", true, nil},
		{"'a' is truthy", true, nil},
		{"'' is truthy", false, nil},
		{"'' is falsy", true, nil},
		{"'no' is truthy", true, nil},
		{"'no' is truthy(true)", false, nil}, // tests take no keyword arguments
		{"2 is even", true, nil},
		{"3 is odd", true, nil},
		{"9 is divisibleby(3)", true, nil},
		{"9 is divisibleby 3", true, nil},
		{"3 is equalto(3)", true, nil},
		{"3 is eq 3", true, nil},
		{"3 is gt 2", true, nil},
		{"3 is lt(2)", false, nil},
		{"t is boolean", true, nil},
		{"num is integer", true, nil},
		{"pi is float", true, nil},
		{"'ABC' is upper", true, nil},
		{"'abc' is lower", true, nil},
		{"[1] is subset([1, 2])", true, nil},
		{"[1, 2] is superset([1])", true, nil},
		{"[0, 1] is any", true, nil},
		{"[0, 1] is all", false, nil},
		{"'/etc' is abs", true, nil},
		{"'etc' is abs", false, nil},
		{"failed is failed and ok is not failed", true, nil},
		{"x is defined or nope", true, nil},
		{"1 if x is defined else 0", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := e.Cond(tt.in, testVars())
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Cond(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Cond(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
