package playbook

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func boolp(b bool) *bool { return &b }

func TestParseTasks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		tasks string // the tasks: list of one play, indented by 4
		want  []*Task
	}{
		{
			name:  "free-form command",
			tasks: "- command: /bin/echo hi",
			want:  []*Task{{Module: "command", Args: map[string]any{"_raw_params": "/bin/echo hi"}}},
		},
		{
			name:  "free-form shell splits out chdir but not other key=value",
			tasks: "- shell: x=1 echo $x chdir=/tmp creates=/x",
			want:  []*Task{{Module: "shell", Args: map[string]any{"_raw_params": "x=1 echo $x", "chdir": "/tmp", "creates": "/x"}}},
		},
		{
			name:  "quoted and templated words stay together",
			tasks: `- shell: echo "a  b" {{ x | default('p q') }} chdir="/my dir"`,
			want:  []*Task{{Module: "shell", Args: map[string]any{"_raw_params": `echo "a  b" {{ x | default('p q') }}`, "chdir": "/my dir"}}},
		},
		{
			name:  "key=value module",
			tasks: `- copy: src=a dest="b c" mode=0644`,
			want:  []*Task{{Module: "copy", Args: map[string]any{"src": "a", "dest": "b c", "mode": "0644"}}},
		},
		{
			name:  "args keyword merged under inline args",
			tasks: "- command: ls chdir=/inline\n  args: {chdir: /args, creates: /c}",
			want:  []*Task{{Module: "command", Args: map[string]any{"_raw_params": "ls", "chdir": "/inline", "creates": "/c"}}},
		},
		{
			name:  "dict form and fully qualified name",
			tasks: "- ansible.builtin.apt: {name: nginx, state: present, update_cache: yes}",
			want:  []*Task{{Module: "apt", Args: map[string]any{"name": "nginx", "state": "present", "update_cache": true}}},
		},
		{
			name:  "module without args",
			tasks: "- ping:",
			want:  []*Task{{Module: "ping", Args: map[string]any{}}},
		},
		{
			name:  "old action form",
			tasks: "- action: command /bin/echo hi",
			want:  []*Task{{Module: "command", Args: map[string]any{"_raw_params": "/bin/echo hi"}}},
		},
		{
			name:  "action mapping form",
			tasks: "- action: {module: copy, src: a, dest: b}",
			want:  []*Task{{Module: "copy", Args: map[string]any{"src": "a", "dest": "b"}}},
		},
		{
			name:  "local_action delegates to localhost",
			tasks: "- local_action: shell echo hi",
			want:  []*Task{{Module: "shell", Args: map[string]any{"_raw_params": "echo hi"}, DelegateTo: "localhost"}},
		},
		{
			name:  "templated free form of a dict module",
			tasks: `- debug: "{{ msg }}"`,
			want:  []*Task{{Module: "debug", Args: map[string]any{"_variable_params": "{{ msg }}"}}},
		},
		{
			name:  "templated args keyword",
			tasks: "- copy:\n  args: '{{ copy_args }}'",
			want:  []*Task{{Module: "copy", Args: map[string]any{"_variable_params": "{{ copy_args }}"}}},
		},
		{
			name: "keywords",
			tasks: `- name: wait
  command: /bin/true
  register: out
  until: out.rc == 0
  retries: 5
  delay: "{{ d }}"
  async: 60
  poll: 0
  when: x is defined
  changed_when: false
  failed_when: [out.rc > 1, "'err' in out.stderr"]
  ignore_errors: yes
  no_log: "{{ secret }}"
  become: true
  become_user: root
  delegate_to: db1
  run_once: true
  tags: "a, b"
  notify: restart
  environment: {PATH: /bin}
  vars: {v: 1}
  throttle: 2
  timeout: 30
  check_mode: no`,
			want: []*Task{{
				Name: "wait", Module: "command", Args: map[string]any{"_raw_params": "/bin/true"},
				Register: "out", Until: "out.rc == 0", Retries: 5, Delay: "{{ d }}", Async: 60, Poll: 0,
				When: []any{"x is defined"}, ChangedWhen: []any{false}, FailedWhen: []any{"out.rc > 1", "'err' in out.stderr"},
				IgnoreErrors: true, NoLog: "{{ secret }}", Become: boolp(true), BecomeUser: "root",
				DelegateTo: "db1", RunOnce: true, Tags: []string{"a", "b"}, Notify: []string{"restart"},
				Environment: map[string]any{"PATH": "/bin"}, Vars: map[string]any{"v": 1}, Throttle: 2,
				Timeout: 30, CheckMode: false,
			}},
		},
		{
			name:  "when list and bool",
			tasks: "- ping:\n  when: [a, true, 'b == 1']",
			want:  []*Task{{Module: "ping", Args: map[string]any{}, When: []any{"a", true, "b == 1"}}},
		},
		{
			name:  "loop list with loop_control",
			tasks: "- debug: var=item\n  loop: [1, two]\n  loop_control: {loop_var: it, index_var: i, label: '{{ it }}', pause: 1, extended: yes}",
			want: []*Task{{Module: "debug", Args: map[string]any{"var": "item"}, Loop: []any{1, "two"}, LoopKind: "loop",
				LoopControl: &LoopControl{LoopVar: "it", IndexVar: "i", Label: "{{ it }}", Pause: 1, Extended: true}}},
		},
		{
			name:  "loop template",
			tasks: "- debug: var=item\n  loop: \"{{ groups['web'] }}\"",
			want:  []*Task{{Module: "debug", Args: map[string]any{"var": "item"}, Loop: "{{ groups['web'] }}", LoopKind: "loop"}},
		},
		{
			name:  "with_items flattens one level",
			tasks: "- debug: var=item\n  with_items: [[1, [2]], 3]",
			want:  []*Task{{Module: "debug", Args: map[string]any{"var": "item"}, Loop: []any{1, []any{2}, 3}, LoopKind: "with_items"}},
		},
		{
			name:  "with_list keeps lists",
			tasks: "- debug: var=item\n  with_list: [[1, 2], 3]",
			want:  []*Task{{Module: "debug", Args: map[string]any{"var": "item"}, Loop: []any{[]any{1, 2}, 3}, LoopKind: "with_list"}},
		},
		{
			name:  "with_dict in file order",
			tasks: "- debug: var=item\n  with_dict: {b: 2, a: 1}",
			want: []*Task{{Module: "debug", Args: map[string]any{"var": "item"}, LoopKind: "with_dict",
				Loop: []any{map[string]any{"key": "b", "value": 2}, map[string]any{"key": "a", "value": 1}}}},
		},
		{
			name:  "with_sequence",
			tasks: "- debug: var=item\n  with_sequence: start=8 end=12 stride=2 format=web%02d",
			want:  []*Task{{Module: "debug", Args: map[string]any{"var": "item"}, Loop: []any{"web08", "web10", "web12"}, LoopKind: "with_sequence"}},
		},
		{
			name:  "with_sequence count",
			tasks: "- debug: var=item\n  with_sequence: count=3",
			want:  []*Task{{Module: "debug", Args: map[string]any{"var": "item"}, Loop: []any{"1", "2", "3"}, LoopKind: "with_sequence"}},
		},
		{
			name: "block rescue always",
			tasks: `- name: b
  when: ok
  become: yes
  block:
    - command: a
  rescue:
    - command: b
  always:
    - block:
        - command: c`,
			want: []*Task{{Name: "b", When: []any{"ok"}, Become: boolp(true),
				Block:  []*Task{{Module: "command", Args: map[string]any{"_raw_params": "a"}}},
				Rescue: []*Task{{Module: "command", Args: map[string]any{"_raw_params": "b"}}},
				Always: []*Task{{Block: []*Task{{Module: "command", Args: map[string]any{"_raw_params": "c"}}}}},
			}},
		},
		{
			name:  "include_tasks stays a task",
			tasks: "- include_tasks: other.yml\n  when: x",
			want:  []*Task{{Module: "include_tasks", Args: map[string]any{"_raw_params": "other.yml"}, When: []any{"x"}}},
		},
		{
			name:  "merge keys",
			tasks: "- name: a\n  copy: &base {src: a, dest: b}\n- copy:\n    <<: *base\n    dest: c",
			want: []*Task{
				{Name: "a", Module: "copy", Args: map[string]any{"src": "a", "dest": "b"}},
				{Module: "copy", Args: map[string]any{"src": "a", "dest": "c"}},
			},
		},
		{
			name:  "yaml 1.1 scalars",
			tasks: "- set_fact: {a: yes, b: off, c: 0755, d: 2024-01-02, e: 1e3, f: '{{ x }}', g: !unsafe '{{ {'}",
			want:  []*Task{{Module: "set_fact", Args: map[string]any{"a": true, "b": false, "c": 493, "d": "2024-01-02", "e": "1e3", "f": "{{ x }}", "g": "{{ {"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := "- hosts: all\n  tasks:\n" + indent(tt.tasks, "    ")
			pb, err := Parse("site.yml", []byte(src), testOptions())
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := stripPos(pb.Plays[0].Tasks)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("tasks differ\n got: %s\nwant: %s", dumpTasks(got), dumpTasks(tt.want))
			}
		})
	}
}

