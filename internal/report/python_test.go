package report

import (
	"encoding/json"
	"testing"
)

// The printers themselves are tested in internal/pyrepr; these tests pin
// what report adds: normalize (Dict, json.Number, typed slices) first.
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
