package collection

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "embed"
)

//go:embed testdata/ansible_loader.py
var loaderScript string

type nameCase struct {
	Name        string   `json:"name"`
	Collections []string `json:"collections"`
}

type loaderRequest struct {
	PlaybookDirs []string   `json:"playbook_dirs"`
	RoleDirs     []string   `json:"role_dirs"`
	Modules      []nameCase `json:"modules"`
	ModuleUtils  []string   `json:"module_utils"`
	Roles        []nameCase `json:"roles"`
	Playbooks    []string   `json:"playbooks"`
	Paths        []string   `json:"paths"`
	Out          string     `json:"out"`
}

type loaderAnswer struct {
	ModuleDirs     []string `json:"module_dirs"`
	CollectionOf   []string `json:"collection_of"`
	ModuleUtilDirs []string `json:"module_util_dirs"`
	Modules        []struct {
		Error        string   `json:"error"`
		Type         string   `json:"type"`
		Resolved     bool     `json:"resolved"`
		Path         string   `json:"path"`
		FQCN         string   `json:"fqcn"`
		Collection   string   `json:"collection"`
		ActionPlugin string   `json:"action_plugin"`
		Redirects    []string `json:"redirects"`
		Errors       []string `json:"errors"`
		Deprecations []string `json:"deprecations"`
	} `json:"modules"`
	ModuleUtils []struct {
		Error        string   `json:"error"`
		Type         string   `json:"type"`
		Found        bool     `json:"found"`
		Name         string   `json:"name"`
		Package      bool     `json:"package"`
		Redirected   bool     `json:"redirected"`
		Source       string   `json:"source"`
		Deprecations []string `json:"deprecations"`
	} `json:"module_utils"`
	Roles []struct {
		Error      string `json:"error"`
		Found      bool   `json:"found"`
		Name       string `json:"name"`
		Path       string `json:"path"`
		Collection string `json:"collection"`
	} `json:"roles"`
	Playbooks []struct {
		Error      string `json:"error"`
		Found      bool   `json:"found"`
		Path       string `json:"path"`
		Collection string `json:"collection"`
	} `json:"playbooks"`
}

