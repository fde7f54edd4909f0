package payload

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/collection"
)

//go:embed testdata/recursive_finder.py
var recursiveFinderScript string

// install is the ansible-core of this machine, looked up once.
var install struct {
	once   sync.Once
	python string
	info   finderAnswer
	tried  []string
	err    error
}

// installed returns a Python that imports ansible-core (the one
// ansible-playbook runs with, else /usr/bin/python3 or python3) and what
// that ansible-core reports: its directory, module_utils directories and
// collection roots. Without one the test is skipped, unless CI is set.
func installed(t *testing.T) (string, finderAnswer) {
	t.Helper()
	install.once.Do(func() {
		var cands []string
		if p, err := exec.LookPath("ansible-playbook"); err == nil {
			if b, err := os.ReadFile(p); err == nil {
				first, _, _ := bytes.Cut(b, []byte("\n"))
				if f := strings.Fields(strings.TrimPrefix(string(first), "#!")); len(f) > 0 {
					if filepath.Base(f[0]) == "env" && len(f) > 1 {
						f = f[1:]
					}
					cands = append(cands, f[0])
				}
			}
		}
		install.tried = append(cands, "/usr/bin/python3", "python3")
		for _, c := range install.tried {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			cmd := exec.CommandContext(ctx, c, "-c", "import ansible.executor.module_common")
			cmd.Dir = os.TempDir()
			err := cmd.Run()
			cancel()
			if err == nil {
				install.python = c
				break
			}
		}
		if install.python == "" {
			return
		}
		wait, err := askAnsible(install.python, nil)
		if err == nil {
			install.info, err = wait()
		}
		install.err = err
	})
	switch {
	case install.err != nil:
		t.Fatal(install.err)
	case install.python == "" && os.Getenv("CI") != "":
		t.Fatalf("no Python imports ansible-core (tried %v) and CI is set", install.tried)
	case install.python == "":
		t.Skipf("no Python imports ansible-core (tried %v)", install.tried)
	}
	return install.python, install.info
}

type finderAnswer struct {
	Ansible          string   `json:"ansible"`
	ModuleUtilsPaths []string `json:"module_utils_paths"`
	CollectionPaths  []string `json:"collection_paths"`
	Results          []struct {
		FQN     string   `json:"fqn"`
		Style   Style    `json:"style"`
		Members []string `json:"members"`
		Error   string   `json:"error"`
	} `json:"results"`
}