func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}

func dumpTasks(ts []*Task) string {
	var b strings.Builder
	for _, t := range ts {
		b.WriteString("\n  ")
		b.WriteString(strings.ReplaceAll(sprintTask(t), "\n", "\n  "))
	}
	return b.String()
}

func sprintTask(t *Task) string {
	v := reflect.ValueOf(*t)
	var parts []string
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.IsZero() {
			continue
		}
		name := v.Type().Field(i).Name
		switch name {
		case "Block", "Rescue", "Always":
			parts = append(parts, name+":"+strings.ReplaceAll(dumpTasks(f.Interface().([]*Task)), "\n", "\n  "))
		case "Become":
			parts = append(parts, name+"="+strings.TrimSpace(strings.Repeat("true", b2i(*t.Become))+strings.Repeat("false", 1-b2i(*t.Become))))
		case "LoopControl":
			parts = append(parts, name+"="+strings.TrimPrefix(reflect.ValueOf(*t.LoopControl).String(), ""))
		default:
			parts = append(parts, name+"="+fmtValue(f.Interface()))
		}
	}
	return strings.Join(parts, " ")
}

func fmtValue(v any) string { return strings.TrimSpace(strings.ReplaceAll(sprint(v), "\n", " ")) }

func TestParsePlay(t *testing.T) {
	t.Parallel()
	src := `- name: web
  hosts: [web, db]
  gather_facts: no
  become: yes
  become_method: sudo
  serial: "30%"
  strategy: free
  max_fail_percentage: 10
  any_errors_fatal: true
  order: sorted
  vars:
    - {a: 1}
    - {b: "{{ a }}"}
  vars_files: common.yml
  environment: [{A: 1}, {B: 2}]
  roles: [common, {role: nginx, listen_port: 80}]
  collections: [x.y]
  module_defaults: {}
  tags: deploy
  pre_tasks: [{ping: }]
  post_tasks: [{ping: }]
  handlers:
    - name: restart
      service: name=nginx state=restarted
      listen: web restart
`
	dir := writeFiles(t, map[string]string{"roles/common/tasks/main.yml": "- ping:\n", "roles/nginx/tasks/main.yml": "- ping:\n"})
	site := filepath.Join(dir, "site.yml")
	pb, err := Parse(site, []byte(src), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	p := pb.Plays[0]
	var roles []string
	for _, r := range p.Roles {
		roles = append(roles, r.Name)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Name", p.Name, "web"},
		{"Hosts", p.Hosts, "web,db"},
		{"GatherFacts", *p.GatherFacts, false},
		{"Become", *p.Become, true},
		{"BecomeMethod", p.BecomeMethod, "sudo"},
		{"Serial", p.Serial, "30%"},
		{"Strategy", p.Strategy, "free"},
		{"MaxFailPercentage", p.MaxFailPercentage, 10},
		{"AnyErrorsFatal", p.AnyErrorsFatal, true},
		{"Order", p.Order, "sorted"},
		{"Vars", p.Vars, map[string]any{"a": 1, "b": "{{ a }}"}},
		{"VarsFiles", p.VarsFiles, []string{"common.yml"}},
		{"Environment", p.Environment, map[string]any{"A": 1, "B": 2}},
		{"Roles", roles, []string{"common", "nginx"}},
		{"Role params", p.Roles[1].Params, map[string]any{"listen_port": 80}},
		{"Tasks", len(p.Tasks), 2}, // one block per role
		{"Tags", p.Tags, []string{"deploy"}},
		{"PreTasks", len(p.PreTasks), 1},
		{"PostTasks", len(p.PostTasks), 1},
		{"Handler.Listen", p.Handlers[0].Listen, []string{"web restart"}},
		{"Handler.Args", p.Handlers[0].Args, map[string]any{"name": "nginx", "state": "restarted"}},
		{"Pos", p.Pos, Pos{File: site, Line: 1, Col: 3}},
		{"Handler.Pos", p.Handlers[0].Pos.String(), site + ":23:7"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		src     string
		wantErr []error
		wantPos string // the message's prefix
		wantMsg string // a part of the message
	}{
		{
			name:    "malformed YAML",
			src:     "- hosts: all\n  tasks:\n   - command: ls\n    - x\n",
			wantErr: []error{ErrSyntax},
			wantPos: "site.yml:4: ",
			wantMsg: "malformed YAML: did not find expected",
		},
		{
			name:    "second document",
			src:     "- hosts: all\n---\n- hosts: all\n",
			wantErr: []error{ErrSyntax},
			wantPos: "site.yml:2:1: ",
			wantMsg: "expected a single document",
		},
		{
			name:    "empty playbook",
			src:     "# nothing\n",
			wantErr: []error{ErrInvalid},
			wantPos: "site.yml: ",
			wantMsg: "Empty playbook",
		},
		{
			name:    "not a list",
			src:     "hosts: all\n",
			wantErr: []error{ErrInvalid},
			wantPos: "site.yml:1:1: ",
			wantMsg: "A playbook must be a list of plays, got a mapping instead",
		},
		{
			name:    "unknown play keyword",
			src:     "- hosts: all\n  foo: 1\n",
			wantErr: []error{ErrUnknownKeyword},
			wantPos: "site.yml:2:3: ",
			wantMsg: "'foo' is not a valid attribute for a Play",
		},
		{
			name:    "missing hosts",
			src:     "- name: x\n  tasks: []\n",
			wantErr: []error{ErrInvalid},
			wantPos: "site.yml:1:3: ",
			wantMsg: "the field 'hosts' is required but was not set",
		},
		{
			name:    "unknown module",
			src:     "- hosts: all\n  tasks:\n    - name: x\n      comand: ls\n",
			wantErr: []error{ErrUnknownModule, ErrUnknownKeyword},
			wantPos: "site.yml:4:7: ",
			wantMsg: "couldn't resolve module/action 'comand'. This often indicates a misspelling, missing collection, or incorrect module path.",
		},
		{
			name:    "unknown keyword beside a module",
			src:     "- hosts: all\n  tasks:\n    - command: ls\n      regster: x\n",
			wantErr: []error{ErrUnknownModule, ErrUnknownKeyword},
			wantPos: "site.yml:4:7: ",
			wantMsg: "couldn't resolve module/action 'regster'",
		},
		{
			name:    "unknown action module",
			src:     "- hosts: all\n  tasks:\n    - action: nosuch a=b\n",
			wantErr: []error{ErrUnknownModule},
			wantPos: "site.yml:3:15: ",
			wantMsg: "couldn't resolve module/action 'nosuch'",
		},
		{
			name:    "two modules",
			src:     "- hosts: all\n  tasks:\n    - shell: ls\n      command: ls\n",
			wantErr: []error{ErrConflict},
			wantPos: "site.yml:4:7: ",
			wantMsg: "conflicting action statements: shell, command",
		},
		{
			name:    "action and module",
			src:     "- hosts: all\n  tasks:\n    - action: shell ls\n      command: ls\n",
			wantErr: []error{ErrConflict},
			wantPos: "site.yml:4:7: ",
			wantMsg: "conflicting action statements: shell, command",
		},
		{
			name:    "no module",
			src:     "- hosts: all\n  tasks:\n    - name: x\n      when: y\n",
			wantErr: []error{ErrInvalid},
			wantPos: "site.yml:3:7: ",
			wantMsg: "no module/action detected in task.",
		},
		{
			name:    "extra params",
			src:     "- hosts: all\n  tasks:\n    - copy: src=a dest=b extra\n",
			wantErr: []error{ErrInvalid},
			wantPos: "site.yml:3:13: ",
			wantMsg: "this task 'copy' has extra params, which is only allowed in the following modules: add_host, command,",
		},
		{
			name:    "broken template in args",
			src:     "- hosts: all\n  tasks:\n    - debug:\n        msg: \"{{ {\"\n",
			wantErr: []error{ErrTemplate, errBadTemplate},
			wantPos: "site.yml:4:14: ",
			wantMsg: `template error in "{{ {": unexpected '{'`,
		},
		{
			name:    "broken template in free form",
			src:     "- hosts: all\n  tasks:\n    - shell: echo {{ {\n",
			wantErr: []error{ErrTemplate},
			wantPos: "site.yml:3:14: ",
		},
		{
			name:    "broken template in play vars",
			src:     "- hosts: all\n  vars:\n    a: [1, '{{ {']\n",
			wantErr: []error{ErrTemplate},
			wantPos: "site.yml:3:12: ",
		},
		{
			name:    "broken template in task name",
			src:     "- hosts: all\n  tasks:\n    - name: \"x {{ {\"\n      ping:\n",
			wantErr: []error{ErrTemplate},
			wantPos: "site.yml:3:13: ",
		},
		{
			name:    "broken template in loop",
			src:     "- hosts: all\n  tasks:\n    - ping:\n      loop: \"{{ {\"\n",
			wantErr: []error{ErrTemplate},
			wantPos: "site.yml:4:13: ",
		},
		{
			name:    "broken expression in when",
			src:     "- hosts: all\n  tasks:\n    - ping:\n      when:\n        - a\n        - ((b\n",
			wantErr: []error{ErrTemplate, errBadTemplate},
			wantPos: "site.yml:6:11: ",
			wantMsg: "conditional error",
		},
		{
			name:    "block with a task keyword",
			src:     "- hosts: all\n  tasks:\n    - block:\n        - ping:\n      loop: [1]\n",
			wantErr: []error{ErrUnknownKeyword},
			wantPos: "site.yml:5:7: ",
			wantMsg: "'loop' is not a valid attribute for a Block",
		},
		{
			name:    "listen outside handlers",
			src:     "- hosts: all\n  tasks:\n    - ping:\n      listen: x\n",
			wantErr: []error{ErrUnknownKeyword},
			wantPos: "site.yml:4:7: ",
		},
		{
			name:    "loop and with_items",
			src:     "- hosts: all\n  tasks:\n    - ping:\n      loop: [1]\n      with_items: [2]\n",
			wantErr: []error{ErrConflict},
			wantPos: "site.yml:5:7: ",
			wantMsg: "duplicate loop in task: items",
		},
		{
			name:    "loop is not a list",
			src:     "- hosts: all\n  tasks:\n    - ping:\n      loop: {a: 1}\n",
			wantErr: []error{ErrInvalid},
			wantPos: "site.yml:4:13: ",
		},
		{
			name:    "bad loop_control key",
			src:     "- hosts: all\n  tasks:\n    - ping:\n      loop: [1]\n      loop_control: {lable: x}\n",
			wantErr: []error{ErrUnknownKeyword},
			wantPos: "site.yml:5:22: ",
			wantMsg: "'lable' is not a valid attribute for a LoopControl",
		},
		{
			name:    "bad variable name",
			src:     "- hosts: all\n  vars:\n    a-b: 1\n",
			wantErr: []error{ErrInvalid},
			wantPos: "site.yml:3:5: ",
			wantMsg: "Invalid variable name in vars specified for Play: 'a-b' is not a valid variable name",
		},
		{
			name:    "task is not a mapping",
			src:     "- hosts: all\n  tasks:\n    - ping\n",
			wantErr: []error{ErrInvalid},
			wantPos: "site.yml:3:7: ",
		},
		{
			name:    "tasks is not a list",
			src:     "- hosts: all\n  tasks:\n    ping:\n",
			wantErr: []error{ErrInvalid},
			wantPos: "site.yml:3:5: ",
		},
		{
			name:    "become is not a boolean",
			src:     "- hosts: all\n  become: maybe\n",
			wantErr: []error{ErrInvalid},
			wantPos: "site.yml:2:11: ",
		},
		{
			name:    "recursive alias",
			src:     "- hosts: all\n  vars:\n    a: &x [1, *x]\n",
			wantErr: []error{ErrInvalid},
			wantPos: "site.yml:3:15: ",
		},
		{
			name:    "unbalanced quotes in free form",
			src:     "- hosts: all\n  tasks:\n    - shell: echo \"a\n",
			wantErr: []error{ErrInvalid},
			wantPos: "site.yml:3:14: ",
			wantMsg: "unbalanced jinja2 block or quotes",
		},
		{
			name:    "import_tasks of a missing file",
			src:     "- hosts: all\n  tasks:\n    - import_tasks: nosuch.yml\n",
			wantErr: []error{ErrRead, fs.ErrNotExist},
			wantPos: "site.yml:3:7: ",
		},
		{
			name:    "import_tasks with a loop",
			src:     "- hosts: all\n  tasks:\n    - import_tasks: x.yml\n      loop: [1]\n",
			wantErr: []error{ErrInvalid},
			wantPos: "site.yml:3:7: ",
			wantMsg: "You cannot use loops on 'import_tasks' statements",
		},
		{
			name:    "import_tasks of a template",
			src:     "- hosts: all\n  tasks:\n    - import_tasks: \"{{ x }}.yml\"\n",
			wantErr: []error{ErrImport},
			wantPos: "site.yml:3:7: ",
		},
		{
			name:    "vars_prompt",
			src:     "- hosts: all\n  vars_prompt: []\n",
			wantErr: []error{ErrUnsupported},
			wantPos: "site.yml:2:3: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			_, err := Parse(filepath.Join(dir, "site.yml"), []byte(tt.src), testOptions())
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("error %q is not %v", err, want)
				}
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error", err)
			}
			msg := strings.TrimPrefix(err.Error(), dir+string(filepath.Separator))
			if !strings.HasPrefix(msg, tt.wantPos) {
				t.Errorf("error %q does not start with %q", msg, tt.wantPos)
			}
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("error %q does not contain %q", msg, tt.wantMsg)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error %q is not one line", msg)
			}
		})
	}
}

