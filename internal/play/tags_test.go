package play

import "testing"

func TestTagSelected(t *testing.T) {
	tests := []struct {
		name       string
		tags       []string
		only, skip []string
		want       bool
	}{
		{"no selection runs everything", []string{"web"}, nil, nil, true},
		{"untagged runs with no selection", nil, nil, nil, true},
		{"matching tag", []string{"web", "db"}, []string{"db"}, nil, true},
		{"other tag", []string{"web"}, []string{"db"}, nil, false},
		{"always runs with any selection", []string{"always"}, []string{"db"}, nil, true},
		{"always skipped by name", []string{"always"}, nil, []string{"always"}, false},
		{"never needs its name", []string{"never", "debug"}, nil, nil, true},
		{"never not run by all", []string{"never", "debug"}, []string{"all"}, nil, false},
		{"never run by its other tag", []string{"never", "debug"}, []string{"debug"}, nil, true},
		{"skip matching", []string{"web"}, nil, []string{"web"}, false},
		{"tagged selects tagged", []string{"web"}, []string{"tagged"}, nil, true},
		{"tagged skips untagged", nil, []string{"tagged"}, nil, false},
		{"untagged selects untagged", nil, []string{"untagged"}, nil, true},
		{"skip all keeps always", []string{"always"}, nil, []string{"all"}, true},
		{"skip tagged", []string{"x"}, nil, []string{"tagged"}, false},
	}
	for _, tt := range tests {
		if got := tagSelected(tt.tags, tt.only, tt.skip); got != tt.want {
			t.Errorf("%s: tagSelected(%v, %v, %v) = %v, want %v", tt.name, tt.tags, tt.only, tt.skip, got, tt.want)
		}
	}
}
