package report

import (
	"encoding/json"
	"testing"
)

// Expected values come from python3 on the machine the goldens were
// recorded on.
func TestPyFloat(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0.1, "0.1"},
		{1e16, "1e+16"},
		{1e15 + 0.5, "1000000000000000.5"},
		{1.5e-5, "1.5e-05"},
		{0.0001, "0.0001"},
		{123456789.125, "123456789.125"},
		{-2.5e-7, "-2.5e-07"},
		{1e22, "1e+22"},
		{3.14, "3.14"},
		{2, "2"}, // integral: most likely an integer
	}
	for _, tt := range tests {
		if got := pyFloat(tt.in, false); got != tt.want {
			t.Errorf("pyFloat(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPyRepr(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{name: "single quote", in: "it's", want: `"it's"`},
		{name: "double quote", in: `say "hi"`, want: `'say "hi"'`},
		{name: "both quotes", in: `both ' and "`, want: `'both \' and "'`},
		{name: "escapes", in: "tab\tnl\n\x7f\x00é✓\u2028\U0001F600\\", want: `'tab\tnl\n\x7f\x00é✓\u2028😀\\'`},
		{name: "ordered dict", in: Dict{{"name", "x"}, {"val", 1}, {"flag", true}, {"n", nil}, {"l", []any{1, "a"}}},
			want: `{'name': 'x', 'val': 1, 'flag': True, 'n': None, 'l': [1, 'a']}`},
		{name: "map sorted", in: map[string]any{"b": json.Number("2.0"), "a": false}, want: `{'a': False, 'b': 2.0}`},
		{name: "string slice", in: []string{"a", "b"}, want: `['a', 'b']`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pyRepr(normalize(tt.in)); got != tt.want {
				t.Errorf("pyRepr = %s, want %s", got, tt.want)
			}
		})
	}
	if got := pyStr("plain"); got != "plain" {
		t.Errorf("pyStr(string) = %q", got)
	}
}

func TestPyJSON(t *testing.T) {
	v := map[string]any{"s": "é✓\u2028\U0001F600\x7f\x01"}
	if got, want := pyJSON(v, 0, true), `{"s": "\u00e9\u2713\u2028\ud83d\ude00\u007f\u0001"}`; got != want {
		t.Errorf("ascii: got %s, want %s", got, want)
	}
	if got, want := pyJSON(v, 0, false), "{\"s\": \"é✓\u2028\U0001F600\x7f\\u0001\"}"; got != want {
		t.Errorf("unicode: got %s, want %s", got, want)
	}
	nested := map[string]any{"b": []any{}, "a": map[string]any{}, "c": []any{1, Dict{{"z", 1}, {"y", nil}}}}
	want := "{\n  \"a\": {},\n  \"b\": [],\n  \"c\": [\n    1,\n    {\n      \"y\": null,\n      \"z\": 1\n    }\n  ]\n}"
	if got := pyJSON(nested, 2, false); got != want {
		t.Errorf("indent: got\n%s\nwant\n%s", got, want)
	}
}
