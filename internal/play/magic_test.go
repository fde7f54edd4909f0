package play_test

import (
	"strings"
	"testing"

	"github.com/jetplay/jetplay/internal/play"
)

// TestMagicVars: the connection's address (ansible_host, ansible_ssh_host)
// where the inventory sets none, as ansible-playbook 2.14 gives it: the
// inventory name, the delegate's (per loop item too), 127.0.0.1 for the
// implicit localhost, a set value kept; hostvars has none of it. The run's
// own magic variables are there, and hostvars[h] holds no hostvars (a deep
// walk of it, as the in test, ends). Each expected line is
// ansible-playbook's output for the same playbook.
func TestMagicVars(t *testing.T) {
	t.Parallel()
	inv := "h1 ansible_connection=local\nh2 ansible_connection=local ansible_host=127.0.0.1\nh3 ansible_connection=local\n"
	src := `- hosts: h1,h2
  gather_facts: false
  tasks:
    - debug:
        msg: "a {{ ansible_host }} {{ ansible_ssh_host }} {{ hostvars[inventory_hostname].ansible_host | default('UNDEF') }} {{ 'ansible_host' in hostvars[inventory_hostname] }}"
    - debug:
        msg: "d {{ ansible_host }}"
      delegate_to: h3
    - debug:
        msg: "i {{ item }} {{ ansible_host }}"
      delegate_to: "{{ item }}"
      loop: [h2, h3]
      when: inventory_hostname == 'h1'
    - debug:
        msg: "v {{ ansible_version.full }} {{ ansible_version.major }}.{{ ansible_version.minor }} {{ ansible_config_file is none }} {{ ansible_forks }} {{ ansible_run_tags }} {{ ansible_skip_tags }}"
- hosts: localhost
  gather_facts: false
  tasks:
    - debug:
        msg: "l {{ ansible_host }} {{ ansible_ssh_host }}"
`
	_, out := runBook(t, inv, src, play.Config{Forks: 7})
	for _, want := range []string{
		`"msg": "a h1 h1 UNDEF False"`,
		`"msg": "a 127.0.0.1 127.0.0.1 127.0.0.1 True"`,
		`"msg": "d h3"`,
		`"msg": "d 127.0.0.1"`,
		`"msg": "i h2 127.0.0.1"`,
		`"msg": "i h3 h3"`,
		`"msg": "v ` + play.AnsibleVersion + ` 2.14 True 7 ['all'] []"`,
		`"msg": "l 127.0.0.1 127.0.0.1"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}
