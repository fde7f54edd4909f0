package pyrepr

import (
	"encoding/json"
	"testing"
)

func TestTypeName(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{name: "None", in: nil, want: "NoneType"},
		{name: "bool", in: true, want: "bool"},
		{name: "int", in: 3, want: "int"},
		{name: "float64", in: 2.0, want: "float"},
		{name: "Float", in: Float(2), want: "float"},
		{name: "json int", in: json.Number("-12"), want: "int"},
		{name: "json fraction", in: json.Number("1.5"), want: "float"},
		{name: "json exponent", in: json.Number("1E3"), want: "float"},
		{name: "str", in: "x", want: "str"},
		{name: "list", in: []any{1}, want: "list"},
		{name: "dict", in: map[string]any{}, want: "dict"},
		{name: "other", in: int8(1), want: "int8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TypeName(tt.in); got != tt.want {
				t.Errorf("TypeName(%#v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
