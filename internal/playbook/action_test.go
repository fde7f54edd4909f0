package playbook

import "testing"

func TestActionAsWritten(t *testing.T) {
	src := "- hosts: all\n  tasks:\n    - ansible.builtin.command: /bin/true\n    - shell: echo\n    - action: debug msg=hi\n" +
		"    - local_action: ansible.builtin.debug msg=hi\n    - name: named\n      ansible.legacy.debug: msg=hi\n"
	pb, err := Parse("p.yml", []byte(src), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	// Module, Action, DisplayName: an unnamed task is named by its action as
	// written, as Ansible's Task.get_name.
	want := [][3]string{
		{"command", "ansible.builtin.command", "ansible.builtin.command"},
		{"shell", "shell", "shell"},
		{"debug", "debug", "debug"},
		{"debug", "ansible.builtin.debug", "ansible.builtin.debug"},
		{"debug", "ansible.legacy.debug", "named"},
	}
	for i, w := range want {
		got := pb.Plays[0].Tasks[i]
		if got.Module != w[0] || got.Action != w[1] || got.DisplayName() != w[2] {
			t.Errorf("task %d: Module=%q Action=%q DisplayName=%q, want %q", i, got.Module, got.Action, got.DisplayName(), w)
		}
	}
}
