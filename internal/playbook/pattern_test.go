package playbook

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"
)

func TestMatch(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"hosts": `[web]
web1
web2
web10
[db]
db1
web1
[prod:children]
web
[staging]
stage1
`})
	inv, err := LoadInventory(filepath.Join(dir, "hosts"))
	if err != nil {
		t.Fatal(err)
	}
	all := []string{"web1", "web2", "web10", "db1", "stage1"}
	tests := []struct {
		pattern string
		want    []string
		wantErr error
	}{
		{pattern: "all", want: all},
		{pattern: "*", want: all},
		{pattern: "web", want: []string{"web1", "web2", "web10"}},
		{pattern: "prod", want: []string{"web1", "web2", "web10"}},
		{pattern: "web2", want: []string{"web2"}},
		// Checked against ansible --list-hosts: the pattern's terms in order,
		// a group's hosts in the group's own order.
		{pattern: "db:web", want: []string{"db1", "web1", "web2", "web10"}},
		{pattern: "db,stage1", want: []string{"db1", "web1", "stage1"}},
		{pattern: "web:&db", want: []string{"web1"}},
		{pattern: "web:!db", want: []string{"web2", "web10"}},
		{pattern: "!db:web", want: []string{"web2", "web10"}},
		{pattern: "!db", want: []string{"web2", "web10", "stage1"}},
		{pattern: "~web[0-9]+", want: []string{"web1", "web2", "web10"}},
		{pattern: "~web1", want: []string{"web1", "web10"}},
		{pattern: "web*", want: []string{"web1", "web2", "web10"}},
		{pattern: "w?b1", want: []string{"web1"}},
		{pattern: "*1", want: []string{"web1", "db1", "stage1"}},
		{pattern: "web[0]", want: []string{"web1"}},
		{pattern: "web[1:]", want: []string{"web2", "web10"}},
		{pattern: "web[-1]", want: []string{"web10"}},
		{pattern: "web[0:1]", want: []string{"web1", "web2"}},
		{pattern: "localhost", want: []string{"localhost"}},
		{pattern: "127.0.0.1", want: []string{"127.0.0.1"}},
		{pattern: "web1:localhost", want: []string{"web1", "localhost"}},
		{pattern: "all:!localhost", want: all},
		{pattern: "nosuch", want: []string{}},
		{pattern: "nosuch*", want: []string{}},
		{pattern: "web[5]", wantErr: ErrPattern},
		{pattern: "~web(", wantErr: ErrPattern},
	}
	for _, tt := range tests {
		got, err := inv.Match(tt.pattern)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Match(%q) error = %v, want %v", tt.pattern, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Match(%q) = %#v, %v; want %#v", tt.pattern, got, err, tt.want)
		}
	}
	if got := inv.GroupsMap()["all"]; !reflect.DeepEqual(got, all) {
		t.Errorf("groups['all'] = %v: the implicit localhost must not be in it", got)
	}
}

func TestSplitPattern(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"a:b", []string{"a", "b"}},
		{"a, b ,c", []string{"a", "b", "c"}},
		{"a:&b:!c", []string{"a", "&b", "!c"}},
		{"web[1:2]:db", []string{"web[1:2]", "db"}},
		{"::1", []string{"::1"}},
		{"host:22", []string{"host:22"}},
	}
	for _, tt := range tests {
		if got := splitPattern(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitPattern(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
