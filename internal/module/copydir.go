package module

import (
	"context"
	"fmt"
	"maps"
	"path"
	"strings"
)

// copyDirScript makes the directories of a recursive copy: $1 the
// directory mode ("" leaves the default), $2 check (1: only report); the
// rest are directories, parents first. A directory that is missing is
// created and given the mode; one marked with a leading "+" (a sub
// directory of the source) is given the mode even when it exists, as
// Ansible's copy action runs the file module on each. It prints
// "changed 0|1".
const copyDirScript = scriptPrelude + modeSh + `mode=$1 check=$2 changed=0; shift 2
for d; do
	sub=0
	case $d in +*) d=${d#+}; sub=1 ;; esac
	if [ ! -d "$d" ]; then
		[ -e "$d" ] && fail "$d exists and is not a directory"
		changed=1
		[ "$check" = 1 ] && continue
		mkdir -- "$d" || fail "cannot create the directory $d"
		applymode "$mode" "$d"
	elif [ "$sub" = 1 ] && [ "$check" != 1 ]; then
		applymode "$mode" "$d"
	fi
done
say changed $changed
`

// copyDir wraps run (copy, or its check or diff mode) into the copy of a
// controller-side directory, as Ansible's copy action does it: the play
// engine walked the source into _dir_files (each {path, b64}, path
// relative to dest), _dir_dirs and _src_path. dest is a directory (a "/"
// is added); the directories that are missing are made with
// directory_mode, then each file is copied with run. The result is the
// file's when the source holds exactly one file, else changed, dest and
// src (the source's absolute path), as Ansible's; the first failure ends
// the copy with its result.
func copyDir(run moduleFunc) moduleFunc {
	return func(ctx context.Context, h *host, p map[string]any) (map[string]any, error) {
		dest := pstr(p, "dest")
		if !strings.HasSuffix(dest, "/") {
			dest += "/"
		}
		files, _ := p["_dir_files"].([]any)
		subs, _ := p["_dir_dirs"].([]any)

		// The directories, parents first: dest and its missing parents,
		// those of the files, then the source's own.
		var dirs []string
		added := map[string]bool{}
		var add func(d string, mark bool)
		add = func(d string, mark bool) {
			d = strings.TrimSuffix(d, "/")
			if d == "" || d == "." || d == "/" {
				return
			}
			key := d
			if mark {
				key = "+" + d
			}
			if added[key] {
				return
			}
			add(path.Dir(d), false)
			added[key] = true
			dirs = append(dirs, key)
		}
		add(dest, false)
		for _, f := range files {
			m, _ := f.(map[string]any)
			if rel := pstr(m, "path"); strings.Contains(rel, "/") {
				add(dest+path.Dir(rel), false)
			}
		}
		for _, d := range subs {
			add(dest+fmt.Sprint(d), true)
		}
		check := "0"
		if h.opt.Check {
			check = "1"
		}
		rep, _, bad, err := h.runReport(ctx, "copy", "changed", copyDirScript, append([]string{modeArg(p["directory_mode"]), check}, dirs...)...)
		if bad != nil || err != nil {
			return bad, err
		}
		changed := rep.kv["changed"] == "1"

		var last map[string]any
		for _, f := range files {
			m, _ := f.(map[string]any)
			fp := maps.Clone(p)
			for _, k := range []string{"_dir_files", "_dir_dirs", "_src_path", "directory_mode"} {
				delete(fp, k)
			}
			rel := pstr(m, "path")
			fp["dest"], fp["_content_b64"], fp["_original_basename"] = dest+rel, pstr(m, "b64"), path.Base(rel)
			out, err := run(ctx, h, fp)
			if err != nil {
				return nil, err
			}
			if truthy(out["failed"]) {
				return out, nil
			}
			changed = changed || truthy(out["changed"])
			last = out
		}
		if len(files) == 1 {
			if _, ok := last["dest"]; !ok && last["path"] != nil {
				last["dest"] = last["path"]
			}
			return last, nil
		}
		return map[string]any{"changed": changed, "dest": dest, "src": pstr(p, "_src_path")}, nil
	}
}
