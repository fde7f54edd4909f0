package collection

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Install is an ansible-core installation.
type Install struct {
	// Core is the ansible package directory, e.g.
	// /usr/lib/python3/dist-packages/ansible (Config.AnsibleCore).
	Core string
	// Version is ansible-core's version from its release.py, e.g. 2.14.18.
	Version string
	// SysPath is sys.path of the Python that imports it, without the empty
	// entry (Config.SysPath). Found without Python, it is the directory
	// holding Core.
	SysPath []string
	// Python is the interpreter that imports it, "" if found without one.
	Python string
}

// FindOptions says where FindAnsibleCore looks.
type FindOptions struct {
	// Path is the PATH value the interpreters and ansible-playbook are
	// looked up in. Default none: only absolute Pythons are asked.
	Path string
	// Env is the environment of the Python processes asked (PYTHONPATH,
	// PYTHONUSERBASE and HOME change their sys.path). Default empty.
	Env []string
	// Pythons are the interpreters asked after the one ansible-playbook's
	// "#!" line names, in order: names looked up in Path, or absolute
	// paths. Default python3, python, /usr/bin/python3.
	Pythons []string
	// Dirs are the site directories looked in when no Python imports
	// ansible-core: each may hold ansible/ and ansible_collections/; shell
	// patterns are expanded. Default DefaultSiteDirs with Home.
	Dirs []string
	// Home is the user's home directory, for ~/.local in the default Dirs.
	Home string
	// Timeout bounds each Python asked. Default 10s.
	Timeout time.Duration
}

// DefaultSiteDirs are the site directories FindAnsibleCore looks in without
// Python, "~" standing for FindOptions.Home.
var DefaultSiteDirs = []string{
	"/usr/lib/python3/dist-packages",
	"/usr/local/lib/python3*/dist-packages",
	"/usr/local/lib/python3*/site-packages",
	"/usr/lib/python3*/site-packages",
	"/usr/lib64/python3*/site-packages",
	"~/.local/lib/python3*/site-packages",
}

// pySpec is what the probe prints.
type pySpec struct {
	Path    []string `json:"path"`
	Ansible string   `json:"ansible"`
}

// probe finds ansible's package without importing it (find_spec of a top
// level package does not run its code) and prints sys.path.
const probe = `import importlib.util, json, sys
s = importlib.util.find_spec("ansible")
print(json.dumps({"path": sys.path, "ansible": (s.origin or "") if s else ""}))
`

// FindAnsibleCore finds ansible-core where Python would import it from: it
// asks the interpreter that ansible-playbook's "#!" line names (when
// ansible-playbook is in opts.Path), then opts.Pythons, for the location
// of the ansible package and for sys.path, and takes the first that has an
// ansible-core (a package with release.py and modules/). If no Python has
// one, it looks in opts.Dirs. The caller may skip it and set
// Config.AnsibleCore itself (a flag or an environment variable); ReadInstall
// checks such a directory. It returns an error wrapping ErrNoAnsibleCore
// when nothing is found, or ctx's error.
func FindAnsibleCore(ctx context.Context, opts FindOptions) (Install, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	pythons := opts.Pythons
	if pythons == nil {
		pythons = []string{"python3", "python", "/usr/bin/python3"}
	}
	var tried []string
	if ap := lookPath("ansible-playbook", opts.Path); ap != "" {
		if py := shebangPython(ap, opts.Path); py != "" {
			pythons = append([]string{py}, pythons...)
		}
	}
	seen := map[string]bool{}
	for _, py := range pythons {
		exe := lookPath(py, opts.Path)
		if exe == "" || seen[exe] {
			continue
		}
		seen[exe] = true
		tried = append(tried, exe)
		spec, err := askPython(ctx, exe, opts)
		if err != nil {
			if ctx.Err() != nil {
				return Install{}, ctx.Err()
			}
			continue
		}
		if spec.Ansible == "" || filepath.Base(spec.Ansible) != "__init__.py" {
			continue
		}
		in, err := ReadInstall(filepath.Dir(spec.Ansible))
		if err != nil {
			continue
		}
		in.Python = exe
		in.SysPath = slices.DeleteFunc(spec.Path, func(p string) bool { return p == "" })
		return in, nil
	}
	dirs := opts.Dirs
	if dirs == nil {
		dirs = DefaultSiteDirs
	}
	for _, pat := range dirs {
		if opts.Home != "" && strings.HasPrefix(pat, "~/") {
			pat = filepath.Join(opts.Home, pat[2:])
		}
		matches, _ := filepath.Glob(pat)
		slices.Sort(matches)
		for _, d := range matches {
			if in, err := ReadInstall(filepath.Join(d, "ansible")); err == nil {
				in.SysPath = []string{d}
				return in, nil
			}
		}
	}
	if len(tried) > 0 {
		return Install{}, fmt.Errorf("no Python imports ansible (asked %s): %w", strings.Join(tried, ", "), ErrNoAnsibleCore)
	}
	return Install{}, fmt.Errorf("no Python found: %w", ErrNoAnsibleCore)
}

