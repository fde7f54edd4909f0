package module

import (
	"slices"
	"testing"
)

func TestValidateArgSpec(t *testing.T) {
	spec := map[string]any{
		"count":  map[string]any{"type": "int", "default": 3},
		"mode":   map[string]any{"choices": []any{"a", "b"}},
		"name":   map[string]any{"type": "str", "required": true},
		"on":     map[string]any{"type": "bool"},
		"ratio":  map[string]any{"type": "float"},
		"things": map[string]any{"type": "list", "elements": "dict", "options": map[string]any{"id": map[string]any{"type": "int", "required": true}}},
		"where":  map[string]any{"type": "path"},
		"any":    map[string]any{"type": "raw"},
	}
	tests := []struct {
		name        string
		params, raw map[string]any
		want        []string
	}{
		{"passes", map[string]any{"name": "x", "count": "5", "on": "yes", "ratio": 1, "mode": "a", "any": []any{1}}, nil, nil},
		{"missing and unsupported", map[string]any{"zz": 1, "aa": 2}, nil, []string{
			"missing required arguments: name",
			"aa, zz. Supported parameters include: any, count, mode, name, on, ratio, things, where."}},
		{"types, rendered and literal", map[string]any{"name": "x", "count": "x", "ratio": []any{}, "on": 1.5},
			map[string]any{"count": "{{ c }}"}, []string{
				"argument 'count' is of type <class 'str'> and we were unable to convert to int: <class 'str'> cannot be converted to an int",
				"argument 'on' is of type <class 'float'> and we were unable to convert to bool: The value '1.5' is not a valid boolean.  Valid booleans include: 0, 'yes', 1, 'n', 'y', 'off', 'on', 'f', 'true', 't', '1', 'no', '0', 'false'",
				"argument 'ratio' is of type <class 'list'> and we were unable to convert to float: <class 'list'> cannot be converted to a float"}},
		{"choices", map[string]any{"name": "x", "mode": "c"}, nil, []string{"value of mode must be one of: a, b, got: c"}},
		{"list of dicts", map[string]any{"name": "x", "things": []any{map[string]any{"id": "1"}, map[string]any{"idx": 1}}}, nil, []string{
			"missing required arguments: id found in things",
			"things.idx. Supported parameters include: id."}},
		{"unsupported at two levels", map[string]any{"name": "x", "zz": 1, "things": []any{map[string]any{"id": 1, "idx": 1}}}, nil, []string{
			"things.idx, zz. Supported parameters include: any, count, mode, name, on, ratio, things, where."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ValidateArgSpec(spec, tt.params, tt.raw)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}
