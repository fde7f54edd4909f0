package difftest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jetplay/jetplay/internal/sshdtest"
	"github.com/jetplay/jetplay/internal/testenv"
)

// TestDiffVaultGenerated is the Vault corpus with ciphertext that
// ansible-vault makes in the test (vault_files and vault_wrong_password use
// committed test ciphertext): a vars file encrypted with the vault id gen
// (a 1.2 envelope), an inline !vault value from encrypt_string, both
// decrypted with --vault-id gen@FILE; then a wrong password. Both tools run
// over the corpus's OpenSSH hosts and are compared as the corpus is.
func TestDiffVaultGenerated(t *testing.T) {
	ansible := testenv.LookPath(t, "ansible-playbook")
	ansibleVault := filepath.Join(filepath.Dir(ansible), "ansible-vault")
	if _, err := os.Stat(ansibleVault); err != nil {
		t.Skipf("ansible-vault not beside ansible-playbook: %v", err)
	}
	root := moduleRoot(t)
	publisher := buildPublisher(t, root)
	srv := sshdtest.Start(t, sshdtest.Options{User: sshdtest.TestUser, Addrs: corpusSSHAddrs})
	inv := corpusSSHInventory(t, filepath.Join(root, corpusInventory), srv)
	ansibleEnv := corpusSSHAnsibleEnv(t, srv)

	dir := t.TempDir()
	write := func(name, body string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	vaultCmd := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), ansibleVault, args...)
		cmd.Dir, cmd.Env = dir, ansibleEnv
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("ansible-vault %s: %v", strings.Join(args, " "), err)
		}
		return string(out)
	}
	pw := write("password", "made-in-"+t.Name()+"\n")
	wrong := write("wrong", "not-it\n")
	write("vars.yml", "gen_secret: from the generated vars file\n")
	vaultCmd("encrypt", "--vault-id", "gen@"+pw, "vars.yml")
	inline := vaultCmd("encrypt_string", "--vault-id", "gen@"+pw, "--name", "gen_inline", "generated inline value")
	if !strings.Contains(inline, "!vault |") {
		t.Fatalf("encrypt_string wrote no !vault value:\n%s", inline)
	}
	var vars strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(inline), "\n") {
		vars.WriteString("    " + l + "\n")
	}
	write("good.yml", `- name: generated vault data
  hosts: h1,h2
  gather_facts: false
  vars_files: [vars.yml]
  vars:
`+vars.String()+`  tasks:
    - debug:
        msg: "{{ gen_secret }} / {{ gen_inline }}"
    - command: echo {{ gen_inline }}
`)
	write("wrong.yml", "- name: generated vault data, wrong password\n  hosts: h1\n  gather_facts: false\n  vars_files: [vars.yml]\n  tasks:\n    - debug:\n        msg: never\n")

	scratch := []string{"-e", corpusTmpVar + "=" + srv.TempDir(t)}
	for _, tc := range []struct {
		name, book, password string
		wantCode             int
	}{
		{"right password", "good.yml", pw, 0},
		{"wrong password", "wrong.yml", wrong, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := slices.Concat([]string{"-i", inv}, scratch, []string{"--vault-id", "gen@" + tc.password, tc.book})
			c := &corpusCase{name: tc.book}
			c.ansible = executeWithin(t.Context(), corpusRunTimeout, func(ctx context.Context) *exec.Cmd {
				cmd := exec.CommandContext(ctx, ansible, args...)
				cmd.Dir, cmd.Env = dir, ansibleEnv
				return cmd
			})
			c.jetplay = executeWithin(t.Context(), corpusRunTimeout, func(ctx context.Context) *exec.Cmd {
				cmd := exec.CommandContext(ctx, publisher, append([]string{"-o", "json", "--known-hosts", srv.KnownHosts}, args...)...)
				cmd.Dir, cmd.Env = dir, cleanEnv()
				return cmd
			})
			if problems := corpusProblems(c, t.Logf); len(problems) > 0 {
				t.Errorf("differs:\n%s\njetplay stderr:\n%s", strings.Join(problems, "\n"), c.jetplay.stderr)
			}
			if c.ansible.code != tc.wantCode {
				t.Errorf("ansible exit %d, want %d\nstderr:\n%s", c.ansible.code, tc.wantCode, c.ansible.stderr)
			}
			if tc.wantCode == 0 && !strings.Contains(string(c.jetplay.stdout), "from the generated vars file / generated inline value") {
				t.Errorf("jetplay did not show the decrypted values:\n%s", c.jetplay.stdout)
			}
		})
	}
}
