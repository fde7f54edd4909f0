package publish

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/vault"
)

func TestLoadVault(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pwFile := write("pw", "right\n")
	prodFile := write("prod", "prod-pw\n")
	envFile := write("envpw", "from-env\n")
	encrypt := func(pw, id, plain string) []byte {
		t.Helper()
		data, err := vault.Encrypt([]byte(plain), vault.NewSecret(id, []byte(pw)))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	def := encrypt("right", vault.DefaultID, "default secret")
	prod := encrypt("prod-pw", "prod", "prod secret")
	fromEnv := encrypt("from-env", vault.DefaultID, "env secret")
	asked := encrypt("typed", vault.DefaultID, "prompted secret")

	tests := []struct {
		name    string
		o       VaultOptions
		env     vaultEnv
		stdin   string
		data    []byte
		file    string
		want    string
		wantErr string
	}{
		{name: "password file", o: VaultOptions{PasswordFiles: []string{pwFile}}, data: def, want: "default secret"},
		{name: "vault id with a label", o: VaultOptions{IDs: []string{"prod@" + prodFile}}, data: prod, want: "prod secret"},
		{name: "configured password file", env: vaultEnv{passwordFile: envFile}, data: fromEnv, want: "env secret"},
		{name: "ask", o: VaultOptions{Ask: true}, stdin: "typed\n", data: asked, want: "prompted secret"},
		{name: "configured ask_vault_pass", env: vaultEnv{ask: true}, stdin: "typed\n", data: asked, want: "prompted secret"},
		{name: "wrong password names the file", o: VaultOptions{PasswordFiles: []string{prodFile}}, data: def, file: "vars.yml",
			wantErr: "Decryption failed (no vault secrets were found that could decrypt) on " + filepath.Join(mustGetwd(t), "vars.yml")},
		{name: "wrong password inline", o: VaultOptions{PasswordFiles: []string{prodFile}}, data: def,
			wantErr: "Decryption failed (no vault secrets were found that could decrypt)"},
		{name: "no password", data: def, wantErr: "Attempting to decrypt but no vault secrets found"},
		{name: "missing password file", o: VaultOptions{PasswordFiles: []string{filepath.Join(dir, "nope")}},
			wantErr: "The vault password file " + filepath.Join(dir, "nope") + " was not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			decrypt, err := loadVault(t.Context(), tt.o, tt.env, strings.NewReader(tt.stdin), &stderr)
			if err == nil {
				var out []byte
				out, err = playbook.Unvault(decrypt, tt.file, tt.data)
				if err == nil && string(out) != tt.want {
					t.Errorf("decrypted %q, want %q", out, tt.want)
				}
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v", err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(stderr.String(), "right") || strings.Contains(stderr.String(), "typed") {
				t.Errorf("a password reached stderr: %q", stderr.String())
			}
		})
	}
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

func TestLoadVaultErrorsAreVaultErrors(t *testing.T) {
	t.Parallel()
	decrypt, err := loadVault(t.Context(), VaultOptions{}, vaultEnv{}, strings.NewReader(""), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = playbook.Unvault(decrypt, "", []byte("$ANSIBLE_VAULT;1.1;AES256\n00\n"))
	if !errors.Is(err, playbook.ErrVault) {
		t.Errorf("error %v does not match playbook.ErrVault", err)
	}
}
