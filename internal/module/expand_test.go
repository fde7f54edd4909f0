package module

import (
	"reflect"
	"testing"
)

func TestExpandArgs(t *testing.T) {
	env := map[string]string{"HOME": "/root", "X": "1"}
	got := expandArgs([]string{"$HOME", "${X}y", "$NOPE", "~", "~/a", "~bob", "$(id)", "a$X"}, env)
	want := []string{"/root", "1y", "$NOPE", "/root", "/root/a", "~bob", "$(id)", "a1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("expandArgs = %q, want %q", got, want)
	}
}
