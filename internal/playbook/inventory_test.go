package playbook

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const iniInventory = `# a comment
top1 a=1
; another comment
[web]
web[01:03].example.com:2222 port=22 flag=True s='x y' lst="[1, 2]" low=true f=1.5 q="'22'" o=0755
db-[a:c]

[web:vars]
gv=5
gs="hello"
gx = some thing  # not a comment in a vars line

[prod:children]
web
later

[later]
late1 ansible_host=10.0.0.1

[all:vars]
ntp=pool
`

func TestLoadInventoryINI(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"hosts": iniInventory})
	inv, err := LoadInventory(filepath.Join(dir, "hosts"))
	if err != nil {
		t.Fatal(err)
	}
	all, _ := inv.Match("all")
	wantAll := []string{"top1", "web01.example.com", "web02.example.com", "web03.example.com", "db-a", "db-b", "db-c", "late1"}
	if !reflect.DeepEqual(all, wantAll) {
		t.Errorf("all = %v, want %v", all, wantAll)
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"web01 vars", inv.HostVars("web01.example.com"), map[string]any{
			"ansible_port": 2222, "port": 22, "flag": true, "s": "x y", "lst": []any{1, 2}, "low": "true",
			"f": 1.5, "q": "22", "o": "0755", "gv": 5, "gs": "hello", "gx": "some thing  # not a comment in a vars line", "ntp": "pool",
		}},
		{"top1 vars", inv.HostVars("top1"), map[string]any{"a": 1, "ntp": "pool"}},
		{"late1 vars", inv.HostVars("late1"), map[string]any{"ansible_host": "10.0.0.1", "ntp": "pool"}},
		{"unknown host vars", inv.HostVars("nosuch"), map[string]any(nil)},
		{"implicit localhost vars", inv.HostVars("localhost"), map[string]any{"ntp": "pool", "ansible_connection": "local"}},
		{"web01 groups", inv.GroupNames("web01.example.com"), []string{"prod", "web"}},
		{"top1 groups", inv.GroupNames("top1"), []string{"ungrouped"}},
		{"direct groups", inv.Hosts["db-b"].Groups, []string{"web"}},
		{"prod children", inv.Groups["prod"].Children, []string{"web", "later"}},
		{"all children", inv.Groups["all"].Children, []string{"ungrouped", "prod"}},
		{"groups map", inv.GroupsMap(), map[string][]string{
			"all":       wantAll,
			"ungrouped": {"top1"},
			"web":       {"web01.example.com", "web02.example.com", "web03.example.com", "db-a", "db-b", "db-c"},
			"later":     {"late1"},
			"prod":      {"web01.example.com", "web02.example.com", "web03.example.com", "db-a", "db-b", "db-c", "late1"},
		}},
		{"group vars", inv.Groups["web"].Vars, map[string]any{"gv": 5, "gs": "hello", "gx": "some thing  # not a comment in a vars line"}},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %#v, want %#v", tt.name, tt.got, tt.want)
		}
	}
}

func TestLoadInventoryYAML(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"inv.yml": `all:
  vars:
    ntp: pool
  hosts:
    solo:
  children:
    web:
      hosts:
        web[1:2]:
          http_port: 80
        web3:2200:
      vars:
        role: web
      children:
        canary:
          hosts:
            web2:
              canary: yes
    db:
      hosts: db1
`})
	inv, err := LoadInventory(filepath.Join(dir, "inv.yml"))
	if err != nil {
		t.Fatal(err)
	}
	all, _ := inv.Match("all")
	if want := []string{"solo", "web1", "web2", "web3", "db1"}; !reflect.DeepEqual(all, want) {
		t.Errorf("all = %v, want %v", all, want)
	}
	if got, want := inv.HostVars("web2"), map[string]any{"ntp": "pool", "role": "web", "http_port": 80, "canary": true}; !reflect.DeepEqual(got, want) {
		t.Errorf("web2 vars = %v, want %v", got, want)
	}
	if got, want := inv.HostVars("web3"), map[string]any{"ntp": "pool", "role": "web", "ansible_port": 2200}; !reflect.DeepEqual(got, want) {
		t.Errorf("web3 vars = %v, want %v", got, want)
	}
	if got, want := inv.GroupNames("web2"), []string{"canary", "web"}; !reflect.DeepEqual(got, want) {
		t.Errorf("web2 groups = %v, want %v", got, want)
	}
	if got, want := inv.GroupsMap()["ungrouped"], []string{"solo"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ungrouped = %v, want %v", got, want)
	}
}

