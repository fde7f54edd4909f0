package render_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/jetplay/jetplay/internal/render"
)

// Expected items and messages come from ansible-playbook 2.14.
func TestWithLoop(t *testing.T) {
	l := func(v ...any) []any { return v }
	d := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name    string
		kind    string
		terms   []any
		want    []any
		wantErr string // a part of the error's message
		wantIs  error  // what the error wraps, if anything
	}{
		{name: "together", kind: "with_together", terms: l(l(1, 2), l("a", "b")),
			want: l(l(1, "a"), l(2, "b"))},
		{name: "together fills with None", kind: "with_together", terms: l(l(1, 2), l("a")),
			want: l(l(1, "a"), l(2, nil))},
		{name: "together of a scalar", kind: "with_together", terms: l("x", l(1, 2)),
			want: l(l("x", 1), l(nil, 2))},
		{name: "together empty", kind: "with_together", terms: l(), wantErr: "with_together requires at least one element in each list"},
		{name: "nested", kind: "with_nested", terms: l(l(1, 2), l("a", "b")),
			want: l(l(1, "a"), l(1, "b"), l(2, "a"), l(2, "b"))},
		{name: "nested three", kind: "with_nested", terms: l(l(1), l("a", "b"), l("x")),
			want: l(l(1, "a", "x"), l(1, "b", "x"))},
		{name: "nested one list", kind: "with_nested", terms: l(l(1, 2)),
			want: l(l(1), l(2))},
		{name: "nested empty", kind: "with_nested", terms: l(), wantErr: "with_nested requires at least one element in the nested list"},
		{name: "cartesian", kind: "with_cartesian", terms: l(l(1, 2), l("a")),
			want: l(l(1, "a"), l(2, "a"))},
		{name: "indexed items", kind: "with_indexed_items", terms: l("x", l("y", "z")),
			want: l(l(0, "x"), l(1, "y"), l(2, "z"))},
		{name: "flattened", kind: "with_flattened", terms: l(1, l(2, l(3, l(4))), l(l(5))),
			want: l(1, 2, 3, 4, 5)},
		{name: "flattened stops at None", kind: "with_flattened", terms: l(1, "None", 2),
			want: l(1)},
		{name: "subelements", kind: "with_subelements",
			terms: l(l(d("n", "g1", "m", l("x", "y")), d("n", "g2", "m", l("z"))), "m"),
			want:  l(l(d("n", "g1"), "x"), l(d("n", "g1"), "y"), l(d("n", "g2"), "z"))},
		{name: "subelements nested key", kind: "with_subelements",
			terms: l(l(d("n", "a", "s", d("k", l(1), "o", 2))), "s.k"),
			want:  l(l(d("n", "a", "s", d("o", 2)), 1))},
		{name: "subelements of a dict", kind: "with_subelements",
			terms: l(d("b", d("m", l(2)), "a", d("m", l(1))), "m"),
			want:  l(l(d(), 1), l(d(), 2))},
		{name: "subelements missing key", kind: "with_subelements",
			terms: l(l(d("n", "g1")), "m"), wantErr: "could not find 'm' key in iterated item '{'n': 'g1'}'"},
		{name: "subelements skip_missing", kind: "with_subelements",
			terms: l(l(d("n", "g1"), d("n", "g2", "m", l(1))), "m", d("skip_missing", true)),
			want:  l(l(d("n", "g2"), 1))},
		{name: "subelements skips skipped", kind: "with_subelements",
			terms: l(l(d("skipped", true, "m", l(1)), d("m", l(2))), "m"),
			want:  l(l(d(), 2))},
		{name: "subelements not a list", kind: "with_subelements",
			terms: l(l(d("m", "x")), "m"), wantErr: "the key m should point to a list, got 'x'"},
		{name: "subelements not a dict", kind: "with_subelements",
			terms: l(l(1), "m"), wantErr: "subelements lookup expects a dictionary, got '1'"},
		{name: "subelements bad flags", kind: "with_subelements",
			terms: l(l(), "m", d("other", 1)), wantErr: "the optional third item must be a dict with flags"},
		{name: "subelements one term", kind: "with_subelements",
			terms: l(l()), wantErr: "subelements lookup expects a list of two or three items"},
		{name: "subelements skip_missing as text", kind: "with_subelements",
			terms: l(l(d("n", "g1"), d("m", l(1))), "m", d("skip_missing", " Yes")),
			want:  l(l(d(), 1))},
		{name: "unknown kind", kind: "with_nosuchlookup", terms: l(1), wantErr: "with_nosuchlookup", wantIs: render.ErrUnknownLoop},
		{name: "playbook keyword", kind: "with_items", terms: l(1), wantErr: "with_items", wantIs: render.ErrUnknownLoop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := render.WithLoop(tt.kind, tt.terms)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
					t.Errorf("error %v does not wrap %v", err, tt.wantIs)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestLoopTerms(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want []any
	}{
		{name: "list", in: []any{1, "a"}, want: []any{1, "a"}},
		{name: "string", in: "a", want: []any{"a"}},
		{name: "number", in: 3, want: []any{3}},
		{name: "dict keys sorted", in: map[string]any{"b": 1, "a": 2}, want: []any{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render.LoopTerms(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("LoopTerms(%#v) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}
