package collection

import (
	"os"
	"path/filepath"
	"testing"
)

// writeTree writes files (relative path -> content) below root. A content
// starting with "->" makes a symlink to the rest.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := cutPrefix(content, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return s, false
}

// mod is the body of a tiny new-style module of our own.
const mod = "#!/usr/bin/python\nimport json\nprint(json.dumps({'changed': False}))\n"

// tinyRuntime is the routing metadata of the fixture's acme.tools.
const tinyRuntime = `plugin_routing:
  modules:
    old:
      redirect: acme.tools.real
      deprecation:
        removal_version: "3.0.0"
        warning_text: Use acme.tools.real.
    chain1: {redirect: acme.tools.chain2}
    chain2: {redirect: acme.tools.real}
    loop1: {redirect: acme.tools.loop2}
    loop2: {redirect: acme.tools.loop1}
    self: {redirect: acme.tools.self}
    gone:
      tombstone:
        removal_version: 2.0.0
        warning_text: Use acme.tools.real instead.
    gonedate:
      tombstone:
        removal_date: 2021-01-01
    badredirect: {redirect: notfq}
    withaction: {action_plugin: acme.tools.myaction}
    dateddep:
      deprecation:
        removal_date: "2030-01-01"
        removal_version: "9.9.9"
        warning_text: ~
    floatver:
      deprecation:
        removal_version: 2.10
    sub.oldnested: {redirect: acme.tools.sub.nested}
    tobuiltin: {redirect: ansible.builtin.ping}
    tolegacy: {redirect: ansible.legacy.pbmod}
    toposix: {redirect: ansible.posix.mount}
    tomissing: {redirect: acme.nothere.x}
    empty: {}
  module_utils:
    oldhelper: {redirect: acme.tools.helper}
    fullhelper: {redirect: ansible_collections.acme.tools.plugins.module_utils.pkg}
    gonehelper:
      tombstone:
        removal_version: 1.0.0
        warning_text: gone
    dephelper:
      deprecation:
        removal_version: 4.0.0
`

// fixture writes a tree with playbook, role, library, module_utils and
// collection directories of our own, and returns its directory and a Config
// for it (no ansible-core, no sys.path).
func fixture(t *testing.T) (string, Config) {
	t.Helper()
	dir := t.TempDir()
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	writeTree(t, dir, map[string]string{
		"pb/library/pbmod.py":                   mod,
		"pb/library/command.sh":                 "#!/bin/sh\necho '{}'\n",
		"pb/library/_oldmod.py":                 mod,
		"pb/library/_linked.py":                 "->pbmod.py",
		"pb/library/multi.py":                   mod,
		"pb/library/libmod.py":                  mod,
		"pb/module_utils/pbutil.py":             "X = 1\n",
		"pb/module_utils/urls.py":               "SHADOW = 1\n",
		"pb/module_utils/pkgutil_x/__init__.py": "",
		"pb/module_utils/pkgutil_x/inner.py":    "Y = 2\n",
		"pb/collections/ansible_collections/local/pbcoll/plugins/modules/thing.py": mod,
		"pb/collections/ansible_collections/acme/shadow/plugins/modules/a.py":      mod,
		"role1/library/rolemod.py":           mod,
		"role1/module_utils/roleutil.py":     "Z = 3\n",
		"lib/libmod.py":                      "# shadowed by pb/library/libmod.py\n" + mod,
		"lib/sub/submod.py":                  mod,
		"lib/sub/deeper/deepmod.py":          mod,
		"lib/sub/deeper/deepest/too_deep.py": mod,
		"lib/.hidden/hid.py":                 mod,
		"lib/windows/winmod.ps1":             "#!powershell\n",
		"lib/winmod.py":                      mod,
		"lib/notes.txt":                      "not a module\n",
		"lib/conf.yml":                       "a: 1\n",
		"lib/plain":                          mod,
		"mu/envutil.py":                      "E = 1\n",
		"colls/ansible_collections/acme/tools/meta/runtime.yml":                     tinyRuntime,
		"colls/ansible_collections/acme/tools/plugins/modules/real.py":              mod,
		"colls/ansible_collections/acme/tools/plugins/modules/real2.sh":             "#!/bin/sh\n",
		"colls/ansible_collections/acme/tools/plugins/modules/real2.txt":            "ignored\n",
		"colls/ansible_collections/acme/tools/plugins/modules/exact":                mod,
		"colls/ansible_collections/acme/tools/plugins/modules/withaction.py":        mod,
		"colls/ansible_collections/acme/tools/plugins/modules/dateddep.py":          mod,
		"colls/ansible_collections/acme/tools/plugins/modules/floatver.py":          mod,
		"colls/ansible_collections/acme/tools/plugins/modules/empty.py":             mod,
		"colls/ansible_collections/acme/tools/plugins/modules/sub/nested.py":        mod,
		"colls/ansible_collections/acme/tools/plugins/module_utils/helper.py":       "H = 1\n",
		"colls/ansible_collections/acme/tools/plugins/module_utils/dephelper.py":    "D = 1\n",
		"colls/ansible_collections/acme/tools/plugins/module_utils/pkg/__init__.py": "P = 1\n",
		"colls/ansible_collections/acme/tools/plugins/module_utils/nsdir/leaf.py":   "L = 1\n",
		"colls/ansible_collections/acme/tools/roles/myrole/tasks/main.yml":          "- debug: msg=hi\n",
		"colls/ansible_collections/acme/tools/roles/sub/subrole/tasks/main.yml":     "- debug: msg=hi\n",
		"colls/ansible_collections/acme/tools/playbooks/deploy.yml":                 "- hosts: all\n",
		"colls/ansible_collections/acme/tools/playbooks/sub/other.yaml":             "- hosts: all\n",
		"colls/ansible_collections/acme/shadow/plugins/modules/a.py":                mod,
		"colls/ansible_collections/acme/shadow/plugins/modules/b.py":                mod,
		"colls/ansible_collections/acme/shadow/roles/myrole/tasks/main.yml":         "- debug: msg=hi\n",
		"colls/ansible_collections/acme/broken/meta/runtime.yml":                    "plugin_routing: [unclosed\n",
		"colls/ansible_collections/acme/broken/plugins/modules/x.py":                mod,
	})
	return dir, Config{
		PlaybookDirs:     []string{filepath.Join(dir, "pb")},
		RoleDirs:         []string{filepath.Join(dir, "role1")},
		Library:          []string{filepath.Join(dir, "lib")},
		ModuleUtils:      []string{filepath.Join(dir, "mu")},
		CollectionsPaths: []string{filepath.Join(dir, "colls")},
		Home:             filepath.Join(dir, "home"),
	}
}
