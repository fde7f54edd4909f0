package publish

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jetplay/jetplay/internal/settings"
)

// defaultInventory is Ansible's default inventory, used only when it
// exists (jetplay's empty inventory otherwise, as before).
const defaultInventory = "/etc/ansible/hosts"

// loadSettings reads the configuration as ansible-playbook does
// (settings.Load: ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg,
// /etc/ansible/ansible.cfg, then the ANSIBLE_* variables over it) from
// the process's environment, working directory and home.
func loadSettings() (*settings.Settings, error) {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("working directory: %w", err)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = "~"
	}
	return settings.Load(env, cwd, home, settings.Overrides{})
}

// applySettings fills the options the command line left unset (changed
// reports whether a flag was given; nil means every option was) from s,
// with Ansible's precedence: command line, environment, file, default.
// Only the settings jetplay has a meaning for are applied: inventory
// (the default /etc/ansible/hosts only when it exists), remote_user,
// private_key_file, forks, timeout and host_key_checking here;
// roles_path and the vault settings where the loader and the vault use
// them. Ansible's warnings about the configuration go to stderr.
func applySettings(o *Options, s *settings.Settings, changed func(string) bool, stderr io.Writer) {
	for _, w := range s.Warnings {
		fmt.Fprintf(stderr, "[WARNING]: %s\n", w)
	}
	if changed == nil {
		return
	}
	set := func(key string) bool {
		e, ok := s.Lookup(key)
		return ok && e.Changed()
	}
	if !changed("inventory") && len(o.Inventories) == 0 {
		if set("inventory") {
			o.Inventories = s.Inventory
		} else if _, err := os.Stat(defaultInventory); err == nil {
			o.Inventories = s.Inventory
		}
	}
	if !changed("user") && s.RemoteUser != "" {
		o.SSH.User = s.RemoteUser
	}
	if !changed("private-key") && s.PrivateKeyFile != "" {
		o.SSH.PrivateKeys = []string{s.PrivateKeyFile}
	}
	if !changed("forks") {
		o.Forks = s.Forks
	}
	if !changed("timeout") {
		o.SSH.ConnectTimeout = s.Timeout
	}
	if !changed("host-key-checking") {
		o.SSH.HostKeyCheck = s.HostKeyChecking
	}
}

// vaultSettings are the vault settings of s.
func vaultSettings(s *settings.Settings) vaultEnv {
	return vaultEnv{
		passwordFile: s.VaultPasswordFile, identity: s.VaultIdentity, identityList: s.VaultIdentityList,
		idMatch: s.VaultIDMatch, ask: s.AskVaultPass,
	}
}