func TestImports(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"site.yml": `- import_playbook: plays/web.yml
  vars: {from_import: 1}
- hosts: db
  tasks:
    - import_tasks: tasks/common.yml
      when: ok
      vars: {v: import, w: import}
      tags: common
    - include_tasks: tasks/dynamic.yml
`,
		"plays/web.yml": `- hosts: web
  vars: {from_import: 0, own: 1}
  tasks:
    - import_tasks: ../tasks/common.yml
`,
		"tasks/common.yml": `- name: first
  command: a
  when: mine
  vars: {v: task}
- import_tasks: nested.yml
`,
		"tasks/nested.yml":  "- ping:\n",
		"tasks/dynamic.yml": "- command: dyn\n",
	})
	pb, err := Load(filepath.Join(dir, "site.yml"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(pb.Plays) != 2 {
		t.Fatalf("got %d plays, want 2", len(pb.Plays))
	}
	web, db := pb.Plays[0], pb.Plays[1]
	if web.Hosts != "web" || !reflect.DeepEqual(web.Vars, map[string]any{"from_import": 1, "own": 1}) {
		t.Errorf("imported play: hosts %q vars %v", web.Hosts, web.Vars)
	}
	if len(web.Tasks) != 2 || web.Tasks[0].Name != "first" || web.Tasks[1].Module != "ping" {
		t.Errorf("imported play tasks: %s", dumpTasks(web.Tasks))
	}
	if got, want := web.Tasks[0].Pos.File, filepath.Join(dir, "plays", "..", "tasks", "common.yml"); filepath.Clean(got) != filepath.Clean(want) {
		t.Errorf("Pos.File = %q, want %q", got, want)
	}
	if len(db.Tasks) != 3 {
		t.Fatalf("db play tasks: %s", dumpTasks(db.Tasks))
	}
	first, nested, include := db.Tasks[0], db.Tasks[1], db.Tasks[2]
	if !reflect.DeepEqual(first.When, []any{"ok", "mine"}) || !reflect.DeepEqual(first.Vars, map[string]any{"v": "task", "w": "import"}) ||
		!reflect.DeepEqual(first.Tags, []string{"common"}) {
		t.Errorf("first: when %v vars %v tags %v", first.When, first.Vars, first.Tags)
	}
	if !reflect.DeepEqual(nested.When, []any{"ok"}) || nested.Module != "ping" {
		t.Errorf("nested: %s", sprintTask(nested))
	}
	if include.Module != "include_tasks" || include.Args["_raw_params"] != "tasks/dynamic.yml" {
		t.Errorf("include: %s", sprintTask(include))
	}
	tasks, err := LoadTasks(filepath.Join(filepath.Dir(include.Pos.File), include.Args["_raw_params"].(string)), testOptions())
	if err != nil || len(tasks) != 1 || tasks[0].Args["_raw_params"] != "dyn" {
		t.Errorf("LoadTasks = %v, %v", tasks, err)
	}
}

func TestImportCycle(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"site.yml":  "- import_playbook: other.yml\n",
		"other.yml": "- import_playbook: site.yml\n",
		"tasks.yml": "- import_tasks: tasks.yml\n",
	})
	_, err := Load(filepath.Join(dir, "site.yml"), testOptions())
	if !errors.Is(err, ErrImport) || !strings.Contains(err.Error(), "other.yml:1:3: ") {
		t.Errorf("playbook cycle: %v", err)
	}
	_, err = LoadTasks(filepath.Join(dir, "tasks.yml"), testOptions())
	if !errors.Is(err, ErrImport) {
		t.Errorf("task cycle: %v", err)
	}
}

