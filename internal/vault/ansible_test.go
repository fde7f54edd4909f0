package vault

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/jetplay/jetplay/internal/testenv"
)

// vaultCLI runs ansible-vault in dir with a clean environment (HOME is dir,
// so no ~/.ansible.cfg is read) and returns its stdout and stderr.
func vaultCLI(t *testing.T, bin, dir string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "LANG=C.UTF-8", "ANSIBLE_NOCOLOR=1"}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// inlineText returns the text of the !vault value key in the YAML doc, as
// Ansible's YAML loader hands it to the vault.
func inlineText(t *testing.T, doc, key string) string {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &n); err != nil {
		t.Fatalf("encrypt_string output is not YAML: %v\n%s", err, doc)
	}
	m := n.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			if v.Tag != "!vault" {
				t.Fatalf("%s is tagged %q, want !vault", key, v.Tag)
			}
			return v.Value
		}
	}
	t.Fatalf("no %s in\n%s", key, doc)
	return ""
}

// TestAnsibleVaultWritesWeRead encrypts with ansible-vault (files and
// encrypt_string, with and without a vault id, a password file and a client
// script) and checks Load and Decrypt give the plaintext back.
func TestAnsibleVaultWritesWeRead(t *testing.T) {
	bin := testenv.LookPath(t, "ansible-vault")
	dir := t.TempDir()
	writeFile(t, dir, "pw", "hunter2\n", 0o600)
	writeFile(t, dir, "keys-client.sh", "#!/bin/sh\n[ \"$2\" = ops ] && echo opspass || exit 2\n", 0o755)
	plain := "db_password: s3cret\nmotd: |\n  héllo\n  wörld\n"

	tests := []struct {
		name     string
		args     []string // how ansible-vault gets its password
		slugs    []string // how we do
		wantID   string
		inline   bool
		wantHead string
	}{
		{name: "file, password file", args: []string{"--vault-password-file", "pw"},
			slugs: IDs("", nil, nil, []string{"pw"}, false), wantID: "default", wantHead: "$ANSIBLE_VAULT;1.1;AES256"},
		{name: "file, vault id", args: []string{"--vault-id", "dev@pw"},
			slugs: []string{"dev@pw"}, wantID: "dev", wantHead: "$ANSIBLE_VAULT;1.2;AES256;dev"},
		{name: "file, client script", args: []string{"--vault-id", "ops@keys-client.sh"},
			slugs: []string{"dev@pw", "ops@keys-client.sh"}, wantID: "ops", wantHead: "$ANSIBLE_VAULT;1.2;AES256;ops"},
		{name: "encrypt_string, password file", args: []string{"--vault-password-file", "pw"},
			slugs: []string{"pw"}, wantID: "default", inline: true, wantHead: "$ANSIBLE_VAULT;1.1;AES256"},
		{name: "encrypt_string, vault id", args: []string{"--vault-id", "prod@pw"},
			slugs: []string{"other@keys-client.sh", "prod@pw"}, wantID: "prod", inline: true, wantHead: "$ANSIBLE_VAULT;1.2;AES256;prod"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var envelope string
			if tc.inline {
				args := append([]string{"encrypt_string"}, tc.args...)
				args = append(args, "--name", "secret_var", plain)
				out, errOut, err := vaultCLI(t, bin, dir, args...)
				if err != nil {
					t.Fatalf("ansible-vault %q: %v\n%s", args, err, errOut)
				}
				envelope = inlineText(t, out, "secret_var")
			} else {
				f := writeFile(t, dir, "vars"+string(rune('a'+i))+".yml", plain, 0o600)
				args := append([]string{"encrypt"}, tc.args...)
				args = append(args, f)
				if _, errOut, err := vaultCLI(t, bin, dir, args...); err != nil {
					t.Fatalf("ansible-vault %q: %v\n%s", args, err, errOut)
				}
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				envelope = string(data)
			}
			if h, _, _ := strings.Cut(envelope, "\n"); h != tc.wantHead {
				t.Errorf("header %q, want %q", h, tc.wantHead)
			}
			v, err := Load(context.Background(), Config{Resolve: func(p string) string { return filepath.Join(dir, p) }}, tc.slugs...)
			if err != nil {
				t.Fatal(err)
			}
			got, id, err := v.DecryptID([]byte(envelope))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != plain {
				t.Errorf("plaintext %q, want %q", got, plain)
			}
			if id != tc.wantID {
				t.Errorf("decrypted with %q, want %q", id, tc.wantID)
			}
			bad := New(Config{}, NewSecret("", []byte("hunter3")))
			if _, err := bad.DecryptString(envelope); !errors.Is(err, ErrDecrypt) {
				t.Errorf("wrong password: %v, want ErrDecrypt", err)
			}
		})
	}
}

// TestAnsibleVaultReadsWhatWeWrite has ansible-vault decrypt what Encrypt
// wrote, and checks a wrong password fails in both with the same message.
func TestAnsibleVaultReadsWhatWeWrite(t *testing.T) {
	bin := testenv.LookPath(t, "ansible-vault")
	dir := t.TempDir()
	writeFile(t, dir, "pw", "hunter2\n", 0o600)
	writeFile(t, dir, "bad", "hunter3\n", 0o600)
	plain := "a: 1\nb: [x, \"ÿ\"]\n\x00binary\xff\n"
	tests := []struct {
		name string
		id   string
		args []string
	}{
		{name: "1.1", id: "", args: []string{"--vault-password-file", "pw"}},
		{name: "1.2", id: "dev", args: []string{"--vault-id", "dev@pw"}},
		{name: "1.2 read without the id", id: "dev", args: []string{"--vault-password-file", "pw"}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, err := Encrypt([]byte(plain), NewSecret(tc.id, []byte("hunter2")))
			if err != nil {
				t.Fatal(err)
			}
			name := "ours" + string(rune('a'+i)) + ".yml"
			writeFile(t, dir, name, string(env), 0o600)
			args := append(append([]string{"decrypt", "--output", "-"}, tc.args...), name)
			out, errOut, err := vaultCLI(t, bin, dir, args...)
			if err != nil {
				t.Fatalf("ansible-vault %q: %v\n%s", args, err, errOut)
			}
			if out != plain {
				t.Errorf("ansible-vault decrypted %q, want %q", out, plain)
			}
		})
	}

	env, err := Encrypt([]byte(plain), NewSecret("", []byte("hunter2")))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "wrong.yml", string(env), 0o600)
	_, errOut, err := vaultCLI(t, bin, dir, "view", "--vault-password-file", "bad", "wrong.yml")
	if err == nil {
		t.Fatal("ansible-vault decrypted with the wrong password")
	}
	v, err := Load(context.Background(), Config{Resolve: func(p string) string { return filepath.Join(dir, p) }}, "bad")
	if err != nil {
		t.Fatal(err)
	}
	_, ourErr := v.DecryptFile("wrong.yml", env)
	if !errors.Is(ourErr, ErrDecrypt) {
		t.Fatalf("wrong password: %v, want ErrDecrypt", ourErr)
	}
	// ansible-vault: "ERROR! <the message> for wrong.yml".
	if want := "ERROR! " + ourErr.Error() + " for wrong.yml"; !strings.Contains(errOut, want) {
		t.Errorf("ansible-vault said %q, want it to contain %q", errOut, want)
	}
}
