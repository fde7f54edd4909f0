package playbook

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// roleNames lists the roles of the tasks in order, through blocks, leaving
// out the implicit role ends: "role:task name".
func taskNames(ts []*Task) []string {
	var out []string
	for _, t := range ts {
		if t.IsBlock() {
			out = append(out, taskNames(t.Block)...)
			continue
		}
		if t.Implicit {
			out = append(out, "end:"+t.Role.Name())
			continue
		}
		out = append(out, t.DisplayName())
	}
	return out
}

func TestRolesLoad(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"site.yml": `- hosts: all
  roles:
    - web
    - {role: web}
    - role: web
      port_no: 8080
  tasks:
    - import_role:
        name: db
        tasks_from: setup
`,
		"roles/web/tasks/main.yml":     "- name: web task\n  ping:\n",
		"roles/web/meta/main.yml":      "dependencies:\n  - common\n  - role: common\n",
		"roles/web/defaults/main.yml":  "port_no: 80\n",
		"roles/web/vars/main.yml":      "web_v: 1\n",
		"roles/web/handlers/main.yml":  "- name: restart web\n  ping:\n",
		"roles/common/tasks/main.yaml": "- ping:\n",
		"roles/common/meta/main.yml":   "allow_duplicates: true\n",
		"roles/db/tasks/setup.yml":     "- name: db setup\n  ping:\n",
	})
	pb, err := Load(filepath.Join(dir, "site.yml"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	p := pb.Plays[0]
	got := taskNames(p.Tasks)
	want := []string{
		"common : ping", "end:common", "common : ping", "end:common", "web : web task", "end:web",
		"common : ping", "end:common", "common : ping", "end:common", "web : web task", "end:web",
		"common : ping", "end:common", "common : ping", "end:common", "web : web task", "end:web",
		"db : db setup", "end:db",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tasks:\n got %q\nwant %q", got, want)
	}
	// web and {role: web} are one role; with a parameter it is another.
	if len(p.Roles) != 4 || p.Roles[0] != p.Roles[1] || p.Roles[0] == p.Roles[2] {
		t.Fatalf("roles = %v, want web twice as one, web with params, db", p.Roles)
	}
	web, webParam := p.Roles[0], p.Roles[2]
	if len(web.Deps) != 2 || web.Deps[0] != web.Deps[1] || web.Deps[0] != webParam.Deps[0] {
		t.Errorf("common, named twice without parameters, should be one role: %v", web.Deps)
	}
	if !web.Deps[0].AllowDuplicates || web.AllowDuplicates {
		t.Errorf("allow_duplicates: common %v, web %v", web.Deps[0].AllowDuplicates, web.AllowDuplicates)
	}
	if !p.Roles[3].FromInclude || !p.Roles[3].AllowDuplicates {
		t.Errorf("import_role: FromInclude %v AllowDuplicates %v, want both", p.Roles[3].FromInclude, p.Roles[3].AllowDuplicates)
	}
	if got := webParam.AllParams(nil); !reflect.DeepEqual(got, map[string]any{"port_no": 8080}) {
		t.Errorf("params = %v", got)
	}
	if got := web.DefaultVars(nil); got["port_no"] != 80 {
		t.Errorf("defaults = %v", got)
	}
	if got := web.AllVars(nil); got["web_v"] != 1 {
		t.Errorf("vars = %v", got)
	}
	// The handler of web once per role (web, web with a parameter), though
	// web is named three times.
	if len(p.Handlers) != 2 || p.Handlers[0].DisplayName() != "web : restart web" || p.Handlers[0] == p.Handlers[1] {
		t.Errorf("handlers = %v", taskNames(p.Handlers))
	}
	if p.Handlers[0].Role.SearchPath(p.Handlers[0].Pos.File, dir)[0] != filepath.Join(dir, "roles", "web") {
		t.Errorf("search path = %v", p.Handlers[0].Role.SearchPath(p.Handlers[0].Pos.File, dir))
	}
}

func TestRoleErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   map[string]string
		wantErr error
		want    string // in the message, after "site.yml:"
	}{
		{
			name:    "missing role",
			files:   map[string]string{"site.yml": "- hosts: all\n  roles:\n    - nosuch\n"},
			wantErr: ErrRole,
			want:    "site.yml:3:7: the role 'nosuch' was not found in ",
		},
		{
			name:    "missing role in a mapping",
			files:   map[string]string{"site.yml": "- hosts: all\n  roles:\n    - role: nosuch\n      x: 1\n"},
			wantErr: ErrRole,
			want:    "site.yml:3:13: the role 'nosuch' was not found in ",
		},
		{
			name:    "missing imported role",
			files:   map[string]string{"site.yml": "- hosts: all\n  tasks:\n    - import_role:\n        name: nosuch\n"},
			wantErr: ErrRole,
			want:    "site.yml:4:15: the role 'nosuch' was not found in ",
		},
		{
			name: "missing tasks_from",
			files: map[string]string{"site.yml": "- hosts: all\n  tasks:\n    - import_role:\n        name: r\n        tasks_from: nope\n",
				"roles/r/tasks/main.yml": "- ping:\n"},
			wantErr: ErrRole,
			want:    "site.yml:4:15: Could not find specified file in role: tasks/nope",
		},
		{
			name: "dependency loop",
			files: map[string]string{"site.yml": "- hosts: all\n  roles: [a]\n",
				"roles/a/meta/main.yml": "dependencies: [b]\n", "roles/b/meta/main.yml": "dependencies: [a]\n"},
			wantErr: ErrRole,
			want:    "A recursion loop was detected",
		},
		{
			name:    "no role name",
			files:   map[string]string{"site.yml": "- hosts: all\n  roles:\n    - {x: 1}\n"},
			wantErr: ErrInvalid,
			want:    "site.yml:3:7: role definitions must contain a role name",
		},
		{
			name:    "import_role with a loop",
			files:   map[string]string{"site.yml": "- hosts: all\n  tasks:\n    - import_role: name=r\n      loop: [1]\n", "roles/r/tasks/main.yml": "- ping:\n"},
			wantErr: ErrInvalid,
			want:    "You cannot use loops on 'import_role' statements",
		},
		{
			name:    "include_role bad option",
			files:   map[string]string{"site.yml": "- hosts: all\n  tasks:\n    - include_role:\n        name: r\n        bogus: 1\n"},
			wantErr: ErrInvalid,
			want:    "site.yml:3:7: Invalid options for include_role: bogus",
		},
		{
			name: "role vars not a mapping",
			files: map[string]string{"site.yml": "- hosts: all\n  roles: [r]\n",
				"roles/r/vars/main.yml": "- 1\n"},
			wantErr: ErrInvalid,
			want:    "The vars/main.yml file for role 'r' must contain a dictionary of variables",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, tt.files)
			_, err := Load(filepath.Join(dir, "site.yml"), testOptions())
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestRoleNotFoundListsSearchPath(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"site.yml": "- hosts: all\n  roles: [nosuch]\n"})
	opts := testOptions()
	opts.RolesPath = []string{"/nonexistent/roles"}
	_, err := Load(filepath.Join(dir, "site.yml"), opts)
	want := "the role 'nosuch' was not found in " + filepath.Join(dir, "roles") + ":/nonexistent/roles:" + dir
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

