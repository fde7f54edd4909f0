package difftest

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jetplay/jetplay/internal/module"
	"github.com/jetplay/jetplay/internal/render"
)

// The feature tables of docs/compatibility.md: one row per name under a
// "### <kind>" heading, "| `name` | status | notes |".
const compatDoc = "docs/compatibility.md"

// The statuses a row may have.
const (
	statusSame        = "same"
	statusDiffers     = "differs"
	statusUnsupported = "not supported"
)

// compatRow is one row of a feature table.
type compatRow struct {
	status string
	line   int
}

// compatTables reads the feature tables: heading → name → row. A row of
// options ("| `-i`, `--inventory` | ...") is keyed by each of its names.
func compatTables(t *testing.T, path string) map[string]map[string]compatRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tables := map[string]map[string]compatRow{}
	var cur map[string]compatRow
	nameRE := regexp.MustCompile("`([^`]+)`")
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if h, ok := strings.CutPrefix(line, "### "); ok {
			cur = map[string]compatRow{}
			tables[h] = cur
			continue
		}
		if strings.HasPrefix(line, "## ") {
			cur = nil
		}
		if cur == nil || !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(line, "|")
		if len(cells) < 4 {
			t.Errorf("%s:%d: want | name | status | notes |: %s", path, n, line)
			continue
		}
		status := strings.TrimSpace(cells[2])
		if status != statusSame && status != statusDiffers && status != statusUnsupported {
			t.Errorf("%s:%d: status %q is not %q, %q or %q", path, n, status, statusSame, statusDiffers, statusUnsupported)
		}
		for _, m := range nameRE.FindAllStringSubmatch(cells[1], -1) {
			if prev, dup := cur[m[1]]; dup {
				t.Errorf("%s:%d: %s is listed again (first at line %d)", path, n, m[1], prev.line)
			}
			cur[m[1]] = compatRow{status: status, line: n}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return tables
}

// TestCompatibilityTables keeps the feature tables true: a filter, test or
// module is "not supported" exactly when jetplay lacks it, and every module
// jetplay has is listed. When Ansible is installed, every ansible.builtin
// filter, test, lookup and module, every keyword of its playbook classes and
// every ansible-playbook option must be listed too.
func TestCompatibilityTables(t *testing.T) {
	root := moduleRoot(t)
	path := filepath.Join(root, compatDoc)
	tables := compatTables(t, path)
	table := func(name string) map[string]compatRow {
		tb, ok := tables[name]
		if !ok || len(tb) == 0 {
			t.Fatalf("%s: no table under \"### %s\"", path, name)
		}
		return tb
	}

	e := render.New()
	for kind, has := range map[string]func(string) bool{"Filters": e.HasFilter, "Tests": e.HasTest} {
		for name, r := range table(kind) {
			if supported := r.status != statusUnsupported; supported != has(name) {
				t.Errorf("%s:%d: %s %s is %q in the table, but jetplay has it: %v", path, r.line, kind, name, r.status, has(name))
			}
		}
	}
	modules := table("Modules")
	for name, r := range modules {
		if _, has := module.Lookup(name); has != (r.status != statusUnsupported) && !playbookLevel[name] {
			t.Errorf("%s:%d: module %s is %q in the table, but jetplay has it: %v", path, r.line, name, r.status, has)
		}
	}
	for _, name := range module.Names() {
		if _, ok := modules[name]; !ok {
			t.Errorf("%s: module %s is missing from the Modules table", path, name)
		}
	}

	if _, err := exec.LookPath("ansible-doc"); err != nil {
		t.Logf("ansible-doc not installed: Ansible's own lists are not checked (%v)", err)
		return
	}
	for kind, plugin := range map[string]string{"Filters": "filter", "Tests": "test", "Lookups": "lookup", "Modules": "module"} {
		tb := table(kind)
		for _, name := range ansibleDocList(t, plugin) {
			if _, ok := tb[name]; !ok {
				t.Errorf("%s: ansible.builtin %s %s is missing from the %s table", path, plugin, name, kind)
			}
		}
	}
	py := ansiblePython(t)
	for kind, class := range map[string]string{
		"Play keywords": "ansible.playbook.play:Play", "Block keywords": "ansible.playbook.block:Block",
		"Task keywords": "ansible.playbook.task:Task", "Role keywords": "ansible.playbook.role:Role",
	} {
		mod, cls, _ := strings.Cut(class, ":")
		out, err := exec.Command(py, "-c", "import "+mod+" as m\nfor k, v in sorted(m."+cls+
			".fattributes.items()):\n    if not getattr(v, 'private', False): print(k)").Output()
		if err != nil {
			t.Fatalf("%s keywords from %s: %v", kind, py, err)
		}
		tb := table(kind)
		for _, name := range strings.Fields(string(out)) {
			if _, ok := tb[name]; !ok {
				t.Errorf("%s: %s %s is missing from the %s table", path, strings.TrimSuffix(kind, "s"), name, kind)
			}
		}
	}
	help, err := exec.Command("ansible-playbook", "--help").Output()
	if err != nil {
		t.Fatalf("ansible-playbook --help: %v", err)
	}
	opts := table("ansible-playbook options")
	for _, name := range regexp.MustCompile(`(?m)^\s{2}(--?[\w-]+)`).FindAllStringSubmatch(string(help), -1) {
		if _, ok := opts[name[1]]; !ok {
			t.Errorf("%s: ansible-playbook option %s is missing from the ansible-playbook options table", path, name[1])
		}
	}
}

// playbookLevel are the modules that the playbook loader handles itself
// (they are not in the module registry).
var playbookLevel = map[string]bool{"import_playbook": true, "import_role": true, "include_role": true, "include": true}

// ansibleDocList returns the short names of ansible.builtin plugins of a type.
func ansibleDocList(t *testing.T, plugin string) []string {
	t.Helper()
	out, err := exec.Command("ansible-doc", "-l", "-t", plugin, "ansible.builtin").Output()
	if err != nil {
		t.Fatalf("ansible-doc -l -t %s: %v", plugin, err)
	}
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], "ansible.builtin.") {
			continue
		}
		names = append(names, strings.TrimPrefix(f[0], "ansible.builtin."))
	}
	if len(names) == 0 {
		t.Fatalf("ansible-doc -l -t %s listed no ansible.builtin plugin", plugin)
	}
	return slices.Compact(names)
}

// ansiblePython returns the interpreter of ansible-playbook's #! line,
// which can import the ansible package.
func ansiblePython(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("ansible-playbook")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(strings.TrimPrefix(first, "#!"))
	if len(f) == 0 {
		t.Fatalf("%s has no #! line", p)
	}
	if filepath.Base(f[0]) == "env" && len(f) > 1 {
		return f[1]
	}
	return f[0]
}
