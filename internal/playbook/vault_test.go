package playbook

import (
	"bytes"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fakeVault is a DecryptFunc for tests: the "ciphertext" is the plaintext
// after the header line, and "BAD" in it fails as a wrong password does.
// It records the file names it was called with.
type fakeVault struct{ files []string }

func (f *fakeVault) decrypt(file string, data []byte) ([]byte, error) {
	f.files = append(f.files, file)
	_, body, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Contains(body, []byte("BAD")) {
		msg := "Decryption failed (no vault secrets were found that could decrypt)"
		if file != "" {
			msg += " on " + file
		}
		return nil, errors.New(msg)
	}
	return body, nil
}

const fakeHeader = "$ANSIBLE_VAULT;1.1;AES256\n"

func TestVaultFiles(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"vars.yml":               fakeHeader + "secret: s3cret\n",
		"bad.yml":                fakeHeader + "BAD\n",
		"inline.yml":             "plain: 1\ninline: !vault |\n  " + strings.TrimSuffix(fakeHeader, "\n") + "\n  inline-secret\n",
		"notvault.yml":           "x: !vault |\n  not vault data\n",
		"tasks.yml":              fakeHeader + "- debug: msg=hi\n",
		"play.yml":               fakeHeader + "- hosts: all\n  vars_files: [vars.yml]\n  tasks:\n    - import_tasks: tasks.yml\n",
		"inv/hosts.yml":          fakeHeader + "all:\n  hosts:\n    h1:\n",
		"inv/group_vars/all.yml": fakeHeader + "gv: from-group\n",
	})
	f := &fakeVault{}
	v, err := LoadVars(filepath.Join(dir, "vars.yml"), f.decrypt)
	if err != nil || !reflect.DeepEqual(v, map[string]any{"secret": "s3cret"}) {
		t.Errorf("encrypted vars file = %v, %v", v, err)
	}
	v, err = LoadVars(filepath.Join(dir, "inline.yml"), f.decrypt)
	if err != nil || !reflect.DeepEqual(v, map[string]any{"plain": 1, "inline": "inline-secret\n"}) {
		t.Errorf("inline !vault = %v, %v", v, err)
	}
	if got := f.files; len(got) != 2 || got[0] != filepath.Join(dir, "vars.yml") || got[1] != "" {
		t.Errorf("decrypt called with files %q, want the vars file's name, then \"\" for the inline value", got)
	}

	bad := filepath.Join(dir, "bad.yml")
	_, err = LoadVars(bad, f.decrypt)
	if want := "Decryption failed (no vault secrets were found that could decrypt) on " + bad; !errors.Is(err, ErrVault) || err == nil || err.Error() != want {
		t.Errorf("wrong password: %v, want ErrVault with text %q", err, want)
	}
	for _, name := range []string{"vars.yml", "inline.yml"} {
		_, err = LoadVars(filepath.Join(dir, name), nil)
		if !errors.Is(err, ErrVault) || err.Error() != "Attempting to decrypt but no vault secrets found" {
			t.Errorf("%s without a password: %v", name, err)
		}
	}
	// A playbook's inline value without a password fails its load as
	// Ansible's would at first use.
	_, err = Parse(filepath.Join(dir, "site.yml"), []byte("- hosts: all\n  vars:\n    a: !vault |\n      $ANSIBLE_VAULT;1.1;AES256\n      x\n"), Options{})
	if !errors.Is(err, ErrVault) {
		t.Errorf("playbook's !vault value without a password: %v, want ErrVault", err)
	}
	if _, err = LoadVars(filepath.Join(dir, "notvault.yml"), f.decrypt); !errors.Is(err, ErrInvalid) {
		t.Errorf("!vault of plain text: %v, want ErrInvalid", err)
	}

	if ev, err := ParseExtraVarsWith("@"+filepath.Join(dir, "vars.yml"), f.decrypt); err != nil || ev["secret"] != "s3cret" {
		t.Errorf("-e @encrypted file = %v, %v", ev, err)
	}
	if _, err := ParseExtraVars("@" + filepath.Join(dir, "vars.yml")); !errors.Is(err, ErrVault) {
		t.Errorf("-e @encrypted file without a password: %v, want ErrVault", err)
	}

	b, err := Load(filepath.Join(dir, "play.yml"), Options{Decrypt: f.decrypt})
	if err != nil {
		t.Fatalf("encrypted playbook and task file: %v", err)
	}
	if got := b.Plays[0].Tasks; len(got) != 1 || got[0].Module != "debug" {
		t.Errorf("tasks of the encrypted task file = %v", got)
	}
	if _, err := Load(filepath.Join(dir, "play.yml"), Options{}); !errors.Is(err, ErrVault) {
		t.Errorf("encrypted playbook without a password: %v", err)
	}

	inv, err := LoadInventoriesWith(f.decrypt, filepath.Join(dir, "inv", "hosts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := inv.HostVars("h1")["gv"]; got != "from-group" {
		t.Errorf("encrypted group_vars: gv = %v", got)
	}
	if _, err := LoadInventories(filepath.Join(dir, "inv", "hosts.yml")); !errors.Is(err, ErrVault) {
		t.Errorf("encrypted inventory without a password: %v", err)
	}
}