// diffModules are the module names compared with ansible-core's loader:
// the installed ansible-core and Debian collections, and the fixture.
var diffModules = []nameCase{
	// ansible-core's modules by short name (command is shadowed by the
	// playbook's library/command.sh), its legacy "_include" alias.
	{Name: "ping"}, {Name: "command"}, {Name: "shell"}, {Name: "copy"}, {Name: "file"},
	{Name: "apt"}, {Name: "systemd"}, {Name: "systemd_service"}, {Name: "service"},
	{Name: "setup"}, {Name: "lineinfile"}, {Name: "user"}, {Name: "git"}, {Name: "uri"},
	{Name: "stat"}, {Name: "async_status"}, {Name: "wait_for"}, {Name: "include"},
	{Name: "ping.py"},
	// ansible.builtin and ansible.legacy.
	{Name: "ansible.builtin.ping"}, {Name: "ansible.builtin.copy"}, {Name: "ansible.builtin.yum"},
	{Name: "ansible.builtin.command"}, {Name: "ansible.builtin.pbmod"}, {Name: "ansible.builtin.nope"},
	{Name: "ansible.builtin.bigip_facts"}, {Name: "ansible.builtin.docker_container"},
	{Name: "ansible.builtin.sysctl"},
	{Name: "ansible.legacy.ping"}, {Name: "ansible.legacy.command"}, {Name: "ansible.legacy.pbmod"},
	{Name: "ansible.legacy.mount"}, {Name: "ansible.legacy.nope"},
	// Collections Debian's ansible package installs; old internal names
	// redirected with a deprecation; tombstones.
	{Name: "community.general.ufw"}, {Name: "community.general.system.ufw"},
	{Name: "community.general.npm"}, {Name: "community.general.packaging.language.npm"},
	{Name: "community.general.modprobe"}, {Name: "community.general.docker_service"},
	{Name: "community.general.ali_instance_facts"}, {Name: "community.general.nosuch"},
	{Name: "ansible.posix.mount"}, {Name: "ansible.posix.sysctl"},
	{Name: "ansible.posix.authorized_key"}, {Name: "ansible.posix.synchronize"},
	{Name: "community.mysql.mysql_user"}, {Name: "nosuch.collection.module"},
	// Short names ansible-core routes to collections; tombstoned; unknown.
	{Name: "mount"}, {Name: "sysctl"}, {Name: "authorized_key"}, {Name: "selinux"},
	{Name: "seboolean"}, {Name: "docker_container"}, {Name: "bigip_facts"},
	{Name: "nosuchmodule"}, {Name: "foo.bar"}, {Name: "Ansible_thing"},
	// The collections keyword.
	{Name: "ufw", Collections: []string{"community.general"}},
	{Name: "ping", Collections: []string{"community.general"}},
	{Name: "ping", Collections: []string{"community.general", "ansible.legacy"}},
	{Name: "mount", Collections: []string{"ansible.posix"}},
	{Name: "mount", Collections: []string{"ansible.builtin"}},
	{Name: "real", Collections: []string{"acme.tools"}},
	{Name: "pbmod", Collections: []string{"acme.tools", "ansible.legacy"}},
	{Name: "pbmod", Collections: []string{"ansible.builtin"}},
	{Name: "a", Collections: []string{"acme.nothere", "acme.shadow"}},
	{Name: "old", Collections: []string{"acme.tools"}},
	{Name: "community.general.ufw", Collections: []string{"acme.tools"}},
	{Name: "foo.bar", Collections: []string{"acme.tools"}},
	// The fixture: library/ beside the playbook and in a role,
	// ANSIBLE_LIBRARY with its subdirectories, windows last, ignored
	// extensions, hidden and too deep directories, aliases.
	{Name: "pbmod"}, {Name: "rolemod"}, {Name: "libmod"}, {Name: "libmod.py"},
	{Name: "submod"}, {Name: "deepmod"}, {Name: "too_deep"}, {Name: "hid"}, {Name: "winmod"},
	{Name: "notes"}, {Name: "conf"}, {Name: "plain"}, {Name: "multi"}, {Name: "oldmod"},
	{Name: "_oldmod"}, {Name: "linked"},
	// The fixture's collections: exact and fuzzy file names, subdirs,
	// redirects, chains, loops, tombstones, deprecations, action_plugin,
	// invalid redirects and metadata, a shadowing root.
	{Name: "local.pbcoll.thing"}, {Name: "acme.tools.real"}, {Name: "acme.tools.real2"},
	{Name: "acme.tools.exact"}, {Name: "acme.tools.sub.nested"}, {Name: "acme.tools.sub.oldnested"},
	{Name: "acme.tools.old"}, {Name: "acme.tools.chain1"}, {Name: "acme.tools.loop1"},
	{Name: "acme.tools.self"}, {Name: "acme.tools.gone"}, {Name: "acme.tools.gonedate"},
	{Name: "acme.tools.badredirect"}, {Name: "acme.tools.withaction"}, {Name: "acme.tools.dateddep"},
	{Name: "acme.tools.floatver"}, {Name: "acme.tools.tobuiltin"}, {Name: "acme.tools.tolegacy"},
	{Name: "acme.tools.toposix"}, {Name: "acme.tools.tomissing"}, {Name: "acme.tools.empty"},
	{Name: "acme.tools.real.py"}, {Name: "acme.tools.sub"},
	{Name: "acme.shadow.a"}, {Name: "acme.shadow.b"}, {Name: "acme.broken.x"},
}

