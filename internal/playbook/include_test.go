package playbook

import (
	"path/filepath"
	"reflect"
	"testing"
)

// TestOldInclude: a task-level include is loaded as ansible-core 2.14 does.
// With a plain file name, no loop and static parents it is static: its
// tasks are inlined with its keywords, and its arguments are variables
// under its vars keyword. A templated name, a loop, or a file loaded at
// run time by include_tasks make it an include_tasks named "include",
// whose arguments are still variables.
func TestOldInclude(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"site.yml": `- hosts: all
  tasks:
    - include: inc.yml x=1 y=2
      when: ok
      vars: {y: kw, z: kw}
      tags: t1
    - ansible.builtin.include: "{{ name }} x=3"
    - include: inc.yml
      loop: [a]
    - block:
        - include: inc.yml
`,
		"inc.yml":    "- command: one\n  when: mine\n- include: nested.yml\n",
		"nested.yml": "- ping:\n",
		"dyn.yml":    "- include: inc.yml x=4\n",
	})
	pb, err := Load(filepath.Join(dir, "site.yml"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	ts := pb.Plays[0].Tasks
	if len(ts) != 5 {
		t.Fatalf("got %d tasks, want 5: %s", len(ts), dumpTasks(ts))
	}
	one, nested := ts[0], ts[1]
	if one.Module != "command" || !reflect.DeepEqual(one.When, []any{"ok", "mine"}) ||
		!reflect.DeepEqual(one.Vars, map[string]any{"x": "1", "y": "kw", "z": "kw"}) || !reflect.DeepEqual(one.Tags, []string{"t1"}) {
		t.Errorf("static include's first task: %s when %v vars %v tags %v", one.Module, one.When, one.Vars, one.Tags)
	}
	if nested.Module != "ping" || !reflect.DeepEqual(nested.When, []any{"ok"}) {
		t.Errorf("a static include inside it: %s when %v", nested.Module, nested.When)
	}
	tmpl, loop := ts[2], ts[3]
	if tmpl.Module != "include_tasks" || tmpl.DisplayName() != "ansible.builtin.include" ||
		tmpl.Args["_raw_params"] != "{{ name }}" || !reflect.DeepEqual(tmpl.Vars, map[string]any{"x": "3"}) {
		t.Errorf("templated include: %s %q args %v vars %v", tmpl.Module, tmpl.DisplayName(), tmpl.Args, tmpl.Vars)
	}
	if loop.Module != "include_tasks" || loop.DisplayName() != "include" {
		t.Errorf("include with a loop: %s %q", loop.Module, loop.DisplayName())
	}
	if blk := ts[4]; !blk.IsBlock() || len(blk.Block) != 2 || blk.Block[0].Module != "command" {
		t.Errorf("include in a block: %s", dumpTasks([]*Task{blk}))
	}

	dyn, err := LoadTasks(filepath.Join(dir, "dyn.yml"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(dyn) != 1 || dyn[0].Module != "include_tasks" || dyn[0].Args["_raw_params"] != "inc.yml" ||
		!reflect.DeepEqual(dyn[0].Vars, map[string]any{"x": "4"}) {
		t.Errorf("include in a file of include_tasks: %s", dumpTasks(dyn))
	}
}