func TestLoadInventoryDir(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"inv/01-hosts":                "[web]\nw1 x=file\n[db]\nd1\n[all:vars]\nx=all\ny=all\n",
		"inv/02-more.yml":             "all:\n  children:\n    web:\n      hosts:\n        w2:\n",
		"inv/ignored.ini":             "[web]\nignored\n",
		"inv/README.md":               "# notes\n",
		"inv/.hidden":                 "hidden\n",
		"inv/old~":                    "old\n",
		"inv/x.retry":                 "retry\n",
		"inv/group_vars/all.yml":      "y: gv_all\nz: gv_all\n",
		"inv/group_vars/web/main.yml": "z: gv_web\n",
		"inv/group_vars/web/more":     "w: gv_web_more\n",
		"inv/group_vars/nosuch.yml":   "q: 1\n",
		"inv/host_vars/w1.yaml":       "x: hv\n",
		"inv/host_vars/w2":            "v: hv2\n",
	})
	inv, err := LoadInventory(filepath.Join(dir, "inv"))
	if err != nil {
		t.Fatal(err)
	}
	all, _ := inv.Match("all")
	if want := []string{"w1", "d1", "w2"}; !reflect.DeepEqual(all, want) {
		t.Errorf("all = %v, want %v", all, want)
	}
	if got, want := inv.HostVars("w1"), map[string]any{"x": "hv", "y": "gv_all", "z": "gv_web", "w": "gv_web_more"}; !reflect.DeepEqual(got, want) {
		t.Errorf("w1 vars = %v, want %v", got, want)
	}
	if got, want := inv.HostVars("w2"), map[string]any{"x": "all", "y": "gv_all", "z": "gv_web", "w": "gv_web_more", "v": "hv2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("w2 vars = %v, want %v", got, want)
	}
	if got, want := inv.HostVars("d1"), map[string]any{"x": "all", "y": "gv_all", "z": "gv_all"}; !reflect.DeepEqual(got, want) {
		t.Errorf("d1 vars = %v, want %v", got, want)
	}
	if got := inv.Hosts["w1"].Vars; !reflect.DeepEqual(got, map[string]any{"x": "hv"}) {
		t.Errorf("w1 own vars = %v", got)
	}
}

func TestLoadInventoryFileWithVarsDirs(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"hosts.ini":          "[web]\nw1\n",
		"group_vars/web.yml": "a: 1\n",
		"host_vars/w1.json":  `{"b": 2}`,
	})
	inv, err := LoadInventory(filepath.Join(dir, "hosts.ini"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := inv.HostVars("w1"), map[string]any{"a": 1, "b": 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("w1 vars = %v, want %v", got, want)
	}
	if len(inv.Sources) != 3 {
		t.Errorf("Sources = %v", inv.Sources)
	}
}

func TestLoadInventoryHostList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec  string
		hosts []string
	}{
		{"localhost,", []string{"localhost"}},
		{"web1, web2,web3:2222", []string{"web1", "web2", "web3"}},
	}
	for _, tt := range tests {
		inv, err := LoadInventory(tt.spec)
		if err != nil {
			t.Fatalf("%q: %v", tt.spec, err)
		}
		all, _ := inv.Match("all")
		if !reflect.DeepEqual(all, tt.hosts) {
			t.Errorf("%q: all = %v, want %v", tt.spec, all, tt.hosts)
		}
		if got := inv.GroupsMap()["ungrouped"]; !reflect.DeepEqual(got, tt.hosts) {
			t.Errorf("%q: ungrouped = %v", tt.spec, got)
		}
	}
	inv, _ := LoadInventory("web3:2222,")
	if got := inv.HostVars("web3"); !reflect.DeepEqual(got, map[string]any{"ansible_port": 2222}) {
		t.Errorf("web3 vars = %v", got)
	}
	// An explicit localhost is an ordinary host: no ansible_connection.
	inv, _ = LoadInventory("localhost,")
	if got := inv.HostVars("localhost"); len(got) != 0 {
		t.Errorf("explicit localhost vars = %v", got)
	}
}

func TestLoadInventoryErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   map[string]string
		spec    string // relative to the directory, "" for "hosts"
		wantErr []error
		wantPos string
		wantMsg string
	}{
		{
			name:    "missing file",
			spec:    "nosuch",
			wantErr: []error{ErrInventory, ErrRead, fs.ErrNotExist},
			wantPos: "nosuch: ",
			wantMsg: "unable to read inventory",
		},
		{
			name:    "undefined child group",
			files:   map[string]string{"hosts": "[a]\nh\n[b:children]\na\nnosuch\n"},
			wantErr: []error{ErrInventory},
			wantPos: "hosts:5: ",
			wantMsg: "Section [b:children] includes undefined group: nosuch",
		},
		{
			name:    "vars of undefined group",
			files:   map[string]string{"hosts": "h\n[x:vars]\na=1\n"},
			wantErr: []error{ErrInventory},
			wantPos: "hosts:2: ",
			wantMsg: "Section [x:vars] not valid for undefined group: x",
		},
		{
			name:    "bad section",
			files:   map[string]string{"hosts": "[a b]\n"},
			wantErr: []error{ErrInventory},
			wantPos: "hosts:1: ",
			wantMsg: "Invalid section entry",
		},
		{
			name:    "bad section type",
			files:   map[string]string{"hosts": "[a:hosts2]\n"},
			wantErr: []error{ErrInventory},
			wantPos: "hosts:1: ",
			wantMsg: "has unknown type",
		},
		{
			name:    "host variable without value",
			files:   map[string]string{"hosts": "\n\nh1 novalue\n"},
			wantErr: []error{ErrInventory},
			wantPos: "hosts:3: ",
			wantMsg: "Expected key=value host variable assignment, got: novalue",
		},
		{
			name:    "unclosed quote",
			files:   map[string]string{"hosts": "h1 a='x\n"},
			wantErr: []error{ErrInventory},
			wantPos: "hosts:1: ",
			wantMsg: "No closing quotation",
		},
		{
			name:    "bad range",
			files:   map[string]string{"hosts": "h[1:2:3:4]\n"},
			wantErr: []error{ErrInventory},
			wantPos: "hosts:1: ",
			wantMsg: "host range must be begin:end or begin:end:step",
		},
		{
			name:    "group cycle",
			files:   map[string]string{"hosts": "[a]\n[b]\n[a:children]\nb\n[b:children]\na\n"},
			wantErr: []error{ErrInventory},
			wantPos: "hosts:6: ",
			wantMsg: "recursive dependency loop",
		},
		{
			name:    "malformed YAML",
			files:   map[string]string{"hosts.yml": "all:\n  hosts: [\n"},
			spec:    "hosts.yml",
			wantErr: []error{ErrInventory, ErrSyntax},
			wantPos: "hosts.yml:",
		},
		{
			name:    "bad group_vars",
			files:   map[string]string{"hosts": "h\n", "group_vars/all.yml": "- 1\n"},
			wantErr: []error{ErrInventory, ErrInvalid},
			wantPos: filepath.Join("group_vars", "all.yml") + ":1:1: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, tt.files)
			spec := tt.spec
			if spec == "" {
				spec = "hosts"
			}
			_, err := LoadInventory(filepath.Join(dir, spec))
			if err == nil {
				t.Fatal("LoadInventory succeeded, want an error")
			}
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("error %q is not %v", err, want)
				}
			}
			msg := strings.TrimPrefix(err.Error(), dir+string(filepath.Separator))
			if !strings.HasPrefix(msg, tt.wantPos) {
				t.Errorf("error %q does not start with %q", msg, tt.wantPos)
			}
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("error %q does not contain %q", msg, tt.wantMsg)
			}
		})
	}
}

func TestPyLiteral(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want any
		ok   bool
	}{
		{"22", 22, true},
		{"-3", -3, true},
		{"0x1f", 31, true},
		{"1_000", 1000, true},
		{"0755", nil, false},
		{"1.5", 1.5, true},
		{"1e3", 1000.0, true},
		{"True", true, true},
		{"true", nil, false},
		{"None", nil, true},
		{"'a b'", "a b", true},
		{`"x\ty"`, "x\ty", true},
		{`'a' "b"`, "ab", true},
		{"[1, 'two', [3]]", []any{1, "two", []any{3}}, true},
		{"(1, 2)", []any{1, 2}, true},
		{"(1)", 1, true},
		{"{'a': 1, 2: [3]}", map[string]any{"a": 1, "2": []any{3}}, true},
		{"1 # comment", 1, true},
		{"some thing", nil, false},
		{"10.0.0.1", nil, false},
		{"", nil, false},
	}
	for _, tt := range tests {
		got, ok := pyLiteral(tt.in)
		if ok != tt.ok || (ok && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("pyLiteral(%q) = %#v, %v; want %#v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestExpandHostRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"web", []string{"web"}, false},
		{"web[01:03].example.com", []string{"web01.example.com", "web02.example.com", "web03.example.com"}, false},
		{"db-[a:c]", []string{"db-a", "db-b", "db-c"}, false},
		{"h[1:5:2]", []string{"h1", "h3", "h5"}, false},
		{"h[:2]", []string{"h0", "h1", "h2"}, false},
		{"r[1:2]c[a:b]", []string{"r1ca", "r1cb", "r2ca", "r2cb"}, false},
		{"h[01:3]", nil, true},
		{"h[1:]", nil, true},
		{"h[c:a]", nil, true},
		{"h[1]", nil, true},
	}
	for _, tt := range tests {
		got, err := expandHostRange(tt.in)
		if (err != nil) != tt.wantErr || !reflect.DeepEqual(got, tt.want) && !tt.wantErr {
			t.Errorf("expandHostRange(%q) = %v, %v", tt.in, got, err)
		}
	}
}
