package collection

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// fakeCoreRuntime routes the fake ansible-core's ansible.builtin.
const fakeCoreRuntime = `plugin_routing:
  modules:
    mount: {redirect: acme.tools.real}
    oldcore:
      tombstone:
        removal_version: "2.9"
        warning_text: Use ping.
    depcore:
      redirect: ansible.builtin.ping
      deprecation:
        removal_date: 2099-01-01
        warning_text: Use ping!
  module_utils:
    moved: {redirect: acme.tools.helper}
    gonecore: {tombstone: {removal_version: "2.10"}}
`

// withCore adds an ansible-core of our own (a few tiny files laid out as
// ansible-core lays them out) to the fixture and returns its directory.
func withCore(t *testing.T, dir string) string {
	t.Helper()
	writeTree(t, dir, map[string]string{
		"site/ansible/__init__.py":                                    "",
		"site/ansible/release.py":                                     "__version__ = '2.14.99'\n",
		"site/ansible/config/ansible_builtin_runtime.yml":             fakeCoreRuntime,
		"site/ansible/modules/__init__.py":                            "",
		"site/ansible/modules/ping.py":                                mod,
		"site/ansible/modules/command.py":                             mod,
		"site/ansible/modules/_legacy.py":                             mod,
		"site/ansible/modules/pkg/__init__.py":                        "",
		"site/ansible/modules/pkg/inpkg.py":                           mod,
		"site/ansible/module_utils/__init__.py":                       "",
		"site/ansible/module_utils/basic.py":                          "B = 1\n",
		"site/ansible/module_utils/common/__init__.py":                "",
		"site/ansible/module_utils/common/text/converters.py":         "C = 1\n",
		"site/ansible/module_utils/six/__init__.py":                   "S = 1\n",
		"site/ansible_collections/acme/sitecoll/plugins/modules/m.py": mod,
	})
	return filepath.Join(dir, "site", "ansible")
}