// askAnsible starts the script over modules; wait returns its answer.
func askAnsible(python string, modules []string) (wait func() (finderAnswer, error), err error) {
	dir, err := os.MkdirTemp("", "payload-test-")
	if err != nil {
		return nil, err
	}
	out := filepath.Join(dir, "out.json")
	script := filepath.Join(dir, "recursive_finder.py")
	if modules == nil {
		modules = []string{}
	}
	req, err := json.Marshal(map[string]any{"modules": modules, "out": out})
	if err == nil {
		err = os.WriteFile(script, []byte(recursiveFinderScript), 0o600)
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	cmd := exec.CommandContext(ctx, python, script)
	cmd.Dir = dir // not the source tree: '' is on sys.path
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return func() (finderAnswer, error) {
		defer cancel()
		defer os.RemoveAll(dir)
		if err := cmd.Wait(); err != nil {
			return finderAnswer{}, fmt.Errorf("recursive_finder.py: %w\n%s", err, stderr.String())
		}
		b, err := os.ReadFile(out)
		if err != nil {
			return finderAnswer{}, err
		}
		var a finderAnswer
		if err := json.Unmarshal(b, &a); err != nil {
			return finderAnswer{}, err
		}
		if len(a.Results) != len(modules) {
			return finderAnswer{}, fmt.Errorf("recursive_finder.py answered %d modules of %d", len(a.Results), len(modules))
		}
		return a, nil
	}, nil
}

// installedModules returns the module files of ansible-core (dir: its
// ansible package) and of every collection in roots (the first root
// holding a collection wins), by collection ("ansible.builtin" for
// ansible-core's), each list sorted.
func installedModules(t *testing.T, dir string, roots []string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	walk := func(coll, d string) {
		err := filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.Type().IsRegular() && strings.HasSuffix(p, ".py") && e.Name() != "__init__.py" {
				out[coll] = append(out[coll], p)
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		slices.Sort(out[coll])
	}
	walk("ansible.builtin", filepath.Join(dir, "modules"))
	seen := map[string]bool{}
	for _, r := range roots {
		nss, _ := os.ReadDir(filepath.Join(r, "ansible_collections"))
		for _, ns := range nss {
			colls, _ := os.ReadDir(filepath.Join(r, "ansible_collections", ns.Name()))
			for _, c := range colls {
				name := ns.Name() + "." + c.Name()
				if !c.IsDir() || seen[name] {
					continue
				}
				seen[name] = true
				walk(name, filepath.Join(r, "ansible_collections", ns.Name(), c.Name(), "plugins", "modules"))
			}
		}
	}
	return out
}

// defaultEvery is the sample step per collection of a CI run. Measured on
// the 2-core CI machine (ansible-core 2.14.18, Debian's ansible 7.7.0): all
// 7,732 module files (6,752 new-style) take 11 min, almost all of it
// Ansible's side; every 15th, 629 files (537 new-style), 34 s at load
// average ~5 with one Finder, 113 s at load ~20 with both Finders, within
// the 2 min budget.
const defaultEvery = 15

// TestMembersMatchAnsible is the must-show of issue 12: for every
// new-style module installed (ansible-core's and every collection's), the
// member list of the zip Build makes equals the one ansible-core's own
// recursive_finder and _add_module_to_zip give, with the tests' Finder and
// with ResolverFinder over a collection.Resolver configured as that
// ansible-core reports; Detect and FQN agree with Ansible's style detection
// and module FQN for every file compared. By
// default it compares all of ansible-core's modules and every
// defaultEvery-th module of each collection (sorted by path, the first
// one always); JETPLAY_PAYLOAD_ALL=1 compares all of them and
// JETPLAY_PAYLOAD_EVERY=N sets the step. -short compares ansible-core's
// only.
func TestMembersMatchAnsible(t *testing.T) {
	python, info := installed(t)
	byColl := installedModules(t, info.Ansible, info.CollectionPaths)
	every := defaultEvery
	if v := os.Getenv("JETPLAY_PAYLOAD_EVERY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("JETPLAY_PAYLOAD_EVERY=%q: want a number above 0", v)
		}
		every = n
	}
	if os.Getenv("JETPLAY_PAYLOAD_ALL") != "" {
		every = 1
	}
	var modules []string
	colls := 0
	for _, c := range slices.Sorted(func(yield func(string) bool) {
		for k := range byColl {
			if !yield(k) {
				return
			}
		}
	}) {
		if c != "ansible.builtin" && testing.Short() {
			continue
		}
		step := every
		if c == "ansible.builtin" {
			step = 1
		}
		for i, p := range byColl[c] {
			if i%step == 0 {
				modules = append(modules, p)
			}
		}
		colls++
	}
	if len(byColl["ansible.builtin"]) < 40 {
		t.Fatalf("found %d ansible-core modules under %s, want 40 or more", len(byColl["ansible.builtin"]), info.Ansible)
	}

	start := time.Now()
	wait, err := askAnsible(python, modules)
	if err != nil {
		t.Fatal(err)
	}

	var muDirs, roots []fs.FS
	for _, d := range info.ModuleUtilsPaths {
		muDirs = append(muDirs, os.DirFS(d))
	}
	for _, r := range info.CollectionPaths {
		roots = append(roots, os.DirFS(r))
	}
	// The same configuration through the collection package's Resolver.
	res, err := collection.New(collection.Config{AnsibleCore: info.Ansible, ModuleUtils: info.ModuleUtilsPaths,
		CollectionsPaths: info.CollectionPaths, NoScanSysPath: true})
	if err != nil {
		t.Fatal(err)
	}
	finders := []struct {
		name   string
		finder Finder
	}{
		{"the tests' Finder", newDirFinder(muDirs, roots, os.DirFS(info.Ansible))},
		{"ResolverFinder", ResolverFinder(res)},
	}
	ours := make([][]built, len(finders))
	took := make([]time.Duration, len(finders))
	for i, f := range finders {
		t0 := time.Now()
		ours[i] = buildAll(t, f.finder, modules, filepath.Dir(info.Ansible))
		took[i] = time.Since(t0)
	}
	goTime := time.Since(start)
	ans, err := wait()
	if err != nil {
		t.Fatal(err)
	}
	total := time.Since(start)

	for i, f := range finders {
		compared, bad := compareWithAnsible(t, f.name, modules, ans, ours[i])
		if compared == 0 {
			t.Fatal("no new-style module compared")
		}
		t.Logf("%s: %d module files of ansible-core and %d collections (all of ansible-core's, every %d-th of each collection's), %d new-style compared, %d differences; built in %v",
			f.name, len(modules), colls-1, every, compared, bad, took[i].Round(time.Millisecond))
	}
	t.Logf("Go built in %v, Ansible done after %v", goTime.Round(time.Millisecond), total.Round(time.Millisecond))
}

// built is what Build made of one module file.
type built struct {
	style   Style
	fqn     string
	members []string
	err     error
}

// buildAll builds each module file with one Builder over finder.
func buildAll(t *testing.T, finder Finder, modules []string, sitePackages string) []built {
	t.Helper()
	b, err := New(Config{Finder: finder})
	if err != nil {
		t.Fatal(err)
	}
	ours := make([]built, len(modules))
	for i, p := range modules {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(p), ".py")
		ours[i].style = Detect(src)
		ours[i].fqn = FQN(p, sitePackages, name)
		if ours[i].style != StylePython {
			continue
		}
		pl, err := b.Build(context.Background(), Module{Name: name, FQN: ours[i].fqn, Source: src})
		if err != nil {
			ours[i].err = err
			continue
		}
		names, err := zipNames(pl.Data)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		slices.Sort(names)
		ours[i].members = names
	}
	return ours
}