func TestRolesPathAndPath(t *testing.T) {
	t.Parallel()
	shared := writeFiles(t, map[string]string{"lib/tasks/main.yml": "- ping:\n", "byPath/tasks/main": "- ping:\n"})
	dir := writeFiles(t, map[string]string{"site.yml": "- hosts: all\n  roles:\n    - lib\n    - " + filepath.Join(shared, "byPath") + "\n"})
	opts := testOptions()
	opts.RolesPath = []string{shared}
	pb, err := Load(filepath.Join(dir, "site.yml"), opts)
	if err != nil {
		t.Fatal(err)
	}
	got := taskNames(pb.Plays[0].Tasks)
	want := []string{"lib : ping", "end:lib", "byPath : ping", "end:byPath"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tasks = %q, want %q", got, want)
	}
}

func TestLoadPlaybookVars(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"inv/hosts":             "[web]\nh1 v_host=inv-file\n[web:vars]\nv_group=inv-file\n",
		"inv/group_vars/all":    "a: inv-all\nb: inv-all\nc: inv-all\n",
		"inv/group_vars/web":    "b: inv-web\nc: inv-web\nd: inv-web\n",
		"inv/host_vars/h1.yml":  "d: inv-h1\ne: inv-h1\n",
		"pb/group_vars/all.yml": "a: pb-all\nb: pb-all\nc: pb-all\nv_group: pb-all\n",
		"pb/group_vars/web.yml": "c: pb-web\nv_host: pb-web\n",
		"pb/host_vars/h1":       "e: pb-h1\n",
	})
	inv, err := LoadInventory(filepath.Join(dir, "inv", "hosts"))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // a second load of the same directory changes nothing
		if err := inv.LoadPlaybookVars(filepath.Join(dir, "pb")); err != nil {
			t.Fatal(err)
		}
	}
	got := inv.HostVars("h1")
	want := map[string]any{"a": "pb-all", "b": "inv-web", "c": "pb-web", "d": "inv-h1", "e": "pb-h1",
		"v_group": "pb-all", "v_host": "inv-file"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("HostVars = %v\nwant %v", got, want)
	}
}

// TestLoadPlaybookVarsPerPlaybook: with several playbooks, the group_vars/
// and host_vars/ beside one apply to its plays only (ansible-playbook a/p.yml
// b/p.yml: b's plays do not see a's).
func TestLoadPlaybookVarsPerPlaybook(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"hosts":                "[web]\nh1\n",
		"a/group_vars/all.yml": "x: a-all\n",
		"a/host_vars/h1.yml":   "y: a-h1\n",
		"b/group_vars/web.yml": "z: b-web\n",
	})
	inv, err := LoadInventory(filepath.Join(dir, "hosts"))
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		dir  string
		want map[string]any
	}{
		{"a", map[string]any{"x": "a-all", "y": "a-h1"}},
		{"b", map[string]any{"z": "b-web"}},
		{"a", map[string]any{"x": "a-all", "y": "a-h1"}},
	} {
		if err := inv.LoadPlaybookVars(filepath.Join(dir, step.dir)); err != nil {
			t.Fatal(err)
		}
		if got := inv.HostVars("h1"); !reflect.DeepEqual(got, step.want) {
			t.Errorf("after %s/: HostVars = %v, want %v", step.dir, got, step.want)
		}
	}
}
