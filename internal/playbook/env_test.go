package playbook

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"
)

func TestEnvironmentForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     string
		want    map[string]any
		wantErr error
	}{
		{name: "mapping", env: `{A: 1}`, want: map[string]any{"A": 1}},
		{name: "template", env: `"{{ envdict }}"`, want: map[string]any{EnvTemplates: []any{"{{ envdict }}"}}},
		{name: "list of templates and mappings", env: `["{{ a }}", {B: x}, "{{ c }}"]`,
			want: map[string]any{EnvTemplates: []any{"{{ a }}", "{{ c }}"}, "B": "x"}},
		{name: "plain string", env: `PATH=/bin`, wantErr: ErrUnsupported},
		{name: "list with a plain string", env: `[{A: 1}, PATH]`, wantErr: ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := "- hosts: all\n  tasks:\n    - command: env\n      environment: " + tt.env + "\n"
			pb, err := Parse(filepath.Join(t.TempDir(), "site.yml"), []byte(src), testOptions())
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := pb.Plays[0].Tasks[0].Environment; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Environment = %#v, want %#v", got, tt.want)
			}
		})
	}
}
