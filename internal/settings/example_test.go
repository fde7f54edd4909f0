package settings_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jetplay/jetplay/internal/settings"
)

func Example() {
	dir, err := os.MkdirTemp("", "settings-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	cfg := "[defaults]\ninventory = hosts.ini\nforks = 20\nnocows = 1\n"
	if err := os.WriteFile(filepath.Join(dir, "ansible.cfg"), []byte(cfg), 0o600); err != nil {
		fmt.Println(err)
		return
	}
	env := map[string]string{"ANSIBLE_CONFIG": filepath.Join(dir, "ansible.cfg"), "ANSIBLE_FORKS": "8"}
	timeout := 30
	s, err := settings.Load(env, "/", dir, settings.Overrides{Timeout: &timeout})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range s.Dump() {
		switch {
		case e.Origin.Source == settings.FromFile:
			fmt.Printf("%s = %v (the file)\n", e.Key, strings.ReplaceAll(fmt.Sprint(e.Value), dir, "DIR"))
		case e.Changed():
			fmt.Printf("%s = %v (%s)\n", e.Key, e.Value, e.Origin)
		}
	}
	fmt.Println(filepath.Base(s.Inventory[0]), s.Forks, s.Timeout, s.HostKeyChecking)
	// Output:
	// inventory = [DIR/hosts.ini] (the file)
	// forks = 8 (env: ANSIBLE_FORKS)
	// timeout = 30 (cli: timeout)
	// nocows = 1 (the file)
	// hosts.ini 8 30 true
}
