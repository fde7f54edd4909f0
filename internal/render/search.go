package render

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// searchFile finds a relative file name as Ansible's lookups do, in the
// directories of the ansible_search_path variable (the role's path, the
// task's directory, the playbook's directory): <dir>/<sub>/name, then
// <dir>/name. Without that variable, or when nothing is found, name is
// returned as it is.
func searchFile(e *exec.Evaluator, sub, name string) string {
	if name == "" || filepath.IsAbs(name) || strings.HasPrefix(name, "~") {
		return name
	}
	v, ok := e.Environment.Context.Get("ansible_search_path")
	if !ok {
		return name
	}
	dirs, _ := native(v).([]any)
	for _, d := range dirs {
		dir, ok := d.(string)
		if !ok {
			continue
		}
		var cands []string
		if first, _, _ := strings.Cut(name, "/"); first != sub {
			cands = append(cands, filepath.Join(dir, sub, name))
		}
		for _, p := range append(cands, filepath.Join(dir, name)) {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	return name
}
