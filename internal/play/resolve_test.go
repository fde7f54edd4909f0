package play

import (
	"reflect"
	"testing"

	"github.com/jetplay/jetplay/internal/render"
)

// TestResolveOrder: a variable that refers to another templated variable
// sees it rendered, whatever order the map gives (Ansible templates
// variables lazily). Go randomises map order, so each case runs many times.
func TestResolveOrder(t *testing.T) {
	e := &Engine{cfg: Config{Render: render.New()}}
	for range 50 {
		vars := map[string]any{
			"a":      1,
			"b":      "{{ a + 1 }}",
			"c":      "{{ [a, b | int] }}",
			"d":      map[string]any{"k": "{{ c | length }}"},
			"e":      "{{ d.k | int + b | int }}",
			"self":   "{{ self_x | default('s') }}",
			"loopy":  "{{ loopy2 }}",
			"loopy2": "{{ loopy }}",
		}
		e.resolve(vars)
		want := map[string]any{"b": "2", "c": []any{1, 2}, "d": map[string]any{"k": "2"}, "e": "4", "self": "s"}
		for k, w := range want {
			if !reflect.DeepEqual(vars[k], w) {
				t.Fatalf("%s = %#v, want %#v", k, vars[k], w)
			}
		}
	}
}
