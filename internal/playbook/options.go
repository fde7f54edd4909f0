package playbook

import (
	"bytes"
	"errors"
	"os"
)

// Options are the callbacks a load uses to validate what it reads. The zero
// value accepts every module name and every template.
type Options struct {
	// Module resolves a module name (short, "ansible.builtin.x" or
	// "ansible.legacy.x") to its canonical short name; ok=false means an
	// unknown module, which fails the load with ErrUnknownModule. Nil accepts
	// every name and strips the ansible.builtin. and ansible.legacy. prefixes.
	// The task-level builtins (import_tasks, include_tasks, include, meta,
	// import_role, include_role) are recognised without it.
	Module func(name string) (canonical string, ok bool)
	// CheckTemplate, if set, is called on every string value that contains
	// "{{" or "{%" (task args, vars, names, loop, environment, ...), except
	// values tagged !unsafe. A returned error fails the load with ErrTemplate.
	CheckTemplate func(s string) error
	// CheckExpr, if set, is called on every string conditional (the items of
	// when, changed_when, failed_when and until); such strings are not passed
	// to CheckTemplate. A returned error fails the load with ErrTemplate.
	CheckExpr func(expr string) error
	// RolesPath is the configured roles path (Ansible's roles_path,
	// ANSIBLE_ROLES_PATH): directories searched for roles after roles/
	// beside the playbook and before the playbook's directory. Nil searches
	// only those two; DefaultRolesPath is Ansible's default.
	RolesPath []string
	// Template, if set, renders a templated role name (of roles:, a meta
	// dependency or import_role) at load time with the play's vars,
	// vars_files and ExtraVars, as Ansible does; its error fails the load
	// with ErrRole. Nil leaves such names an ErrUnsupported error.
	Template func(s string, vars map[string]any) (any, error)
	// ExtraVars are the command line's extra variables, for Template.
	ExtraVars map[string]any
	// Decrypt decrypts Ansible Vault data: a whole file that starts with
	// the vault header (playbooks, task files, role files, vars files,
	// group_vars and host_vars) and the text of an inline !vault value,
	// decrypted as the file is read. Nil makes vault data fail the load
	// with ErrVault and Ansible's "Attempting to decrypt but no vault
	// secrets found".
	Decrypt DecryptFunc
}

// DecryptFunc decrypts vault data read from file ("" for an inline !vault
// value, whose errors name no file, as Ansible's do) and returns the
// plaintext. Its error's text is shown as it is (Ansible's wording, such as
// "Decryption failed (no vault secrets were found that could decrypt) on
// FILE").
type DecryptFunc func(file string, data []byte) ([]byte, error)

// vaultHeader starts vault data.
const vaultHeader = "$ANSIBLE_VAULT"

// errNoSecrets is Ansible's error for vault data met without a password.
const errNoSecrets = "Attempting to decrypt but no vault secrets found"

// IsVault reports whether data is vault data as Ansible's is_encrypted
// decides: pure ASCII and starting with "$ANSIBLE_VAULT".
func IsVault(data []byte) bool {
	for _, c := range data {
		if c >= 0x80 {
			return false
		}
	}
	return bytes.HasPrefix(data, []byte(vaultHeader))
}

// Unvault returns data, decrypted with decrypt when it is vault data
// (IsVault), as Ansible's DataLoader reads every file. The error wraps
// ErrVault and keeps decrypt's text; a nil decrypt gives Ansible's
// "Attempting to decrypt but no vault secrets found".
func Unvault(decrypt DecryptFunc, file string, data []byte) ([]byte, error) {
	if !IsVault(data) {
		return data, nil
	}
	if decrypt == nil {
		return nil, &vaultError{err: errors.New(errNoSecrets)} //nolint:staticcheck // Ansible's wording
	}
	out, err := decrypt(file, data)
	if err != nil {
		return nil, &vaultError{err: err}
	}
	return out, nil
}

// ReadFile reads file and decrypts it with decrypt when it is vault data
// (see Unvault). A read error is returned as os.ReadFile's.
func ReadFile(decrypt DecryptFunc, file string) ([]byte, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return Unvault(decrypt, file, data)
}

// vaultError is a decryption error: its text is the decrypter's, and it
// matches ErrVault.
type vaultError struct{ err error }

func (e *vaultError) Error() string { return e.err.Error() }

func (e *vaultError) Unwrap() []error { return []error{ErrVault, e.err} }
