package payload

import (
	"reflect"
	"strings"
	"testing"
)

func imp(nested bool, names ...string) importStmt {
	return importStmt{names: names, nested: nested}
}

func from(nested bool, level int, module string, names ...string) importStmt {
	return importStmt{from: true, level: level, module: module, names: names, nested: nested}
}

func TestLexImports(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []importStmt
	}{
		{name: "import", src: "import ansible.module_utils.basic\n",
			want: []importStmt{imp(false, "ansible.module_utils.basic")}},
		{name: "import as, several", src: "import a.b as c, d.e\n",
			want: []importStmt{imp(false, "a.b", "d.e")}},
		{name: "spaces around dots", src: "import ansible . module_utils . basic",
			want: []importStmt{imp(false, "ansible.module_utils.basic")}},
		{name: "from", src: "from ansible.module_utils.basic import AnsibleModule, env_fallback as ef\n",
			want: []importStmt{from(false, 0, "ansible.module_utils.basic", "AnsibleModule", "env_fallback")}},
		{name: "star", src: "from ansible.module_utils.basic import *\n",
			want: []importStmt{from(false, 0, "ansible.module_utils.basic", "*")}},
		{name: "future", src: "from __future__ import absolute_import, division\n",
			want: []importStmt{from(false, 0, "__future__", "absolute_import", "division")}},
		{name: "relative", src: "from ..module_utils.x import y\nfrom . import z\nfrom ...a import (b,)\n",
			want: []importStmt{from(false, 2, "module_utils.x", "y"), from(false, 1, "", "z"), from(false, 3, "a", "b")}},
		{name: "comment", src: "# from ansible.module_utils.x import y\nx = 1  # import ansible.module_utils.z\n"},
		{name: "triple quoted string", src: "DOC = '''\nfrom ansible.module_utils.x import y\n'''\nEX = \"\"\"\nimport ansible.module_utils.z\n\"\"\"\n"},
		{name: "prefixed strings", src: "a = rb'''\nimport x.y\n'''\nb = f\"import {x}\"\nc = U'''\nimport q\n'''\nd = bR\"\"\"\nimport r\n\"\"\"\nimport s\n",
			want: []importStmt{imp(false, "s")}},
		{name: "escaped quote", src: "s = \"a \\\" import x\"; import y\n",
			want: []importStmt{imp(false, "y")}},
		{name: "raw string backslash quote", src: "s = r\"\\\"\"; import y\n",
			want: []importStmt{imp(false, "y")}},
		{name: "quotes in triple string", src: "s = \"\"\"a \"\" b ' \\\"\"\" import c\"\"\"\nimport d\n",
			want: []importStmt{imp(false, "d")}},
		{name: "string call", src: "print(\"import ansible.module_utils.x\")\n"},
		{name: "brackets join lines", src: "from ansible.module_utils.basic import (\n    AnsibleModule,  # the class\n    missing_required_lib,\n)\n",
			want: []importStmt{from(false, 0, "ansible.module_utils.basic", "AnsibleModule", "missing_required_lib")}},
		{name: "backslash continuation", src: "from ansible.module_utils.basic \\\n    import AnsibleModule\n",
			want: []importStmt{from(false, 0, "ansible.module_utils.basic", "AnsibleModule")}},
		{name: "continued line is not indented", src: "x = 1 + \\\n    2; import a\n",
			want: []importStmt{imp(false, "a")}},
		{name: "semicolons", src: "import os; from ansible.module_utils import basic;\n",
			want: []importStmt{imp(false, "os"), from(false, 0, "ansible.module_utils", "basic")}},
		{name: "try block", src: "try:\n    from ansible.module_utils.x import y\nexcept ImportError:\n    import ansible.module_utils.z\nimport w\n",
			want: []importStmt{from(true, 0, "ansible.module_utils.x", "y"), imp(true, "ansible.module_utils.z"), imp(false, "w")}},
		{name: "tab indented", src: "if x:\n\timport a\n",
			want: []importStmt{imp(true, "a")}},
		{name: "def and class", src: "def f():\n    import a\nclass C:\n    import b\n",
			want: []importStmt{imp(true, "a"), imp(true, "b")}},
		{name: "inline compound bodies", src: "if HAS: from a import b\ntry: import c\nexcept ImportError: import d; import e\nelse: import f\nclass C(object): import g\ndef h(x: int) -> int: import i\n",
			want: []importStmt{from(true, 0, "a", "b"), imp(true, "c"), imp(true, "d"), imp(true, "e"), imp(true, "f"), imp(true, "g"), imp(true, "i")}},
		{name: "colon inside brackets of a header", src: "if x in {1: 2} and y[1:]: import a\nwith open(f) as g: import b\n",
			want: []importStmt{imp(true, "a"), imp(true, "b")}},
		{name: "walrus in a header", src: "while n := f(): import a\n",
			want: []importStmt{imp(true, "a")}},
		{name: "python 2 except", src: "try:\n    pass\nexcept Exception, e: import a\n",
			want: []importStmt{imp(true, "a")}},
		{name: "annotation at module level", src: "x: int = 1; import ansible.module_utils.y\n",
			want: []importStmt{imp(false, "ansible.module_utils.y")}},
		{name: "dedent after block", src: "if x:\n    pass\n\n  # comment\nimport a\n",
			want: []importStmt{imp(false, "a")}},
		{name: "crlf and cr", src: "import a\r\nif x:\r\n    import b\rimport c",
			want: []importStmt{imp(false, "a"), imp(true, "b"), imp(false, "c")}},
		{name: "numbers with dots", src: "x = 1.5e3; y = .5; import a\n",
			want: []importStmt{imp(false, "a")}},
		{name: "non-ascii names", src: "café = 'é'; import a\n",
			want: []importStmt{imp(false, "a")}},
		{name: "unterminated string ends at the line", src: "x = 'abc\nimport a.b\n",
			want: []importStmt{imp(false, "a.b")}},
		{name: "not statements", src: "x = y.import_module('a')\nyield from g\nraise E from c\n"},
		{name: "malformed", src: "import\nfrom a import\nfrom import b\nimport a.\nfrom a import (b\n"},
		{name: "no final newline", src: "import a",
			want: []importStmt{imp(false, "a")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lexImports([]byte(tt.src))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("lexImports(%q)\n got %+v\nwant %+v", tt.src, got, tt.want)
			}
		})
	}
}

