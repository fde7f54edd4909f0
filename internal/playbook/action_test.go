package playbook

import "testing"

func TestActionAsWritten(t *testing.T) {
	src := "- hosts: all\n  tasks:\n    - ansible.builtin.command: /bin/true\n    - shell: echo\n    - action: debug msg=hi\n"
	pb, err := Parse("p.yml", []byte(src), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"command", "ansible.builtin.command"}, {"shell", "shell"}, {"debug", "debug"}}
	for i, w := range want {
		got := pb.Plays[0].Tasks[i]
		if got.Module != w[0] || got.Action != w[1] {
			t.Errorf("task %d: Module=%q Action=%q, want %q %q", i, got.Module, got.Action, w[0], w[1])
		}
	}
}
