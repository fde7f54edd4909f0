package payload

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// fakeCore is a small ansible-core of our own: module_utils and the
// builtin routing.
func fakeCore() fstest.MapFS {
	return fstest.MapFS{
		"module_utils/basic.py": {Data: []byte("import json\nfrom ansible.module_utils.common.text.converters import to_text\n" +
			"from ansible.module_utils.six import PY3\ntry:\n    import ansible.module_utils.nothere\nexcept ImportError:\n    pass\n")},
		"module_utils/common/__init__.py":         {Data: nil},
		"module_utils/common/text/__init__.py":    {Data: nil},
		"module_utils/common/text/converters.py":  {Data: []byte("from ansible.module_utils.six import text_type\n")},
		"module_utils/six/__init__.py":            {Data: []byte("# six\n")},
		"module_utils/facts/__init__.py":          {Data: []byte("from .timeout import T\n")},
		"module_utils/facts/timeout.py":           {Data: []byte("T = 1\n")},
		"module_utils/facts/hardware/__init__.py": {Data: nil},
		"module_utils/facts/hardware/linux.py":    {Data: []byte("from ..utils import get_file_content\nfrom . import base\n")},
		"module_utils/facts/hardware/base.py":     {Data: nil},
		"module_utils/facts/utils.py":             {Data: []byte("'''\nfrom ansible.module_utils.nope import x\n'''\n")},
		"module_utils/urls.py":                    {Data: []byte("import ansible.module_utils.six.moves.urllib.request\n")},
		"module_utils/nested_only/__init__.py":    {Data: nil},
		"module_utils/nested_only/mod.py":         {Data: []byte("def f():\n    from ansible.module_utils.missing_at_depth import g\n")},
		"config/ansible_builtin_runtime.yml": {Data: []byte(`plugin_routing:
  module_utils:
    old_util:
      redirect: ns.coll.new_util
      deprecation:
        removal_version: "3.0"
        warning_text: use ns.coll.new_util
    deep.er.util:
      redirect: ansible_collections.ns.coll.plugins.module_utils.new_util
    gone:
      tombstone:
        removal_version: "2.0"
    bad:
      redirect: nope
`)},
	}
}

// fakeRoot is a collection root with ns.coll: a module_utils package
// without __init__.py, relative imports, its own routing.
func fakeRoot() fstest.MapFS {
	const c = "ansible_collections/ns/coll/"
	return fstest.MapFS{
		c + "plugins/module_utils/new_util.py":     {Data: []byte("from ansible.module_utils.common.text.converters import to_text\n")},
		c + "plugins/module_utils/sub/x.py":        {Data: []byte("from .y import Y\nfrom ..new_util import thing\n")},
		c + "plugins/module_utils/sub/y.py":        {Data: nil},
		c + "plugins/module_utils/pkg/__init__.py": {Data: []byte("from .helper import H\n")},
		c + "plugins/module_utils/pkg/helper.py":   {Data: nil},
		c + "plugins/modules/m.py":                 {Data: nil},
		c + "meta/runtime.yml": {Data: []byte(`plugin_routing:
  module_utils:
    moved: {redirect: ns.coll.new_util}
`)},
	}
}

