package module

import (
	"strings"
	"testing"
)

// TestConvertBool checks convert's booleans against Ansible's
// BOOLEANS_TRUE and BOOLEANS_FALSE (case and surrounding spaces ignored).
func TestConvertBool(t *testing.T) {
	for _, c := range []struct {
		in   any
		want any // a bool, or nil for an error
	}{
		{"1", true}, {1, true}, {int64(1), true}, {1.0, true}, {"y", true}, {"yes", true}, {"on", true},
		{"true", true}, {"t", true}, {"YES", true}, {" True ", true}, {true, true},
		{"0", false}, {0, false}, {int64(0), false}, {0.0, false}, {"n", false}, {"no", false}, {"off", false},
		{"false", false}, {"f", false}, {"No", false}, {false, false},
		{"", nil}, {"2", nil}, {2, nil}, {0.5, nil}, {"maybe", nil}, {[]any{}, nil},
	} {
		got, err := convert("flag", "bool", c.in)
		if c.want == nil {
			if err == nil {
				t.Errorf("convert(%#v) = %v, want an error", c.in, got)
			} else if !strings.Contains(err.Error(), "'0', '1'") {
				t.Errorf("convert(%#v): the error's valid booleans leave out '0': %v", c.in, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("convert(%#v) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}