func TestResolve(t *testing.T) {
	dir, cfg := fixture(t)
	// Two files answer to "order" in one directory: the first in name
	// order wins.
	writeTree(t, dir, map[string]string{"pb/library/order.sh": "", "pb/library/order.py": mod})
	cfg.AnsibleCore = withCore(t, dir)
	cfg.SysPath = []string{filepath.Join(dir, "site")}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	core := "site/ansible/modules/"
	tools := "colls/ansible_collections/acme/tools/plugins/modules/"
	tests := []struct {
		name        string
		collections []string
		wantPath    string // relative to the fixture
		wantFQCN    string
		wantColl    string
		wantAction  string
		wantRedir   []string
		wantDeps    []string // substrings, one per deprecation
		wantErr     error
		wantMsg     string
	}{
		{name: "ping", wantPath: core + "ping.py", wantFQCN: "ansible.builtin.ping", wantColl: "ansible.builtin"},
		{name: "command", wantPath: "pb/library/command.sh", wantFQCN: "command"},
		{name: "ansible.builtin.command", wantPath: core + "command.py", wantFQCN: "ansible.builtin.command", wantColl: "ansible.builtin"},
		{name: "ansible.legacy.command", wantPath: "pb/library/command.sh", wantFQCN: "command"},
		{name: "inpkg", wantPath: core + "pkg/inpkg.py", wantFQCN: "ansible.builtin.inpkg", wantColl: "ansible.builtin"},
		{name: "legacy", wantPath: core + "_legacy.py", wantFQCN: "ansible.builtin._legacy", wantColl: "ansible.builtin",
			wantDeps: []string{"legacy is kept for backwards compatibility"}},
		{name: "oldmod", wantPath: "pb/library/_oldmod.py", wantFQCN: "_oldmod", wantDeps: []string{"oldmod is kept"}},
		{name: "linked", wantPath: "pb/library/_linked.py", wantFQCN: "_linked"}, // a symlink alias: no deprecation
		{name: "order", wantPath: "pb/library/order.py", wantFQCN: "order"},
		{name: "rolemod", wantPath: "role1/library/rolemod.py", wantFQCN: "rolemod"},
		{name: "libmod", wantPath: "pb/library/libmod.py", wantFQCN: "libmod"},
		{name: "submod", wantPath: "lib/sub/submod.py", wantFQCN: "submod"},
		{name: "deepmod", wantPath: "lib/sub/deeper/deepmod.py", wantFQCN: "deepmod"},
		{name: "winmod", wantPath: "lib/winmod.py", wantFQCN: "winmod"},
		{name: "plain", wantPath: "lib/plain", wantFQCN: "plain"},
		{name: "too_deep", wantErr: ErrNotFound},
		{name: "hid", wantErr: ErrNotFound},
		{name: "notes", wantErr: ErrNotFound},
		{name: "mount", wantPath: tools + "real.py", wantFQCN: "acme.tools.real", wantColl: "acme.tools",
			wantRedir: []string{"mount", "ansible.builtin.mount", "acme.tools.real"}},
		{name: "depcore", wantPath: core + "ping.py", wantFQCN: "ansible.builtin.ping", wantColl: "ansible.builtin",
			wantDeps: []string{"[DEPRECATION WARNING]: ansible.builtin.depcore has been deprecated. Use ping! This feature will be removed from ansible-core in a release after 2099-01-01."}},
		{name: "oldcore", wantErr: ErrRemoved,
			wantMsg: "[DEPRECATED]: ansible.builtin.oldcore has been removed. Use ping. This feature was removed from ansible-core in version 2.9. Please update your playbooks."},
		{name: "acme.sitecoll.m", wantPath: "site/ansible_collections/acme/sitecoll/plugins/modules/m.py", wantFQCN: "acme.sitecoll.m", wantColl: "acme.sitecoll"},
		{name: "local.pbcoll.thing", wantPath: "pb/collections/ansible_collections/local/pbcoll/plugins/modules/thing.py", wantFQCN: "local.pbcoll.thing", wantColl: "local.pbcoll"},
		{name: "acme.tools.real2", wantPath: tools + "real2.sh", wantFQCN: "acme.tools.real2", wantColl: "acme.tools"},
		{name: "acme.tools.exact", wantPath: tools + "exact", wantFQCN: "acme.tools.exact", wantColl: "acme.tools"},
		{name: "acme.tools.sub.nested", wantPath: tools + "sub/nested.py", wantFQCN: "acme.tools.sub.nested", wantColl: "acme.tools"},
		{name: "acme.tools.sub.oldnested", wantPath: tools + "sub/nested.py", wantFQCN: "acme.tools.sub.nested", wantColl: "acme.tools"},
		{name: "acme.tools.chain1", wantPath: tools + "real.py", wantFQCN: "acme.tools.real", wantColl: "acme.tools",
			wantRedir: []string{"acme.tools.chain1", "acme.tools.chain2", "acme.tools.real"}},
		{name: "acme.tools.old", wantPath: tools + "real.py", wantFQCN: "acme.tools.real", wantColl: "acme.tools",
			wantDeps: []string{"[DEPRECATION WARNING]: acme.tools.old has been deprecated. Use acme.tools.real. This feature will be removed from acme.tools in version 3.0.0. Deprecation warnings can be disabled by setting deprecation_warnings=False in ansible.cfg."}},
		{name: "acme.tools.dateddep", wantPath: tools + "dateddep.py", wantFQCN: "acme.tools.dateddep", wantColl: "acme.tools",
			wantDeps: []string{"acme.tools.dateddep has been deprecated. This feature will be removed from acme.tools in a release after 2030-01-01."}},
		{name: "acme.tools.floatver", wantPath: tools + "floatver.py", wantFQCN: "acme.tools.floatver", wantColl: "acme.tools",
			wantDeps: []string{"in version 2.1."}},
		{name: "acme.tools.withaction", wantPath: tools + "withaction.py", wantFQCN: "acme.tools.withaction", wantColl: "acme.tools",
			wantAction: "acme.tools.myaction"},
		{name: "acme.tools.tobuiltin", wantPath: core + "ping.py", wantFQCN: "ansible.builtin.ping", wantColl: "ansible.builtin"},
		{name: "acme.tools.tolegacy", wantPath: "pb/library/pbmod.py", wantFQCN: "pbmod"},
		{name: "acme.tools.empty", wantPath: tools + "empty.py", wantFQCN: "acme.tools.empty", wantColl: "acme.tools"},
		{name: "acme.tools.loop1", wantErr: ErrRedirectLoop,
			wantMsg: "plugin redirect loop resolving acme.tools.loop1 (path: ['acme.tools.loop1', 'acme.tools.loop2'])"},
		{name: "acme.tools.self", wantErr: ErrRedirectLoop},
		{name: "acme.tools.gone", wantErr: ErrRemoved,
			wantMsg: "[DEPRECATED]: acme.tools.gone has been removed. Use acme.tools.real instead. This feature was removed from acme.tools in version 2.0.0. Please update your playbooks."},
		{name: "acme.tools.gonedate", wantErr: ErrRemoved,
			wantMsg: "[DEPRECATED]: acme.tools.gonedate has been removed. This feature was removed from acme.tools in a release after 2021-01-01. Please update your playbooks."},
		{name: "acme.tools.badredirect", wantErr: ErrNotFound},
		{name: "acme.tools.tomissing", wantErr: ErrNotFound},
		{name: "acme.shadow.a", wantPath: "pb/collections/ansible_collections/acme/shadow/plugins/modules/a.py", wantFQCN: "acme.shadow.a", wantColl: "acme.shadow"},
		{name: "acme.shadow.b", wantErr: ErrNotFound}, // the playbook's acme.shadow hides the other root's
		{name: "acme.broken.x", wantErr: ErrNotFound},
		{name: "nosuch", wantErr: ErrNotFound,
			wantMsg: "couldn't resolve module/action 'nosuch'. This often indicates a misspelling, missing collection, or incorrect module path."},
		{name: "real", collections: []string{"acme.tools"}, wantPath: tools + "real.py", wantFQCN: "acme.tools.real", wantColl: "acme.tools",
			wantRedir: []string{"real", "acme.tools.real"}},
		{name: "ping", collections: []string{"acme.tools"}, wantErr: ErrNotFound},
		{name: "ping", collections: []string{"acme.tools", "ansible.legacy"}, wantPath: core + "ping.py", wantFQCN: "ansible.builtin.ping", wantColl: "ansible.builtin"},
		{name: "pbmod", collections: []string{"ansible.builtin"}, wantErr: ErrNotFound},
		{name: "a", collections: []string{"acme.nothere", "acme.shadow"}, wantPath: "pb/collections/ansible_collections/acme/shadow/plugins/modules/a.py", wantFQCN: "acme.shadow.a", wantColl: "acme.shadow"},
		{name: "acme.tools.real", collections: []string{"local.pbcoll"}, wantPath: tools + "real.py", wantFQCN: "acme.tools.real", wantColl: "acme.tools"},
	}
	for _, tt := range tests {
		label := tt.name + " " + strings.Join(tt.collections, ",")
		t.Run(label, func(t *testing.T) {
			m, err := r.Resolve(tt.name, tt.collections)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %+v, %v; want %v", m, err, tt.wantErr)
				}
				if tt.wantMsg != "" && err.Error() != tt.wantMsg {
					t.Errorf("error text\n got %q\nwant %q", err.Error(), tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(dir, tt.wantPath); m.Path != want {
				t.Errorf("path %s, want %s", m.Path, want)
			}
			if m.Name != tt.name || m.FQCN != tt.wantFQCN || m.Collection != tt.wantColl || m.ActionPlugin != tt.wantAction {
				t.Errorf("got name %q fqcn %q collection %q action %q; want %q %q %q", m.Name, m.FQCN, m.Collection, m.ActionPlugin, tt.wantFQCN, tt.wantColl, tt.wantAction)
			}
			if tt.wantRedir != nil && !slices.Equal(m.Redirects, tt.wantRedir) {
				t.Errorf("redirects %q, want %q", m.Redirects, tt.wantRedir)
			}
			if len(m.Deprecations) != len(tt.wantDeps) {
				t.Fatalf("deprecations %v, want %d", m.Deprecations, len(tt.wantDeps))
			}
			for i, d := range m.Deprecations {
				if !strings.Contains(d.String(), tt.wantDeps[i]) {
					t.Errorf("deprecation %q lacks %q", d.String(), tt.wantDeps[i])
				}
			}
		})
	}
}

func TestResolveRoots(t *testing.T) {
	dir, cfg := fixture(t)
	cfg.AnsibleCore = withCore(t, dir)
	cfg.SysPath = []string{filepath.Join(dir, "site"), filepath.Join(dir, "site", "ansible_collections"), "", filepath.Join(dir, "lib")}
	cfg.CollectionsPaths = append(cfg.CollectionsPaths, filepath.Join(dir, "colls", "ansible_collections"))
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "pb", "collections"), filepath.Join(dir, "colls"), filepath.Join(dir, "site")}
	if got := r.Roots(); !slices.Equal(got, want) {
		t.Errorf("roots %q, want %q", got, want)
	}
	cfg.NoScanSysPath = true
	r, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Roots(); !slices.Equal(got, want[:2]) {
		t.Errorf("roots without sys.path %q, want %q", got, want[:2])
	}
	if _, err := r.Resolve("acme.sitecoll.m", nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("a sys.path collection resolved with NoScanSysPath: %v", err)
	}
}