// fakeBuilder returns a Builder over a playbook module_utils dir (local),
// the fake ansible-core and the fake collection root.
func fakeBuilder(t *testing.T, local fstest.MapFS) *Builder {
	t.Helper()
	core := fakeCore()
	mu, err := fs.Sub(core, "module_utils")
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Config{Finder: newDirFinder([]fs.FS{local, mu}, []fs.FS{fakeRoot()}, core)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// basicClosure is what every zip of the fake tree holds for basic.
var basicClosure = []string{
	"ansible/__init__.py",
	"ansible/module_utils/__init__.py",
	"ansible/module_utils/basic.py",
	"ansible/module_utils/common/__init__.py",
	"ansible/module_utils/common/text/__init__.py",
	"ansible/module_utils/common/text/converters.py",
	"ansible/module_utils/six/__init__.py",
}

func TestClosure(t *testing.T) {
	core := func(extra ...string) []string {
		return slices.Sorted(slices.Values(append(append(slices.Clone(basicClosure), "ansible/modules/__init__.py", "ansible/modules/m.py"), extra...)))
	}
	coll := func(extra ...string) []string {
		return slices.Sorted(slices.Values(append(append(slices.Clone(basicClosure),
			"ansible_collections/__init__.py", "ansible_collections/ns/__init__.py", "ansible_collections/ns/coll/__init__.py",
			"ansible_collections/ns/coll/plugins/__init__.py", "ansible_collections/ns/coll/plugins/modules/__init__.py",
			"ansible_collections/ns/coll/plugins/modules/m.py"), extra...)))
	}
	const collFQN = "ansible_collections.ns.coll.plugins.modules.m"
	mu := "ansible_collections/ns/coll/plugins/module_utils/"
	collPkgs := []string{"ansible_collections/__init__.py", "ansible_collections/ns/__init__.py", "ansible_collections/ns/coll/__init__.py",
		"ansible_collections/ns/coll/plugins/__init__.py", mu + "__init__.py"}
	tests := []struct {
		name    string
		fqn     string
		src     string
		local   fstest.MapFS
		want    []string
		wantDep []string
		wantErr error
	}{
		{name: "basic only", src: "#!/usr/bin/python\nfrom ansible.module_utils.basic import AnsibleModule\n", want: core()},
		{name: "replacer form", src: "#!/usr/bin/python\n#<<INCLUDE_ANSIBLE_MODULE_COMMON>>\n", want: core()},
		{name: "ambiguous: a module", src: "from ansible.module_utils.facts.hardware import linux\n",
			want: core("ansible/module_utils/facts/__init__.py", "ansible/module_utils/facts/timeout.py",
				"ansible/module_utils/facts/hardware/__init__.py", "ansible/module_utils/facts/hardware/linux.py",
				"ansible/module_utils/facts/hardware/base.py", "ansible/module_utils/facts/utils.py")},
		{name: "ambiguous: an attribute", src: "from ansible.module_utils.facts.timeout import T\n",
			want: core("ansible/module_utils/facts/__init__.py", "ansible/module_utils/facts/timeout.py")},
		{name: "six moves", src: "import ansible.module_utils.urls\n", want: core("ansible/module_utils/urls.py")},
		{name: "optional import found nowhere", src: "try:\n    from ansible.module_utils.nope.deeper import x\nexcept ImportError:\n    pass\n", want: core()},
		{name: "optional at depth in a module_util", src: "from ansible.module_utils.nested_only import mod\n",
			want: core("ansible/module_utils/nested_only/__init__.py", "ansible/module_utils/nested_only/mod.py")},
		{name: "required import found nowhere", src: "import os\nfrom ansible.module_utils.nope.deeper import x\n",
			wantErr: &MissingError{Module: "ansible.modules.m", Candidates: []string{"ansible.module_utils.nope.deeper.x", "ansible.module_utils.nope.deeper"}}},
		{name: "import in a string", src: "DOC = '''\nfrom ansible.module_utils.nope import x\n'''\nimport ansible.module_utils.basic\n", want: core()},
		{name: "local module_utils shadow and extend", src: "from ansible.module_utils.mine import m\nimport ansible.module_utils.six\n",
			local: fstest.MapFS{"mine.py": {Data: nil}, "six/__init__.py": {Data: []byte("# local six\n")}},
			want:  core("ansible/module_utils/mine.py")},
		{name: "legacy redirect with deprecation", src: "from ansible.module_utils.old_util import thing\n",
			want:    core(append(slices.Clone(collPkgs), "ansible/module_utils/old_util/__init__.py", mu+"new_util.py")...),
			wantDep: []string{"module_util ansible.module_utils.old_util has been removed (use ns.coll.new_util)"}},
		{name: "local file wins over a legacy redirect", src: "from ansible.module_utils.old_util import thing\n",
			local: fstest.MapFS{"old_util.py": {Data: nil}},
			want:  core("ansible/module_utils/old_util.py")},
		{name: "redirect below missing packages", src: "from ansible.module_utils.deep.er.util import x\n",
			want: core(append(slices.Clone(collPkgs), "ansible/module_utils/deep/__init__.py", "ansible/module_utils/deep/er/__init__.py",
				"ansible/module_utils/deep/er/util/__init__.py", mu+"new_util.py")...)},
		{name: "tombstone", src: "import ansible.module_utils.gone\n", wantErr: errors.New("module_util ansible.module_utils.gone has been removed")},
		{name: "tombstone also when optional", src: "try:\n    import ansible.module_utils.gone\nexcept ImportError:\n    pass\n",
			wantErr: errors.New("module_util ansible.module_utils.gone has been removed")},
		{name: "invalid redirect", src: "import ansible.module_utils.bad\n", wantErr: errors.New("invalid redirect for ansible.module_utils.bad: nope")},
		{name: "collection module", fqn: collFQN, src: "from ..module_utils.new_util import thing\n",
			want: coll(mu+"__init__.py", mu+"new_util.py")},
		{name: "collection package without __init__", fqn: collFQN, src: "from ansible_collections.ns.coll.plugins.module_utils.sub.x import X\n",
			want: coll(mu+"__init__.py", mu+"new_util.py", mu+"sub/__init__.py", mu+"sub/x.py", mu+"sub/y.py")},
		{name: "collection package init relative import", fqn: collFQN, src: "from ..module_utils.pkg import H\n",
			want: coll(mu+"__init__.py", mu+"pkg/__init__.py", mu+"pkg/helper.py")},
		{name: "collection routing", fqn: collFQN, src: "from ..module_utils.moved import thing\n",
			want: coll(mu+"__init__.py", mu+"moved/__init__.py", mu+"new_util.py")},
		{name: "collection not installed, optional", fqn: collFQN,
			src:  "try:\n    from ansible_collections.other.coll.plugins.module_utils.x import y\nexcept ImportError:\n    pass\n",
			want: coll()},
		{name: "collection not installed, required", fqn: collFQN, src: "from ansible_collections.other.coll.plugins.module_utils.x import y\n",
			wantErr: &MissingError{Module: collFQN, Candidates: []string{"ansible_collections.other.coll.plugins.module_utils.x.y", "ansible_collections.other.coll.plugins.module_utils.x"}}},
		{name: "collection import outside module_utils", fqn: collFQN, src: "import ansible.module_utils.basic\nimport ansible_collections.ns.coll.plugins.modules.other\n",
			wantErr: errors.New("module_util ansible_collections.ns.coll.plugins.modules.other is not below ansible_collections.(ns).(coll).plugins.module_utils")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := fakeBuilder(t, tt.local)
			p, err := b.Build(context.Background(), Module{Name: "m", FQN: tt.fqn, Source: []byte(tt.src)})
			if tt.wantErr != nil {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr.Error()) {
					t.Fatalf("Build error = %v, want %v", err, tt.wantErr)
				}
				var me *MissingError
				if errors.As(tt.wantErr, &me) && !errors.Is(err, ErrMissingSupport) {
					t.Errorf("errors.Is(%v, ErrMissingSupport) is false", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.Members, tt.want) {
				t.Errorf("members\n got %q\nwant %q\n only got: %q\n only want: %q", p.Members, tt.want, minus(p.Members, tt.want), minus(tt.want, p.Members))
			}
			names, err := zipNames(p.Data)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("zip holds %q, want %q in that order", names, tt.want)
			}
			var deps []string
			for _, d := range p.Deprecations {
				deps = append(deps, d.Msg)
			}
			if !slices.Equal(deps, tt.wantDep) {
				t.Errorf("deprecations %q, want %q", deps, tt.wantDep)
			}
		})
	}
}

func TestZipContents(t *testing.T) {
	b := fakeBuilder(t, nil)
	src := []byte("#!/usr/bin/python\nfrom ansible.module_utils.old_util import thing\n")
	p, err := b.Build(context.Background(), Module{Name: "m", Source: src})
	if err != nil {
		t.Fatal(err)
	}
	check := func(name, want string) {
		t.Helper()
		if got := zipMember(p.Data, name); string(got) != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	check("ansible/modules/m.py", string(src))
	check("ansible/modules/__init__.py", "")
	check("ansible/module_utils/six/__init__.py", "# six\n")
	check("ansible/module_utils/old_util/__init__.py",
		"import sys\nimport ansible_collections.ns.coll.plugins.module_utils.new_util as _redirected\nsys.modules['ansible.module_utils.old_util'] = _redirected\n")
	check("ansible/module_utils/__init__.py", "from pkgutil import extend_path\n__path__ = extend_path(__path__, __name__)\n")
	check("ansible/__init__.py", "from pkgutil import extend_path\n__path__ = extend_path(__path__, __name__)\n__version__ = '2.14.18'\n__author__ = 'Ansible, Inc.'\n")
	check("ansible_collections/ns/coll/plugins/module_utils/__init__.py", "")
}

func TestBuildIsDeterministicAndCached(t *testing.T) {
	src := []byte("#!/usr/bin/python\nfrom ansible.module_utils.facts.hardware import linux\n")
	b1, b2 := fakeBuilder(t, nil), fakeBuilder(t, nil)
	p1, err := b1.Build(context.Background(), Module{Name: "m", Source: src})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := b2.Build(context.Background(), Module{Name: "m", Source: src})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p1.Data, p2.Data) || p1.SHA256 != p2.SHA256 || len(p1.SHA256) != 64 {
		t.Fatalf("two builders made different zips: %s and %s", p1.SHA256, p2.SHA256)
	}
	again, err := b1.Build(context.Background(), Module{Name: "ansible.builtin.m", FQN: "ansible.modules.m", Source: src})
	if err != nil {
		t.Fatal(err)
	}
	if again.blob != p1.blob || again.Name != "ansible.builtin.m" {
		t.Errorf("a second build of the same module and closure made a new zip")
	}
	other, err := b1.Build(context.Background(), Module{Name: "m", Source: append(slices.Clone(src), "# changed\n"...)})
	if err != nil {
		t.Fatal(err)
	}
	if other.SHA256 == p1.SHA256 {
		t.Errorf("a changed module kept the zip's hash")
	}
	// A module_util that changes under the same names makes a new zip.
	local := fstest.MapFS{"facts/utils.py": {Data: []byte("# local\n")}}
	p3, err := fakeBuilder(t, local).Build(context.Background(), Module{Name: "m", Source: src})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p3.Members, p1.Members) || p3.SHA256 == p1.SHA256 {
		t.Errorf("a changed module_util: members %v (want %v), hash %s (want not %s)", p3.Members, p1.Members, p3.SHA256, p1.SHA256)
	}
}

func TestBuildStyles(t *testing.T) {
	b := fakeBuilder(t, nil)
	if _, err := b.Build(context.Background(), Module{Name: "win_ping", Source: []byte("#Requires -Module Ansible.ModuleUtils.Legacy\n")}); !errors.Is(err, ErrPowerShell) {
		t.Errorf("PowerShell module: error %v, want ErrPowerShell", err)
	}
	src := []byte("#!/bin/sh\n# WANT_JSON\necho '{}'\n")
	p, err := b.Build(context.Background(), Module{Name: "w", Source: src})
	if err != nil {
		t.Fatal(err)
	}
	if p.Style != StyleWantJSON || !bytes.Equal(p.Data, src) || p.Members != nil || len(p.SHA256) != 64 {
		t.Errorf("WANT_JSON payload = %+v", p)
	}
	if _, err := New(Config{}); err == nil {
		t.Error("New without a Finder: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Build(ctx, Module{Name: "m", Source: []byte("import ansible.module_utils.basic\n")}); !errors.Is(err, context.Canceled) {
		t.Errorf("Build with a cancelled context: %v", err)
	}
}

// minus returns the elements of a not in b.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