var diffModuleUtils = []string{
	"ansible.module_utils.basic", "ansible.module_utils.urls",
	"ansible.module_utils.common.text.converters", "ansible.module_utils.common",
	"ansible.module_utils.six", "ansible.module_utils.six.moves",
	"ansible.module_utils.pbutil", "ansible.module_utils.roleutil", "ansible.module_utils.envutil",
	"ansible.module_utils.pkgutil_x", "ansible.module_utils.pkgutil_x.inner",
	"ansible.module_utils.nosuch", "ansible.module_utils.acme", "ansible.module_utils.f5_utils",
	"ansible.module_utils.known_hosts", "ansible.module_utils.formerly_core",
	"ansible_collections.acme.tools.plugins.module_utils.helper",
	"ansible_collections.acme.tools.plugins.module_utils.pkg",
	"ansible_collections.acme.tools.plugins.module_utils.nsdir",
	"ansible_collections.acme.tools.plugins.module_utils.nsdir.leaf",
	"ansible_collections.acme.tools.plugins.module_utils.oldhelper",
	"ansible_collections.acme.tools.plugins.module_utils.fullhelper",
	"ansible_collections.acme.tools.plugins.module_utils.gonehelper",
	"ansible_collections.acme.tools.plugins.module_utils.dephelper",
	"ansible_collections.acme.tools.plugins.module_utils.nosuch",
	"ansible_collections.acme.tools", "ansible_collections.acme.tools.plugins",
	"ansible_collections.acme.tools.plugins.module_utils",
	"ansible_collections.acme.nothere.plugins.module_utils.x",
	"ansible_collections.community.general.plugins.module_utils.version",
	"ansible_collections.ansible.posix.plugins.module_utils.mount",
	"ansible_collections.community.general.plugins.module_utils.docker.common",
}

var diffRoles = []nameCase{
	{Name: "acme.tools.myrole"}, {Name: "acme.tools.sub.subrole"},
	{Name: "myrole", Collections: []string{"acme.tools"}},
	{Name: "myrole", Collections: []string{"acme.nothere", "acme.shadow", "acme.tools"}},
	{Name: "myrole"}, {Name: "acme.tools.nosuch"}, {Name: "sub.subrole", Collections: []string{"acme.tools"}},
}

var diffPlaybooks = []string{
	"acme.tools.deploy", "acme.tools.deploy.yml", "acme.tools.sub.other", "acme.tools.nosuch",
	"acme.tools.sub.other.yml", "deploy",
}

// ansibleEnv is the environment for ansible-core in the differential test:
// the fixture's settings, a home of its own, no ansible.cfg.
func ansibleEnv(t *testing.T, dir string, cfg Config) []string {
	t.Helper()
	empty := filepath.Join(dir, "empty.cfg")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ANSIBLE_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	return append(env,
		"HOME="+cfg.Home,
		"ANSIBLE_CONFIG="+empty,
		"ANSIBLE_LOCAL_TEMP="+t.TempDir(),
		"ANSIBLE_LIBRARY="+strings.Join(cfg.Library, ":"),
		"ANSIBLE_MODULE_UTILS="+strings.Join(cfg.ModuleUtils, ":"),
		"ANSIBLE_COLLECTIONS_PATH="+strings.Join(cfg.CollectionsPaths, ":"),
	)
}

