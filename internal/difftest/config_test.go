package difftest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jetplay/jetplay/internal/sshdtest"
	"github.com/jetplay/jetplay/internal/testenv"
)

// configPlaybook runs where an ansible.cfg sets the inventory, roles_path,
// remote_user, forks and host_key_checking. whoami shows the login user
// (the inventory names none); the role is found only through roles_path;
// the lock task fails on a host that runs it while another does, which
// forks = 1 never lets happen; the hosts' keys are in no known_hosts file,
// so a run that checks them finds every host unreachable.
const configPlaybook = `- name: ansible.cfg beside the playbook
  hosts: all
  gather_facts: false
  tasks:
    - command: whoami
      register: who
    - debug:
        msg: "{{ who.stdout }}"
    - import_role:
        name: cfgrole
    - name: one host at a time
      shell: mkdir {{ corpus_tmp }}/config_lock && sleep 0.3 && rmdir {{ corpus_tmp }}/config_lock
      changed_when: false
`

// TestDiffConfig runs configPlaybook under both tools in a directory that
// holds it, its ansible.cfg (inventory, roles_path, remote_user, forks and
// host_key_checking set), the inventory and two role directories, without
// -i, --known-hosts or ANSIBLE_CONFIG, over the corpus's OpenSSH hosts; then
// again with ANSIBLE_ROLES_PATH naming the other role directory, which must
// win over the file. Both runs compare the json documents and exit codes,
// and check the role each tool used.
func TestDiffConfig(t *testing.T) {
	ansible := testenv.LookPath(t, "ansible-playbook")
	root := moduleRoot(t)
	publisher := buildPublisher(t, root)
	srv := sshdtest.Start(t, sshdtest.Options{User: sshdtest.TestUser, Addrs: corpusSSHAddrs[:2]})

	dir := t.TempDir()
	var inv strings.Builder
	for i, h := range srv.Hosts {
		// No ansible_user: remote_user comes from ansible.cfg. No known
		// hosts: host_key_checking = False must be what lets both in.
		fmt.Fprintf(&inv, "h%d ansible_host=%s ansible_port=%d ansible_ssh_private_key_file=%s ansible_ssh_common_args='-o UserKnownHostsFile=/dev/null'\n",
			i+1, h.Addr, h.Port, h.KeyFile)
	}
	files := map[string]string{
		"ansible.cfg": "[defaults]\ninventory = hosts.ini\nroles_path = cfgroles\nremote_user = " + srv.User +
			"\nforks = 1\nhost_key_checking = False\n",
		"hosts.ini":                       inv.String(),
		"site.yml":                        configPlaybook,
		"cfgroles/cfgrole/tasks/main.yml": "- debug:\n    msg: role from the file's roles_path\n",
		"envroles/cfgrole/tasks/main.yml": "- debug:\n    msg: role from ANSIBLE_ROLES_PATH\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ansibleEnv := slices.DeleteFunc(corpusSSHAnsibleEnv(t, srv), func(kv string) bool { return strings.HasPrefix(kv, "ANSIBLE_CONFIG=") })
	scratch := []string{"-e", corpusTmpVar + "=" + srv.TempDir(t)}

	for _, tc := range []struct {
		name     string
		env      []string
		wantRole string
	}{
		{"file", nil, "role from the file's roles_path"},
		{"environment over the file", []string{"ANSIBLE_ROLES_PATH=" + filepath.Join(dir, "envroles")}, "role from ANSIBLE_ROLES_PATH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &corpusCase{name: "config"}
			c.ansible = executeWithin(t.Context(), corpusRunTimeout, func(ctx context.Context) *exec.Cmd {
				cmd := exec.CommandContext(ctx, ansible, append(slices.Clone(scratch), "site.yml")...)
				cmd.Dir, cmd.Env = dir, append(slices.Clone(ansibleEnv), tc.env...)
				return cmd
			})
			c.jetplay = executeWithin(t.Context(), corpusRunTimeout, func(ctx context.Context) *exec.Cmd {
				cmd := exec.CommandContext(ctx, publisher, append([]string{"-o", "json"}, append(slices.Clone(scratch), "site.yml")...)...)
				cmd.Dir, cmd.Env = dir, append(cleanEnv(), tc.env...)
				return cmd
			})
			if problems := corpusProblems(c, t.Logf); len(problems) > 0 {
				t.Errorf("differs:\n%s\njetplay stderr:\n%s", strings.Join(problems, "\n"), c.jetplay.stderr)
			}
			for tool, r := range map[string]run{"ansible": c.ansible, "jetplay": c.jetplay} {
				if r.code != 0 {
					t.Errorf("%s exit %d, want 0\nstderr:\n%s", tool, r.code, r.stderr)
				}
				out := string(r.stdout)
				if !strings.Contains(out, tc.wantRole) || !strings.Contains(out, `"msg": "`+srv.User+`"`) {
					t.Errorf("%s: want the role saying %q and whoami %q in:\n%s", tool, tc.wantRole, srv.User, out)
				}
			}
		})
	}
}
