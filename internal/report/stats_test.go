package report

import (
	"reflect"
	"testing"
)

func TestStatsAdd(t *testing.T) {
	tests := []struct {
		name    string
		results []HostResult
		rescue  bool
		want    HostStats
	}{
		{name: "ok", results: []HostResult{{Status: OK, Result: map[string]any{"changed": false}}}, want: HostStats{OK: 1}},
		{name: "changed", results: []HostResult{{Status: Changed, Result: map[string]any{"changed": true}}}, want: HostStats{OK: 1, Changed: 1}},
		{name: "failed", results: []HostResult{{Status: Failed, Result: map[string]any{"changed": true}}}, want: HostStats{Failures: 1}},
		{name: "failed ignored changed", results: []HostResult{{Status: Failed, Ignored: true, Result: map[string]any{"changed": true}}},
			want: HostStats{OK: 1, Changed: 1, Ignored: 1}},
		{name: "failed ignored unchanged", results: []HostResult{{Status: Failed, Ignored: true, Result: map[string]any{"changed": false}}},
			want: HostStats{OK: 1, Ignored: 1}},
		{name: "skipped", results: []HostResult{{Status: Skipped}}, want: HostStats{Skipped: 1}},
		{name: "unreachable", results: []HostResult{{Status: Unreachable}}, want: HostStats{Unreachable: 1}},
		{name: "unreachable ignored", results: []HostResult{{Status: Unreachable, Ignored: true}}, want: HostStats{OK: 1, Ignored: 1}},
		{name: "rescued after add", results: []HostResult{{Status: Failed}}, rescue: true, want: HostStats{Rescued: 1}},
		{name: "rescued alone", rescue: true, want: HostStats{Rescued: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Stats{}
			for _, r := range tt.results {
				r.Host = "h1"
				s.Add(r)
			}
			if tt.rescue {
				s.Rescue("h1")
			}
			if got := *s["h1"]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// The goldens check ExitCode against ansible-playbook runs; these are the
// rules they showed.
func TestExitCode(t *testing.T) {
	tests := []struct {
		name  string
		stats Stats
		want  int
	}{
		{"empty", Stats{}, ExitOK},
		{"ok and ignored", Stats{"h1": {OK: 2, Ignored: 1}}, ExitOK},
		{"failed", Stats{"h1": {Failures: 1}, "h2": {OK: 1}}, ExitFailed},
		{"unreachable", Stats{"h1": {Unreachable: 1}}, ExitUnreachable},
		{"failed and unreachable", Stats{"h1": {Failures: 1}, "h2": {Unreachable: 1}}, ExitUnreachable},
		{"rescued", Stats{"h1": {Rescued: 1}}, ExitOK},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.stats); got != tt.want {
			t.Errorf("%s: ExitCode = %d, want %d", tt.name, got, tt.want)
		}
	}
}