// TestAnsibleLoaderDiff compares Resolve, FindModuleUtil, FindRole and
// FindPlaybook with what ansible-core's own loaders answer for the same
// names and configuration.
func TestAnsibleLoaderDiff(t *testing.T) {
	dir, cfg := fixture(t)
	env := ansibleEnv(t, dir, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	in, err := FindAnsibleCore(ctx, FindOptions{Path: os.Getenv("PATH"), Env: env})
	if err != nil || in.Python == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and no Python imports ansible-core: %v", err)
		}
		t.Skipf("no Python imports ansible-core: %v", err)
	}
	t.Logf("ansible-core %s at %s, python %s", in.Version, in.Core, in.Python)
	cfg.AnsibleCore, cfg.SysPath = in.Core, in.SysPath
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}

	modules := slices.Clone(diffModules)
	if !testing.Short() {
		modules = append(modules, sweep(t, in)...)
	}
	outFile := filepath.Join(t.TempDir(), "answer.json")
	req, err := json.Marshal(loaderRequest{
		Out:          outFile,
		Paths:        diffPaths(dir),
		PlaybookDirs: cfg.PlaybookDirs, RoleDirs: cfg.RoleDirs,
		Modules: modules, ModuleUtils: diffModuleUtils, Roles: diffRoles, Playbooks: diffPlaybooks,
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, in.Python, "-c", loaderScript)
	cmd.Env, cmd.Dir, cmd.Stdin = env, t.TempDir(), bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ansible loader script: %v\n%s", err, stderr.String())
	}
	out, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	var ans loaderAnswer
	if err := json.Unmarshal(out, &ans); err != nil {
		t.Fatalf("ansible loader answer: %v\n%s", err, out)
	}
	if len(ans.Modules) != len(modules) || len(ans.ModuleUtils) != len(diffModuleUtils) ||
		len(ans.Roles) != len(diffRoles) || len(ans.Playbooks) != len(diffPlaybooks) {
		t.Fatalf("the loader script answered %d/%d/%d/%d cases", len(ans.Modules), len(ans.ModuleUtils), len(ans.Roles), len(ans.Playbooks))
	}

	// Ansible's glob takes subdirectories in directory order: compare sorted.
	if got, want := sorted(r.ModuleDirs()), sorted(ans.ModuleDirs); !slices.Equal(got, want) {
		t.Errorf("module dirs:\n got %q\nwant %q", got, want)
	}
	if got := r.ModuleUtilDirs(); !slices.Equal(got, ans.ModuleUtilDirs) {
		t.Errorf("module_utils dirs:\n got %q\nwant %q", got, ans.ModuleUtilDirs)
	}

	resolved := 0
	for i, c := range modules {
		a := ans.Modules[i]
		m, err := r.Resolve(c.Name, c.Collections)
		label := c.Name
		if c.Collections != nil {
			label += " " + strings.Join(c.Collections, ",")
		}
		switch {
		case a.Error != "":
			if err == nil || err.Error() != a.Error {
				t.Errorf("%s: got %+v, %v; ansible raised %s: %s", label, m, err, a.Type, a.Error)
			}
			continue
		case !a.Resolved:
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%s: got %+v, %v; ansible finds nothing", label, m, err)
				continue
			}
			var nf *NotFoundError
			if errors.As(err, &nf) && len(nf.Errors) != len(a.Errors) {
				t.Errorf("%s: errors %q; ansible's %q", label, nf.Errors, a.Errors)
			}
			continue
		}
		resolved++
		if err != nil {
			t.Errorf("%s: %v; ansible resolves %s (%s)", label, err, a.FQCN, a.Path)
			continue
		}
		var deps []string
		for _, d := range m.Deprecations {
			deps = append(deps, d.String())
		}
		if m.Path != a.Path || m.FQCN != a.FQCN || m.Collection != a.Collection || m.ActionPlugin != a.ActionPlugin ||
			!slices.Equal(m.Redirects, a.Redirects) || !slices.Equal(deps, a.Deprecations) {
			t.Errorf("%s:\n got %s %s %q action %q redirects %q deprecations %q\nwant %s %s %q action %q redirects %q deprecations %q",
				label, m.FQCN, m.Path, m.Collection, m.ActionPlugin, m.Redirects, deps,
				a.FQCN, a.Path, a.Collection, a.ActionPlugin, a.Redirects, a.Deprecations)
		}
	}
	if resolved < 40 {
		t.Errorf("ansible resolved only %d of the names: is the Debian ansible package installed?", resolved)
	}

	for i, name := range diffModuleUtils {
		a := ans.ModuleUtils[i]
		mu, err := r.FindModuleUtil(name)
		switch {
		case a.Error != "":
			if err == nil {
				t.Errorf("%s: got %+v; ansible raised %s: %s", name, mu, a.Type, a.Error)
			} else if errors.Is(err, ErrRemoved) && err.Error() != a.Error {
				t.Errorf("%s: got %v; ansible raised %s", name, err, a.Error)
			}
			continue
		case !a.Found:
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%s: got %+v, %v; ansible finds nothing", name, mu, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v; ansible finds %s", name, err, a.Name)
			continue
		}
		var deps []string
		for _, d := range mu.Deprecations {
			deps = append(deps, d.String())
		}
		if mu.Name != a.Name || mu.Package != a.Package || (mu.Redirect != "") != a.Redirected || !slices.Equal(deps, a.Deprecations) {
			t.Errorf("%s:\n got %s package %v redirect %q deprecations %q\nwant %s package %v redirected %v deprecations %q",
				name, mu.Name, mu.Package, mu.Redirect, deps, a.Name, a.Package, a.Redirected, a.Deprecations)
		}
		switch {
		case mu.Path != "":
			src, err := os.ReadFile(mu.Path)
			if err != nil || string(src) != a.Source {
				t.Errorf("%s: %s is not the source ansible found (%v)", name, mu.Path, err)
			}
		case mu.Redirect != "":
			if !strings.Contains(a.Source, "import "+mu.Redirect+" as mod") {
				t.Errorf("%s: redirect %s; ansible's shim is %q", name, mu.Redirect, a.Source)
			}
		case a.Source != "":
			t.Errorf("%s: no file; ansible's source is %q", name, a.Source)
		}
	}

	for i, p := range diffPaths(dir) {
		if got := r.CollectionOf(p); got != ans.CollectionOf[i] {
			t.Errorf("CollectionOf(%s) = %q, ansible says %q", p, got, ans.CollectionOf[i])
		}
	}

	for i, c := range diffRoles {
		a := ans.Roles[i]
		role, err := r.FindRole(c.Name, c.Collections)
		switch {
		case a.Error != "":
			t.Errorf("%s: ansible raised %s", c.Name, a.Error)
		case !a.Found:
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("role %s %v: got %+v, %v; ansible finds nothing", c.Name, c.Collections, role, err)
			}
		case err != nil || role.Path != a.Path || role.Collection != a.Collection || role.Name != a.Name:
			t.Errorf("role %s %v: got %+v, %v; want %s in %s (%s)", c.Name, c.Collections, role, err, a.Name, a.Collection, a.Path)
		}
	}
	for i, name := range diffPlaybooks {
		a := ans.Playbooks[i]
		pb, err := r.FindPlaybook(name)
		switch {
		case a.Error != "":
			t.Errorf("%s: ansible raised %s", name, a.Error)
		case !a.Found:
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("playbook %s: got %+v, %v; ansible finds nothing", name, pb, err)
			}
		case err != nil || pb.Path != a.Path || pb.Collection != a.Collection:
			t.Errorf("playbook %s: got %+v, %v; want %s in %s", name, pb, err, a.Path, a.Collection)
		}
	}
}