var versionRE = regexp.MustCompile(`(?m)^__version__\s*=\s*['"]([^'"]+)['"]`)

// ReadInstall checks that dir is an ansible-core package directory (it has
// release.py and modules/) and reads its version. SysPath and Python are
// left empty. Errors wrap ErrNoAnsibleCore.
func ReadInstall(dir string) (Install, error) {
	data, err := os.ReadFile(filepath.Join(dir, "release.py"))
	if err != nil {
		return Install{}, fmt.Errorf("read %s: %w", dir, ErrNoAnsibleCore)
	}
	if !isDir(filepath.Join(dir, "modules")) {
		return Install{}, fmt.Errorf("%s has no modules/: %w", dir, ErrNoAnsibleCore)
	}
	in := Install{Core: filepath.Clean(dir)}
	if m := versionRE.FindSubmatch(data); m != nil {
		in.Version = string(m[1])
	}
	return in, nil
}

func askPython(ctx context.Context, exe string, opts FindOptions) (pySpec, error) {
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-c", probe)
	cmd.Env = opts.Env
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	cmd.Dir = "/"
	out, err := cmd.Output()
	if err != nil {
		return pySpec{}, fmt.Errorf("run %s: %w", exe, err)
	}
	var s pySpec
	if err := json.Unmarshal(bytes.TrimSpace(out), &s); err != nil {
		return pySpec{}, fmt.Errorf("read %s's answer: %w", exe, err)
	}
	return s, nil
}

// lookPath finds name in the PATH value path ("" if not found); a name with
// a slash is taken as it is if it is an executable file.
func lookPath(name, path string) string {
	if strings.Contains(name, "/") {
		if isExecutable(name) {
			return name
		}
		return ""
	}
	for _, d := range filepath.SplitList(path) {
		if d == "" {
			continue
		}
		if p := filepath.Join(d, name); isExecutable(p) {
			return p
		}
	}
	return ""
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0
}

// shebangPython returns the interpreter a script's "#!" line names, looked
// up in path for "#!/usr/bin/env python3"; "" if none.
func shebangPython(script, path string) string {
	f, err := os.Open(script)
	if err != nil {
		return ""
	}
	defer func() { _ = f.Close() }()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && line == "" {
		return ""
	}
	rest, ok := strings.CutPrefix(line, "#!")
	if !ok {
		return ""
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return ""
	}
	if filepath.Base(fields[0]) == "env" {
		for _, f := range fields[1:] {
			if !strings.HasPrefix(f, "-") && !strings.Contains(f, "=") {
				return lookPath(f, path)
			}
		}
		return ""
	}
	if !strings.Contains(filepath.Base(fields[0]), "python") {
		return ""
	}
	return fields[0]
}
