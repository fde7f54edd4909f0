package module

import (
	"fmt"
	"strconv"
	"strings"
)

// pathInfoSh is a shell function that prints what Ansible's add_path_info
// reports about "$1": one line "absent", or "<state> <uid> <gid> <owner>
// <group> <octal mode> <size> <links>" where state is link, directory or
// file (lstat, as Ansible). It needs stat(1) with -c (GNU coreutils or
// busybox).
const pathInfoSh = `pathinfo() {
	if [ -h "$1" ]; then t=link; elif [ -d "$1" ]; then t=directory; elif [ -e "$1" ]; then t=file; else echo absent; return 0; fi
	printf '%s ' "$t"; stat -c '%u %g %U %G %a %s %h' -- "$1"
}
`

// parsePathInfo turns a pathinfo line into result keys. ok is false when
// the line is not one pathinfo prints.
func parsePathInfo(line string) (info map[string]any, ok bool) {
	f := strings.Fields(line)
	if len(f) == 1 && f[0] == "absent" {
		return map[string]any{"state": "absent"}, true
	}
	if len(f) != 8 {
		return nil, false
	}
	uid, err1 := strconv.Atoi(f[1])
	gid, err2 := strconv.Atoi(f[2])
	mode, err3 := strconv.ParseUint(f[5], 8, 32)
	size, err4 := strconv.ParseInt(f[6], 10, 64)
	links, err5 := strconv.Atoi(f[7])
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || err5 != nil {
		return nil, false
	}
	state := f[0]
	if state == "file" && links > 1 {
		state = "hard"
	}
	return map[string]any{"state": state, "uid": uid, "gid": gid, "owner": f[3], "group": f[4],
		"mode": fmt.Sprintf("0%03o", mode), "size": size}, true
}

// addPathInfo merges a pathinfo line into res, as Ansible's exit_json does
// for results with a path.
func addPathInfo(res map[string]any, line string) {
	if info, ok := parsePathInfo(line); ok {
		for k, v := range info {
			res[k] = v
		}
	}
}