func TestDeps(t *testing.T) {
	parts := func(s string) []string { return strings.Split(s, ".") }
	tests := []struct {
		name  string
		src   string
		fqn   string
		isPkg bool
		want  []dep
	}{
		{name: "absolute", fqn: "ansible.modules.ping",
			src: "import os\nimport ansible.module_utils.basic\nfrom ansible.module_utils.common.text.converters import to_text, to_bytes\n",
			want: []dep{{parts: parts("ansible.module_utils.basic")},
				{parts: parts("ansible.module_utils.common.text.converters.to_text")},
				{parts: parts("ansible.module_utils.common.text.converters.to_bytes")}}},
		{name: "optional when any import is nested", fqn: "ansible.modules.x",
			src:  "from ansible.module_utils.a import b\ntry:\n    from ansible.module_utils.a import b\nexcept ImportError:\n    pass\nimport ansible.module_utils.c\n",
			want: []dep{{parts: parts("ansible.module_utils.a.b"), optional: true}, {parts: parts("ansible.module_utils.c")}}},
		{name: "relative in a collection module", fqn: "ansible_collections.ns.coll.plugins.modules.m",
			src: "from ..module_utils.x import y\nfrom ..module_utils import z\nfrom . import other\nfrom ...plugins.module_utils.w import v\n",
			want: []dep{{parts: parts("ansible_collections.ns.coll.plugins.module_utils.x.y")},
				{parts: parts("ansible_collections.ns.coll.plugins.module_utils.z")},
				{parts: parts("ansible_collections.ns.coll.plugins.module_utils.w.v")}}},
		{name: "relative in a package init", fqn: "ansible_collections.ns.coll.plugins.module_utils.pkg", isPkg: true,
			src: "from .helper import h\nfrom ..other import o\n",
			want: []dep{{parts: parts("ansible_collections.ns.coll.plugins.module_utils.pkg.helper.h")},
				{parts: parts("ansible_collections.ns.coll.plugins.module_utils.other.o")}}},
		{name: "relative in a legacy module_util", fqn: "ansible.module_utils.facts.hardware.linux",
			src: "from ..utils import get_file_content\nfrom . import base\n",
			want: []dep{{parts: parts("ansible.module_utils.facts.utils.get_file_content")},
				{parts: parts("ansible.module_utils.facts.hardware.base")}}},
		{name: "relative beyond the top", fqn: "ansible.modules.x",
			src: "from ....module_utils.x import y\n"},
		{name: "six", fqn: "ansible.modules.x",
			src:  "from ansible.module_utils.six import _six, PY3\nfrom ansible.module_utils.six.moves import urllib\n",
			want: []dep{{parts: parts("ansible.module_utils.six.moves.urllib")}}},
		{name: "collection imports", fqn: "ansible.modules.x",
			src: "import ansible_collections.ns.coll.plugins.module_utils.a\nfrom ansible_collections.ns.coll.plugins.module_utils import b\nfrom ansible_collections.ns.coll.plugins.lookup import c\nfrom ansible_collections.ns.coll.plugins.module_utils.d import e\n",
			want: []dep{{parts: parts("ansible_collections.ns.coll.plugins.module_utils.a")},
				{parts: parts("ansible_collections.ns.coll.plugins.module_utils.b")},
				{parts: parts("ansible_collections.ns.coll.plugins.module_utils.d.e")}}},
		{name: "prefixes as Ansible checks them", fqn: "ansible.modules.x",
			src:  "import ansible.module_utils\nimport ansible.modules.y\nfrom ansible.module_utilsX import z\nfrom ansible.plugins import w\n",
			want: []dep{{parts: parts("ansible.module_utilsX.z")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := deps(lexImports([]byte(tt.src)), tt.fqn, tt.isPkg)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("deps\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want Style
	}{
		{"binary", "\x7fELF\x02\x01\x01\x00", StyleBinary},
		{"new style", "#!/usr/bin/python\nfrom ansible.module_utils.basic import AnsibleModule\n", StylePython},
		{"new style, import", "import ansible.module_utils.basic\n", StylePython},
		{"new style, relative", "from ..module_utils.x import y\n", StylePython},
		{"new style, collection", "from ansible_collections.ns.c.plugins.module_utils.x import y\n", StylePython},
		{"new style in a comment counts", "#!/bin/sh\n# from ansible.module_utils.basic import x\n", StylePython},
		{"replacer", "#!/usr/bin/python\n#<<INCLUDE_ANSIBLE_MODULE_COMMON>>\n", StylePython},
		{"powershell", "#!powershell\n#Requires -Module Ansible.ModuleUtils.Legacy\n", StylePowerShell},
		{"powershell, any case", "#ansiblerequires -csharputil Ansible.Basic\n", StylePowerShell},
		{"powershell common", "# POWERSHELL_COMMON\n", StylePowerShell},
		{"jsonargs", "#!/usr/bin/perl\nmy $j = '<<INCLUDE_ANSIBLE_MODULE_JSON_ARGS>>';\n", StyleJSONArgs},
		{"want json", "#!/bin/sh\n# WANT_JSON\n", StyleWantJSON},
		{"old", "#!/bin/sh\necho '{}'\n", StyleOld},
		{"utf-8 is text", "#!/bin/sh\necho 'é'\n", StyleOld},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect([]byte(tt.src)); got != tt.want {
				t.Errorf("Detect = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestFQN(t *testing.T) {
	const site = "/usr/lib/python3/dist-packages"
	tests := []struct{ path, name, want string }{
		{site + "/ansible/modules/ping.py", "ping", "ansible.modules.ping"},
		{site + "/ansible_collections/community/general/plugins/modules/ufw.py", "community.general.ufw",
			"ansible_collections.community.general.plugins.modules.ufw"},
		{"/home/u/.ansible/collections/ansible_collections/ns/c/plugins/modules/sub/m.py", "ns.c.sub.m",
			"ansible_collections.ns.c.plugins.modules.sub.m"},
		{"/play/library/mymod.py", "mymod", "ansible.modules.mymod"},
		{"/other/ansible/modules/ping.py", "ping", "ansible.modules.ping"},
		{"/c/ansible_collections/ns/c/plugins/modules/a.b.py", "ns.c.x", "ansible.modules.ns.c.x"},
	}
	for _, tt := range tests {
		if got := FQN(tt.path, site, tt.name); got != tt.want {
			t.Errorf("FQN(%s, %s) = %s, want %s", tt.path, tt.name, got, tt.want)
		}
	}
}