func TestResolveNoCore(t *testing.T) {
	_, cfg := fixture(t)
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r.AnsibleCore() != "" {
		t.Errorf("AnsibleCore() = %q without one", r.AnsibleCore())
	}
	for _, name := range []string{"ping", "ansible.builtin.ping", "ansible.legacy.ping", "mount"} {
		if _, err := r.Resolve(name, nil); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s without ansible-core: %v, want ErrNotFound", name, err)
		}
	}
	if m, err := r.Resolve("pbmod", nil); err != nil || m.FQCN != "pbmod" {
		t.Errorf("pbmod without ansible-core: %+v, %v", m, err)
	}
	if m, err := r.Resolve("acme.tools.real", nil); err != nil || m.Collection != "acme.tools" {
		t.Errorf("acme.tools.real without ansible-core: %+v, %v", m, err)
	}
}

func TestResolveDefaults(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"home/.ansible/plugins/modules/homemod.py":                                   mod,
		"home/.ansible/plugins/module_utils/homeutil.py":                             "",
		"home/.ansible/collections/ansible_collections/my/coll/plugins/modules/x.py": mod,
		"elsewhere/plugins/modules/other.py":                                         mod,
	})
	r, err := New(Config{Home: filepath.Join(dir, "home")})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := r.Resolve("homemod", nil); err != nil || m.Path != filepath.Join(dir, "home/.ansible/plugins/modules/homemod.py") {
		t.Errorf("homemod: %+v, %v", m, err)
	}
	if m, err := r.Resolve("my.coll.x", nil); err != nil || m.Root != filepath.Join(dir, "home/.ansible/collections") {
		t.Errorf("my.coll.x: %+v, %v", m, err)
	}
	if mu, err := r.FindModuleUtil("ansible.module_utils.homeutil"); err != nil || mu.Path == "" {
		t.Errorf("homeutil: %+v, %v", mu, err)
	}
	// ANSIBLE_HOME moves the defaults; an explicit empty list means none.
	r, err = New(Config{Home: filepath.Join(dir, "home"), AnsibleHome: "~/../elsewhere", Library: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Resolve("homemod", nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("homemod with an empty Library: %v", err)
	}
	if got := r.Roots(); len(got) != 0 {
		t.Errorf("roots %q, want none", got)
	}
	r, err = New(Config{Home: filepath.Join(dir, "home"), AnsibleHome: "~/../elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Resolve("other", nil); err != nil {
		t.Errorf("other under ANSIBLE_HOME: %v", err)
	}
}

func TestNewRejectsNotACore(t *testing.T) {
	if _, err := New(Config{AnsibleCore: t.TempDir()}); !errors.Is(err, ErrNoAnsibleCore) {
		t.Errorf("New with an empty AnsibleCore dir: %v, want ErrNoAnsibleCore", err)
	}
}

func TestResolveConcurrent(t *testing.T) {
	dir, cfg := fixture(t)
	cfg.AnsibleCore = withCore(t, dir)
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"ping", "mount", "acme.tools.old", "acme.tools.sub.nested", "pbmod", "local.pbcoll.thing"}
	var wg sync.WaitGroup
	errs := make(chan error, 8*len(names))
	for range 8 {
		for _, n := range names {
			wg.Go(func() {
				if _, err := r.Resolve(n, nil); err != nil {
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestFindModuleUtil(t *testing.T) {
	dir, cfg := fixture(t)
	cfg.AnsibleCore = withCore(t, dir)
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mu := "site/ansible/module_utils/"
	cmu := "colls/ansible_collections/acme/tools/plugins/module_utils/"
	tests := []struct {
		name         string
		wantName     string
		wantPath     string // relative to the fixture; "" for none
		wantPackage  bool
		wantRedirect string
		wantColl     string
		wantDeps     int
		wantErr      error
		wantMsg      string
	}{
		{name: "ansible.module_utils.basic", wantPath: mu + "basic.py", wantColl: "ansible.builtin"},
		{name: "ansible.module_utils.urls", wantPath: "pb/module_utils/urls.py", wantColl: "ansible.builtin"},
		{name: "ansible.module_utils.common", wantPath: mu + "common/__init__.py", wantPackage: true, wantColl: "ansible.builtin"},
		{name: "ansible.module_utils.common.text.converters", wantPath: mu + "common/text/converters.py", wantColl: "ansible.builtin"},
		{name: "ansible.module_utils.six.moves.urllib", wantName: "ansible.module_utils.six", wantPath: mu + "six/__init__.py", wantPackage: true, wantColl: "ansible.builtin"},
		{name: "ansible.module_utils.pbutil", wantPath: "pb/module_utils/pbutil.py", wantColl: "ansible.builtin"},
		{name: "ansible.module_utils.roleutil", wantPath: "role1/module_utils/roleutil.py", wantColl: "ansible.builtin"},
		{name: "ansible.module_utils.envutil", wantPath: "mu/envutil.py", wantColl: "ansible.builtin"},
		{name: "ansible.module_utils.pkgutil_x.inner", wantPath: "pb/module_utils/pkgutil_x/inner.py", wantColl: "ansible.builtin"},
		{name: "ansible.module_utils.moved", wantPackage: true, wantColl: "ansible.builtin",
			wantRedirect: "ansible_collections.acme.tools.plugins.module_utils.helper"},
		{name: "ansible.module_utils.gonecore", wantErr: ErrRemoved,
			wantMsg: "[DEPRECATED]: module_util ansible.module_utils.gonecore has been removed. This feature was removed from ansible-core in version 2.10. Please update your playbooks."},
		{name: "ansible.module_utils.nosuch", wantErr: ErrNotFound},
		{name: "ansible", wantPackage: true, wantColl: "ansible.builtin"},
		{name: "ansible.module_utils", wantPackage: true, wantColl: "ansible.builtin"},
		{name: "ansible_collections.acme.tools.plugins.module_utils.helper", wantPath: cmu + "helper.py", wantColl: "acme.tools"},
		{name: "ansible_collections.acme.tools.plugins.module_utils.pkg", wantPath: cmu + "pkg/__init__.py", wantPackage: true, wantColl: "acme.tools"},
		{name: "ansible_collections.acme.tools.plugins.module_utils.nsdir", wantPackage: true, wantColl: "acme.tools"},
		{name: "ansible_collections.acme.tools.plugins.module_utils.nsdir.leaf", wantPath: cmu + "nsdir/leaf.py", wantColl: "acme.tools"},
		{name: "ansible_collections.acme.tools.plugins.module_utils.oldhelper", wantPackage: true, wantColl: "acme.tools",
			wantRedirect: "ansible_collections.acme.tools.plugins.module_utils.helper"},
		{name: "ansible_collections.acme.tools.plugins.module_utils.fullhelper", wantPackage: true, wantColl: "acme.tools",
			wantRedirect: "ansible_collections.acme.tools.plugins.module_utils.pkg"},
		{name: "ansible_collections.acme.tools.plugins.module_utils.dephelper", wantPath: cmu + "dephelper.py", wantColl: "acme.tools", wantDeps: 1},
		{name: "ansible_collections.acme.tools.plugins.module_utils.gonehelper", wantErr: ErrRemoved},
		{name: "ansible_collections.acme.tools.plugins.module_utils.nosuch", wantErr: ErrNotFound},
		{name: "ansible_collections.acme.tools.plugins", wantPackage: true, wantColl: "acme.tools"},
		{name: "ansible_collections", wantPackage: true},
		{name: "ansible_collections.acme.nothere.plugins.module_utils.x", wantErr: ErrNotFound,
			wantMsg: "error processing module_util ansible_collections.acme.nothere.plugins.module_utils.x loading redirected collection acme.nothere: unable to locate collection acme.nothere"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.FindModuleUtil(tt.name)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %+v, %v; want %v", got, err, tt.wantErr)
				}
				if tt.wantMsg != "" && err.Error() != tt.wantMsg {
					t.Errorf("error text\n got %q\nwant %q", err.Error(), tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wantPath := ""
			if tt.wantPath != "" {
				wantPath = filepath.Join(dir, tt.wantPath)
			}
			wantName := tt.name
			if tt.wantName != "" {
				wantName = tt.wantName
			}
			if got.Name != wantName || got.Path != wantPath || got.Package != tt.wantPackage || got.Redirect != tt.wantRedirect ||
				got.Collection != tt.wantColl || len(got.Deprecations) != tt.wantDeps {
				t.Errorf("got %+v\nwant name %s path %q package %v redirect %q collection %q deprecations %d",
					got, wantName, wantPath, tt.wantPackage, tt.wantRedirect, tt.wantColl, tt.wantDeps)
			}
		})
	}
	for _, bad := range []string{"os.path", "ansible_collections.acme.tools.roles.x.y", "ansible.plugins.x"} {
		if _, err := r.FindModuleUtil(bad); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v, want an error that is not ErrNotFound", bad, err)
		}
	}
}

func TestFindRoleAndPlaybook(t *testing.T) {
	dir, cfg := fixture(t)
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	roles := "colls/ansible_collections/acme/tools/roles/"
	tests := []struct {
		name        string
		collections []string
		want        Role // Path relative to the fixture
		wantErr     bool
	}{
		{name: "acme.tools.myrole", want: Role{Name: "myrole", FQCN: "acme.tools.myrole", Path: roles + "myrole", Collection: "acme.tools"}},
		{name: "acme.tools.sub.subrole", want: Role{Name: "subrole", FQCN: "acme.tools.sub.subrole", Path: roles + "sub/subrole", Collection: "acme.tools"}},
		{name: "myrole", collections: []string{"ansible.builtin", "acme.nothere", "acme.tools"}, want: Role{Name: "myrole", FQCN: "acme.tools.myrole", Path: roles + "myrole", Collection: "acme.tools"}},
		// The playbook's acme.shadow, which has no roles, hides the one
		// that has myrole.
		{name: "myrole", collections: []string{"acme.shadow"}, wantErr: true},
		{name: "sub.subrole", collections: []string{"acme.tools"}, want: Role{Name: "sub.subrole", FQCN: "acme.tools.sub.subrole", Path: roles + "sub/subrole", Collection: "acme.tools"}},
		{name: "myrole", wantErr: true},
		{name: "acme.tools.nosuch", wantErr: true},
	}
	for _, tt := range tests {
		got, err := r.FindRole(tt.name, tt.collections)
		if tt.wantErr {
			if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "the role '"+tt.name+"' was not found") {
				t.Errorf("role %s: %+v, %v; want ErrNotFound", tt.name, got, err)
			}
			continue
		}
		tt.want.Path = filepath.Join(dir, tt.want.Path)
		if err != nil || got != tt.want {
			t.Errorf("role %s %v: %+v, %v; want %+v", tt.name, tt.collections, got, err, tt.want)
		}
	}

	pbs := "colls/ansible_collections/acme/tools/playbooks/"
	for _, tt := range []struct{ name, want string }{
		{"acme.tools.deploy", pbs + "deploy.yml"},
		{"acme.tools.deploy.yml", pbs + "deploy.yml"},
		{"acme.tools.sub.other", pbs + "sub/other.yaml"},
		{"acme.tools.sub.other.yml", ""},
		{"acme.tools.nosuch", ""},
		{"deploy.yml", ""},
		{"acme.yml", ""},
	} {
		got, err := r.FindPlaybook(tt.name)
		if tt.want == "" {
			if !errors.Is(err, ErrNotFound) || err.Error() != "the playbook: "+tt.name+" could not be found" {
				t.Errorf("playbook %s: %+v, %v; want ErrNotFound", tt.name, got, err)
			}
			continue
		}
		if err != nil || got.Path != filepath.Join(dir, tt.want) || got.Collection != "acme.tools" || got.FQCN != tt.name {
			t.Errorf("playbook %s: %+v, %v; want %s", tt.name, got, err, tt.want)
		}
	}
}

func TestCollectionOf(t *testing.T) {
	dir, cfg := fixture(t)
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{"colls/ansible_collections/acme/tools/playbooks/deploy.yml", "acme.tools"},
		{"colls/ansible_collections/acme/tools", "acme.tools"},
		{"pb/collections/ansible_collections/acme/shadow/plugins", "acme.shadow"},
		{"colls/ansible_collections/acme/shadow/roles/myrole", ""}, // hidden by the playbook's acme.shadow
		{"colls/ansible_collections/acme", ""},
		{"colls/ansible_collections/acme/tools/ansible_collections/x/y", ""},
		{"pb/site.yml", ""},
	} {
		if got := r.CollectionOf(filepath.Join(dir, tt.path)); got != tt.want {
			t.Errorf("CollectionOf(%s) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestSearchList(t *testing.T) {
	tests := []struct {
		list    []string
		current string
		want    []string
	}{
		{nil, "", nil},
		{nil, "my.coll", []string{"my.coll", "ansible.legacy"}},
		{[]string{"a.b"}, "", []string{"a.b", "ansible.legacy"}},
		{[]string{"a.b", "ansible.builtin"}, "", []string{"a.b", "ansible.builtin"}},
		{[]string{"ansible.legacy", "a.b"}, "a.b", []string{"ansible.legacy", "a.b"}},
		{[]string{"a.b"}, "c.d", []string{"c.d", "a.b", "ansible.legacy"}},
	}
	for _, tt := range tests {
		if got := SearchList(tt.list, tt.current); !slices.Equal(got, tt.want) {
			t.Errorf("SearchList(%q, %q) = %q, want %q", tt.list, tt.current, got, tt.want)
		}
	}
}

func TestNames(t *testing.T) {
	for _, tt := range []struct {
		name       string
		fqcn, coll bool
	}{
		{"a.b.c", true, false}, {"a.b", false, true}, {"a.b.c.d", true, false}, {"a..c", false, false},
		{"ping", false, false}, {"a-b.c.d", false, false}, {"class.b", false, false}, {"1a.b", false, false},
		{"é.b.c", true, false}, {"a.b.", false, false}, {"_a.b_", false, true},
	} {
		if got := IsFQCN(tt.name); got != tt.fqcn {
			t.Errorf("IsFQCN(%q) = %v", tt.name, got)
		}
		if got := IsCollectionName(tt.name); got != tt.coll {
			t.Errorf("IsCollectionName(%q) = %v", tt.name, got)
		}
	}
	for _, tt := range []struct{ in, base, ext string }{
		{"a.py", "a", ".py"}, {".bashrc", ".bashrc", ""}, {"..x", "..x", ""}, {"a.tar.gz", "a.tar", ".gz"},
		{"a.", "a", "."}, {"plain", "plain", ""}, {"..a.b", "..a", ".b"},
	} {
		if b, e := splitext(tt.in); b != tt.base || e != tt.ext {
			t.Errorf("splitext(%q) = %q, %q", tt.in, b, e)
		}
	}
	if got := SplitPaths(""); !slices.Equal(got, []string{""}) {
		t.Errorf("SplitPaths(\"\") = %q", got)
	}
	if got := SplitPaths("/a:/b"); !slices.Equal(got, []string{"/a", "/b"}) {
		t.Errorf("SplitPaths = %q", got)
	}
}

func TestDeprecationString(t *testing.T) {
	for _, tt := range []struct {
		d    Deprecation
		want string
	}{
		{Deprecation{Msg: "x has been deprecated.", Version: "2.0.0", Collection: "a.b"},
			"[DEPRECATION WARNING]: x has been deprecated. This feature will be removed from a.b in version 2.0.0. Deprecation warnings can be disabled by setting deprecation_warnings=False in ansible.cfg."},
		{Deprecation{Msg: "  x is old  ", Collection: "ansible.builtin"},
			"[DEPRECATION WARNING]: x is old. This feature will be removed from ansible-core in a future release. Deprecation warnings can be disabled by setting deprecation_warnings=False in ansible.cfg."},
		{Deprecation{Msg: "x is gone?", Date: "2020-01-01", Version: "1", Removed: true},
			"[DEPRECATED]: x is gone? This feature was removed in a release after 2020-01-01. Please update your playbooks."},
	} {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
}

func TestParseMeta(t *testing.T) {
	for _, doc := range []string{"", "~\n", "plugin_routing: ~\n", "plugin_routing: {modules: [1]}\n"} {
		if m, err := parseMeta([]byte(doc)); err != nil || len(m.routing["modules"]) != 0 {
			t.Errorf("parseMeta(%q) = %+v, %v", doc, m, err)
		}
	}
	if _, err := parseMeta([]byte("- a\n")); err == nil {
		t.Error("a list parsed as metadata")
	}
	m, err := parseMeta([]byte(`plugin_routing:
  modules:
    a: &x {redirect: n.c.b, deprecation: {removal_version: 3, warning_text: false}}
    b: *x
    c: {tombstone: {removal_version: 1e20, warning_text: 12}}
    d: ~
    a2: {redirect: n.c.first}
    a2: {redirect: n.c.last}
`))
	if err != nil {
		t.Fatal(err)
	}
	mods := m.routing["modules"]
	if a := mods["a"]; a.redirect != "n.c.b" || a.deprecation == nil || a.deprecation.version != "3" || a.deprecation.text != "" {
		t.Errorf("a: %+v %+v", a, a.deprecation)
	}
	if b := mods["b"]; b.redirect != "n.c.b" {
		t.Errorf("alias b: %+v", b)
	}
	if c := mods["c"]; c.tombstone == nil || c.tombstone.version != "1e+20" || c.tombstone.text != "12" {
		t.Errorf("c: %+v", c.tombstone)
	}
	if d := mods["d"]; !d.empty {
		t.Errorf("d: %+v", d)
	}
	if a2 := mods["a2"]; a2.redirect != "n.c.last" {
		t.Errorf("repeated key: %+v, want the last", a2)
	}
}