func TestLoadMissing(t *testing.T) {
	t.Parallel()
	_, err := Load("nosuch/site.yml", testOptions())
	if !errors.Is(err, ErrRead) || !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "nosuch/site.yml: ") {
		t.Errorf("Load = %v", err)
	}
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	pb, err := Parse("site.yml", []byte("- hosts: all\n  name: a\n  name: b\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if pb.Plays[0].Name != "b" || len(pb.Warnings) != 1 || !strings.HasPrefix(pb.Warnings[0], "site.yml:3:3: found a duplicate dict key (name)") {
		t.Errorf("name %q warnings %q", pb.Plays[0].Name, pb.Warnings)
	}
}

func TestLoadVars(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"v.yml": "a: 1\nb: [x]\n", "bad.yml": "- 1\n", "empty.yml": ""})
	v, err := LoadVars(filepath.Join(dir, "v.yml"), nil)
	if err != nil || !reflect.DeepEqual(v, map[string]any{"a": 1, "b": []any{"x"}}) {
		t.Errorf("LoadVars = %v, %v", v, err)
	}
	if v, err := LoadVars(filepath.Join(dir, "empty.yml"), nil); err != nil || len(v) != 0 {
		t.Errorf("empty: %v, %v", v, err)
	}
	if _, err := LoadVars(filepath.Join(dir, "bad.yml"), nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad: %v", err)
	}
}
