package publish

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/jetplay/jetplay/internal/cli/execute"
	"github.com/jetplay/jetplay/internal/settings"
)

func TestApplySettings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "ansible.cfg")
	if err := os.WriteFile(cfg, []byte("[defaults]\ninventory = hosts.ini\nroles_path = myroles\nremote_user = deploy\n"+
		"private_key_file = id_test\nforks = 3\ntimeout = 7\nhost_key_checking = False\nvault_password_file = pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ANSIBLE_CONFIG": cfg, "ANSIBLE_FORKS": "9"}
	s, err := settings.Load(env, dir, dir, settings.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	given := Options{Inventories: []string{"cli.ini"}, Forks: 2, SSH: execute.SSHOptions{User: "cli", HostKeyCheck: true, ConnectTimeout: 10}}
	none := func(string) bool { return false }
	flags := map[string]bool{"inventory": true, "forks": true, "user": true}
	tests := []struct {
		name    string
		changed func(string) bool
		in      Options
		want    Options
	}{
		{name: "no flags: environment over file", changed: none, in: Options{Forks: 5, SSH: execute.SSHOptions{HostKeyCheck: true, ConnectTimeout: 10}},
			want: Options{Inventories: []string{filepath.Join(dir, "hosts.ini")}, Forks: 9,
				SSH: execute.SSHOptions{User: "deploy", PrivateKeys: []string{filepath.Join(dir, "id_test")}, HostKeyCheck: false, ConnectTimeout: 7}}},
		{name: "flags win", changed: func(f string) bool { return flags[f] }, in: given,
			want: Options{Inventories: []string{"cli.ini"}, Forks: 2,
				SSH: execute.SSHOptions{User: "cli", PrivateKeys: []string{filepath.Join(dir, "id_test")}, HostKeyCheck: false, ConnectTimeout: 7}}},
		{name: "nil changed: options as given", in: given, want: given},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := tt.in
			applySettings(&o, s, tt.changed, &bytes.Buffer{})
			if !reflect.DeepEqual(o, tt.want) {
				t.Errorf("options\n got %+v\nwant %+v", o, tt.want)
			}
		})
	}
	if got := s.RolesPath; !reflect.DeepEqual(got, []string{filepath.Join(dir, "myroles")}) {
		t.Errorf("roles path %q", got)
	}
	if got := vaultSettings(s).passwordFile; got != filepath.Join(dir, "pw") {
		t.Errorf("vault password file %q", got)
	}
}
