package playbook

import (
	"testing"
)

func FuzzParsePlaybook(f *testing.F) {
	seeds := []string{
		"- hosts: all\n  tasks:\n    - command: /bin/echo hi\n",
		"- hosts: all\n  vars: {a: &x [1, 2], b: *x}\n  tasks:\n    - shell: echo {{ a }} chdir=/tmp\n      when: a\n      loop: [1, 2]\n",
		"- hosts: web\n  tasks:\n    - block:\n        - debug: msg=x\n      rescue:\n        - fail:\n      always:\n        - meta: flush_handlers\n",
		"- hosts: all\n  tasks:\n    - action: copy src=a dest='b c'\n    - local_action: {module: shell, _raw_params: ls}\n",
		"- hosts: all\n  tasks:\n    - debug: var=item\n      with_dict: {a: 1}\n    - debug: var=item\n      with_sequence: 1-10/2:h%02d\n",
		"- hosts: all\n  handlers:\n    - name: h\n      service: name=x state=restarted\n      listen: l\n",
		"- hosts: all\n  vars:\n    base: &b {x: 1}\n    m:\n      <<: [*b, {y: 2}]\n",
		"- hosts: all\n  tasks:\n   - command: ls\n    - x\n",
		"- hosts: all\n---\n",
		"- import_playbook: other.yml\n",
		"- hosts: all\n  tasks:\n    - set_fact: {a: yes, b: 0755, c: 2024-01-01, d: !unsafe '{{'}\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	opts := testOptions()
	f.Fuzz(func(t *testing.T, data []byte) {
		pb, err := Parse("fuzz.yml", data, opts)
		if err == nil && pb == nil {
			t.Fatal("nil playbook without an error")
		}
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
		}
	})
}

func FuzzParseINIInventory(f *testing.F) {
	f.Add([]byte(iniInventory))
	f.Add([]byte("[a]\nh[1:3] x=\"[1, {'a': (2,)}]\"\n[b:children]\na\n[b:vars]\ny=0x1f\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv := newInventory()
		if err := inv.iniFile("hosts", data); err != nil {
			return
		}
		inv.finish()
		for _, h := range inv.hostOrder {
			_ = inv.HostVars(h)
			_ = inv.GroupNames(h)
		}
		_ = inv.GroupsMap()
		_, _ = inv.Match("all:!web*:&~x")
	})
}