// compareWithAnsible reports every module whose style, FQN, success or
// members differ from Ansible's (the first 20 in full).
func compareWithAnsible(t *testing.T, finder string, modules []string, ans finderAnswer, ours []built) (compared, bad int) {
	t.Helper()
	fail := func(format string, args ...any) {
		bad++
		if bad <= 20 {
			t.Errorf(finder+": "+format, args...)
		}
	}
	for i, p := range modules {
		a, o := ans.Results[i], ours[i]
		if a.Style != o.style {
			fail("%s: style %s, Ansible's %s", p, o.style, a.Style)
			continue
		}
		if a.Style != StylePython {
			continue
		}
		compared++
		if o.fqn != a.FQN {
			fail("%s: FQN %s, Ansible's %s", p, o.fqn, a.FQN)
			continue
		}
		switch {
		case a.Error != "" && o.err == nil:
			fail("%s: built, Ansible fails: %s", p, a.Error)
		case a.Error == "" && o.err != nil:
			fail("%s: %v; Ansible builds it", p, o.err)
		case a.Error == "":
			want := slices.Sorted(slices.Values(a.Members))
			if !slices.Equal(o.members, want) {
				fail("%s: members differ\n  only ours:    %v\n  only Ansible: %v", p, minus(o.members, want), minus(want, o.members))
			}
		}
	}
	if bad > 20 {
		t.Errorf("%s: ... %d differences in all", finder, bad)
	}
	return compared, bad
}