// sweep returns every module of the installed ansible-core by short and
// by builtin name, every name its routing knows as a short name, and every
// name the installed community.general and ansible.posix route, fully
// qualified.
func sweep(t *testing.T, in Install) []nameCase {
	t.Helper()
	var out []nameCase
	ents, err := os.ReadDir(filepath.Join(in.Core, "modules"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if base, _ := splitext(e.Name()); !e.IsDir() && base != "__init__" {
			out = append(out, nameCase{Name: base}, nameCase{Name: "ansible.builtin." + base})
		}
	}
	routed := func(path, prefix string) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Logf("sweep: %v", err)
			return
		}
		m, err := parseMeta(data)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		names := make([]string, 0, len(m.routing["modules"]))
		for name := range m.routing["modules"] {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			out = append(out, nameCase{Name: prefix + name})
		}
	}
	routed(filepath.Join(in.Core, "config", "ansible_builtin_runtime.yml"), "")
	for _, sp := range in.SysPath {
		for _, c := range []string{"community/general", "ansible/posix"} {
			if p := filepath.Join(sp, "ansible_collections", c, "meta", "runtime.yml"); exists(p) {
				routed(p, strings.ReplaceAll(c, "/", ".")+".")
			}
		}
	}
	t.Logf("sweep: %d more names", len(out))
	return out
}

// diffPaths are the paths CollectionOf is compared on.
func diffPaths(dir string) []string {
	return []string{
		filepath.Join(dir, "colls/ansible_collections/acme/tools/playbooks/deploy.yml"),
		filepath.Join(dir, "colls/ansible_collections/acme/tools"),
		filepath.Join(dir, "colls/ansible_collections/acme/shadow/roles/myrole"), // hidden by the playbook's
		filepath.Join(dir, "pb/collections/ansible_collections/acme/shadow/plugins"),
		filepath.Join(dir, "colls/ansible_collections/acme"),
		filepath.Join(dir, "colls/ansible_collections/acme/nothere/x.yml"),
		filepath.Join(dir, "pb/site.yml"),
		"/usr/lib/python3/dist-packages/ansible_collections/community/general/plugins/modules/ufw.py",
		filepath.Join(dir, "colls/ansible_collections/acme/tools/ansible_collections/x/y"),
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
