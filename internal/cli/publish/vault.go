package publish

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	flag "github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/vault"
)

// VaultOptions are ansible-playbook's vault flags.
type VaultOptions struct {
	// PasswordFiles are --vault-password-file values (a file, or a script
	// when executable).
	PasswordFiles []string
	// IDs are --vault-id values: "label@source" or "source", the source a
	// password file, a script or "prompt".
	IDs []string
	// Ask is -J/--ask-vault-pass: prompt for the default id's password.
	Ask bool
}

// VaultFlags defines the vault flags on fs with ansible-playbook's
// spellings.
func VaultFlags(fs *flag.FlagSet, o *VaultOptions) {
	fs.StringArrayVar(&o.PasswordFiles, "vault-password-file", nil, "vault password file (repeatable; env ANSIBLE_VAULT_PASSWORD_FILE)")
	fs.StringArrayVar(&o.IDs, "vault-id", nil, "the vault identity to use: [label@]file, script or prompt (repeatable)")
	fs.BoolVarP(&o.Ask, "ask-vault-pass", "J", false, "ask for the vault password")
}

// vaultEnv are the configuration's vault settings (vaultSettings):
// vault_password_file, vault_identity, vault_identity_list, vault_id_match
// and ask_vault_pass, from ansible.cfg or their ANSIBLE_* variables.
type vaultEnv struct {
	passwordFile, identity string
	identityList           []string
	idMatch, ask           bool
}

// loadVault reads the vault passwords ansible-playbook would (the identity
// list, --vault-id, --vault-password-file then the configured password
// file, -J or ask_vault_pass) and returns the decrypter of the loaders. Warnings (a password
// file that failed while another worked) go to stderr as Ansible's
// [WARNING] lines. No source at all gives a decrypter without secrets,
// whose error is Ansible's "Attempting to decrypt but no vault secrets
// found". Passwords never reach a log or an error text.
func loadVault(ctx context.Context, o VaultOptions, env vaultEnv, stdin io.Reader, stderr io.Writer) (playbook.DecryptFunc, error) {
	files := o.PasswordFiles
	if env.passwordFile != "" {
		files = append(append([]string(nil), files...), env.passwordFile)
	}
	slugs := vault.IDs(env.identity, env.identityList, o.IDs, files, o.Ask || env.ask)
	v, err := vault.Load(ctx, vault.Config{
		DefaultID: env.identity,
		MatchID:   env.idMatch,
		Prompt:    func(_ context.Context, prompt string) (string, error) { return promptPassword(stdin, stderr, prompt) },
		Resolve: func(p string) string {
			if abs, err := filepath.Abs(p); err == nil {
				return abs
			}
			return p
		},
		Stderr: stderr,
		Warn:   func(msg string) { fmt.Fprintf(stderr, "[WARNING]: %s\n", msg) },
	}, slugs...)
	if err != nil {
		return nil, err
	}
	return func(file string, data []byte) ([]byte, error) {
		if file == "" {
			return v.Decrypt(data)
		}
		// Ansible names the file by its absolute path.
		if abs, err := filepath.Abs(file); err == nil {
			file = abs
		}
		return v.DecryptFile(file, data)
	}, nil
}

// promptPassword shows prompt on stderr and reads a password: without echo
// from a terminal, else one line of stdin (as Python's getpass falls back
// to). End of input is io.EOF.
func promptPassword(stdin io.Reader, stderr io.Writer, prompt string) (string, error) {
	fmt.Fprint(stderr, prompt)
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		pw, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		return string(pw), err
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && (line == "" || err != io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
