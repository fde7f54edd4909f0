package pyrepr

import (
	"encoding/json"
	"math"
	"testing"
)

// kv is an ordered mapping for the tests.
type kv [][2]any

func (d kv) Keys() []string {
	keys := make([]string, len(d))
	for i, e := range d {
		keys[i] = e[0].(string)
	}
	return keys
}

func (d kv) Get(key string) (any, bool) {
	for _, e := range d {
		if e[0] == key {
			return e[1], true
		}
	}
	return nil, false
}

// Expected values come from python3's repr, str and json.dumps.
func TestFormatFloat(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{0.1, "0.1"},
		{1e16, "1e+16"},
		{1e15 + 0.5, "1000000000000000.5"},
		{1.5e-5, "1.5e-05"},
		{0.0001, "0.0001"},
		{123456789.125, "123456789.125"},
		{1234567.5, "1234567.5"},
		{-2.5e-7, "-2.5e-07"},
		{1e22, "1e+22"},
		{3.14, "3.14"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
		{2.0, "2"},             // integral float64: most likely an integer
		{Float(2), "2.0"},      // a Python float
		{Float(-0.5), "-0.5"},  // not integral
		{Float(1e16), "1e+16"}, // large
		{float32(0.5), "0.5"},
	}
	for _, tt := range tests {
		if got := Repr(tt.in); got != tt.want {
			t.Errorf("Repr(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRepr(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{name: "none", in: nil, want: "None"},
		{name: "bools", in: []any{true, false}, want: "[True, False]"},
		{name: "ints", in: []any{1, int64(-2), uint8(3), json.Number("4.0")}, want: "[1, -2, 3, 4.0]"},
		{name: "single quote", in: "it's", want: `"it's"`},
		{name: "double quote", in: `say "hi"`, want: `'say "hi"'`},
		{name: "both quotes", in: `both ' and "`, want: `'both \' and "'`},
		{name: "escapes", in: "tab\tnl\n\x7f\x00é✓\u2028\U0001F600\\\u00a0", want: `'tab\tnl\n\x7f\x00é✓\u2028😀\\\xa0'`},
		{name: "ordered mapping", in: kv{{"name", "x"}, {"val", 1}, {"flag", true}, {"n", nil}, {"l", []any{1, "a"}}},
			want: `{'name': 'x', 'val': 1, 'flag': True, 'n': None, 'l': [1, 'a']}`},
		{name: "map sorted", in: map[string]any{"b": 2, "a": false, "c": map[string]any{}}, want: `{'a': False, 'b': 2, 'c': {}}`},
		{name: "string slice", in: []string{"a", "b"}, want: `['a', 'b']`},
		{name: "typed map", in: map[string]int{"z": 1, "y": 2}, want: `{'y': 2, 'z': 1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Repr(tt.in); got != tt.want {
				t.Errorf("Repr = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestStr(t *testing.T) {
	for in, want := range map[any]string{"plain": "plain", 1: "1", nil: "None", true: "True", Float(3): "3.0"} {
		if got := Str(in); got != want {
			t.Errorf("Str(%#v) = %q, want %q", in, got, want)
		}
	}
}

func TestJSON(t *testing.T) {
	v := map[string]any{"s": "é✓\u2028\U0001F600\x7f\x01"}
	got, err := JSON(v, 0, true)
	if want := `{"s": "\u00e9\u2713\u2028\ud83d\ude00\u007f\u0001"}`; err != nil || got != want {
		t.Errorf("ascii: got %s, %v, want %s", got, err, want)
	}
	got, err = JSON(v, 0, false)
	if want := "{\"s\": \"é✓\u2028\U0001F600\x7f\\u0001\"}"; err != nil || got != want {
		t.Errorf("unicode: got %s, %v, want %s", got, err, want)
	}
	nested := map[string]any{"b": []any{}, "a": map[string]any{}, "c": []any{1, kv{{"z", 1}, {"y", nil}}}}
	want := "{\n  \"a\": {},\n  \"b\": [],\n  \"c\": [\n    1,\n    {\n      \"y\": null,\n      \"z\": 1\n    }\n  ]\n}"
	if got, err := JSON(nested, 2, false); err != nil || got != want {
		t.Errorf("indent: got\n%s\nwant\n%s", got, want)
	}
	scalars := []any{true, nil, Float(4), 2.0, 0.5, math.Inf(1), math.NaN(), json.Number("7")}
	if got, err := JSON(scalars, 0, true); err != nil || got != "[true, null, 4.0, 2, 0.5, Infinity, NaN, 7]" {
		t.Errorf("scalars: got %s, %v", got, err)
	}
	if _, err := JSON(map[string]any{"f": func() {}}, 0, true); err == nil || err.Error() != "Object of type func() is not JSON serializable" {
		t.Errorf("func value: err = %v", err)
	}
}

func TestTruthy(t *testing.T) {
	falsy := []any{nil, false, 0, int64(0), 0.0, Float(0), "", []any{}, map[string]any{}, json.Number("0"), []string{}, kv{}}
	truthy := []any{true, 1, -1, 0.5, Float(1), "x", []any{nil}, map[string]any{"a": nil}, json.Number("2"), []string{""}, kv{{"a", 1}}, struct{}{}}
	for _, v := range falsy {
		if Truthy(v) {
			t.Errorf("Truthy(%#v) = true", v)
		}
	}
	for _, v := range truthy {
		if !Truthy(v) {
			t.Errorf("Truthy(%#v) = false", v)
		}
	}
}
