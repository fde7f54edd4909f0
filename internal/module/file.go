package module

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// fileScript is the file module: $1 path, $2 state ("" = keep the current
// kind, file when absent), $3 mode, $4 src (link, hard), $5 force (1/0). It
// prints "changed 0|1", "prev <state before>", for a removed directory its
// content in walk order ("wd <dir>", "wf <file>", as find lists them), for a
// link whose target changed "old_src <target>", for touch "times_before" and
// "times_after" (atime mtime), and "info <pathinfo>".
const fileScript = scriptPrelude + modeSh + `p=$1 st=$2 mode=$3 src=$4 force=$5 changed=0
# pathfail and linkfail fail with path (linkfail: dest and src) in the
# result, and the path's info when it exists, as Ansible's fail_json.
pathfail() {
	say with_path 1
	if [ -e "$p" ] || [ -h "$p" ]; then printf 'info '; pathinfo "$p"; fi
	fail "$1"
}
linkfail() {
	say with_link 1
	if [ -e "$p" ] || [ -h "$p" ]; then printf 'info '; pathinfo "$p"; fi
	fail "$1"
}
if [ -h "$p" ]; then cur=link; elif [ -d "$p" ]; then cur=directory
elif [ -e "$p" ]; then if [ "$(stat -c %h -- "$p")" -gt 1 ]; then cur=hard; else cur=file; fi
else cur=absent; fi
if [ -z "$st" ]; then if [ "$cur" = absent ]; then st=file; else st=$cur; fi; fi
say prev $cur
if [ -n "$src" ] && [ "$st" != link ] && [ "$st" != hard ]; then pathfail "src option requires state to be 'link' or 'hard'"; fi
case $st in
absent)
	if [ "$cur" = directory ]; then
		find "$p" -mindepth 1 2>/dev/null | while IFS= read -r f; do
			if [ -d "$f" ]; then say wd "$f"; else say wf "$f"; fi
		done
	fi
	if [ "$cur" != absent ]; then rm -rf -- "$p" || fail "rmtree failed: $p"; changed=1; fi ;;
directory)
	case $cur in
	absent) mkdir -p -- "$p" || fail "There was an issue creating $p as requested"; changed=1 ;;
	directory|link) [ -d "$p" ] || fail "$p already exists as a $cur" ;;
	*) fail "$p already exists as a $cur" ;;
	esac
	applymode "$mode" "$p" ;;
file)
	[ "$cur" != absent ] || { say absent 1; fail "file ($p) is absent, cannot continue"; }
	[ "$cur" != directory ] || fail "file ($p) is directory, cannot continue"
	applymode "$mode" "$p" ;;
link)
	if [ -z "$src" ] && [ "$cur" = link ] && [ -e "$p" ]; then src=$(readlink -- "$p"); fi
	case $src in
	/*) abs=$src ;;
	*) if [ "$cur" = directory ]; then abs=$p/$src; else abs=${p%/*}/$src; fi ;;
	esac
	if [ "$force" != 1 ] && [ -n "$src" ] && [ ! -e "$abs" ]; then
		say with_src 1; pathfail "src file does not exist, use \"force=yes\" if you really want to create the link: $abs"
	fi
	case $cur in
	directory)
		[ "$force" = 1 ] || pathfail "refusing to convert from directory to symlink for $p"
		[ -z "$(ls -A -- "$p")" ] || pathfail "the directory $p is not empty, refusing to convert it" ;;
	file|hard) [ "$force" = 1 ] || pathfail "refusing to convert from $cur to symlink for $p" ;;
	esac
	if [ "$cur" = link ]; then
		old=$(readlink -- "$p")
		if [ -n "$src" ] && [ "$old" != "$src" ]; then say old_src "$old"; changed=1; fi
	else
		[ -n "$src" ] || fail "src is required for creating new symlinks"
		changed=1
	fi
	if [ "$changed" = 1 ]; then
		case $cur in
		directory) rmdir -- "$p" || fail "Error while replacing: cannot remove $p" ;;
		file|hard|link) rm -f -- "$p" || fail "Error while replacing: cannot remove $p" ;;
		esac
		ln -s -- "$src" "$p" || fail "Error while linking: cannot link $p to $src"
	fi
	# The mode applies to the link's target, when there is one.
	[ ! -e "$p" ] || applymode "$mode" "$p" ;;
hard)
	[ "$cur" = hard ] || [ -n "$src" ] || fail "src is required for creating new hardlinks"
	[ -z "$src" ] || [ -e "$src" ] || linkfail "src does not exist"
	# Python's os.link and os.stat follow a symlink src.
	hsrc=$src; [ ! -h "$hsrc" ] || hsrc=$(readlink -f -- "$src")
	case $cur in
	absent) changed=1 ;;
	link)
		old=$(readlink -- "$p")
		if [ "$old" != "$src" ]; then say old_src "$old"; changed=1; fi ;;
	hard)
		if [ -n "$src" ] && [ "$(stat -c %i -- "$p")" != "$(stat -c %i -- "$hsrc")" ]; then
			[ "$force" = 1 ] || linkfail "Cannot link, different hard link exists at destination"
			changed=1
		fi ;;
	file)
		[ "$force" = 1 ] || linkfail "Cannot link, file exists at destination"
		changed=1 ;;
	directory)
		[ "$force" = 1 ] || linkfail "Cannot link: different hard link exists at destination"
		changed=1 ;;
	esac
	if [ "$changed" = 1 ]; then
		case $cur in
		directory) rmdir -- "$p" || fail "Error while replacing: cannot remove $p" ;;
		file|hard|link) rm -f -- "$p" || fail "Error while replacing: cannot remove $p" ;;
		esac
		ln -- "$hsrc" "$p" || fail "Error while linking: cannot link $p to $src"
	fi
	applymode "$mode" "$p" ;;
touch)
	if [ "$cur" = absent ]; then : > "$p" || fail "Error, could not touch target"; fi
	say times_before "$(stat -c '%X %Y' -- "$p")"
	touch -- "$p" || fail "Error, could not touch target"
	say times_after "$(stat -c '%X %Y' -- "$p")"
	changed=1
	applymode "$mode" "$p" ;;
*) fail "jetplay does not implement state=$st of the file module" ;;
esac
say changed $changed
printf 'info '; pathinfo "$p"
`

// runFile is the file module for state directory, absent, touch, file,
// link and hard (plus mode). It reports changed and diff as Ansible: an existing
// directory with the wanted mode is unchanged, touch always changes.
func runFile(ctx context.Context, h *host, p map[string]any) (map[string]any, error) {
	path, state := pstr(p, "path"), pstr(p, "state")
	src := pstr(p, "src")
	force := "0"
	if pbool(p, "force") {
		force = "1"
	}
	res, err := h.script(ctx, true, fileScript, path, state, modeArg(p["mode"]), src, force)
	if err != nil {
		return nil, err
	}
	if res.TimedOut {
		return h.killed(res), nil
	}
	rep := parseReport(res)
	if rep.fail != "" {
		out := failed(rep.fail)
		if rep.kv["absent"] == "1" {
			out["path"], out["state"] = path, "absent"
		} else if rep.kv["with_path"] == "1" {
			out["path"] = path
			if rep.kv["with_src"] == "1" {
				out["src"] = src
			}
			addPathInfo(out, strings.TrimSpace(rep.kv["info"]))
		} else if rep.kv["with_link"] == "1" {
			out["dest"], out["src"] = path, src
			addPathInfo(out, strings.TrimSpace(rep.kv["info"]))
		}
		return out, nil
	}
	if res.RC != 0 || rep.kv["changed"] == "" {
		return scriptFailure("file", res), nil
	}
	prev := rep.kv["prev"]
	if state == "" {
		state = prev
		if state == "absent" {
			state = "file"
		}
	}
	out := map[string]any{"changed": rep.kv["changed"] == "1"}
	switch state {
	case "touch", "link", "hard":
		out["dest"] = path
	default:
		out["path"] = path
	}
	addPathInfo(out, strings.TrimSpace(rep.kv["info"]))
	if state == "absent" {
		out["state"] = "absent"
		if prev == "absent" {
			return out, nil // nothing removed: Ansible gives no diff
		}
	}
	out["diff"] = fileDiff(path, state, prev, src, rep)
	if state == "link" || state == "hard" {
		out["src"] = src
		if src == "" {
			out["src"] = nil
		}
	}
	return out, nil
}

// fileDiff is the file module's diff: initial_diff (path, and the state
// before and after when it changes; a removed directory's content), then the
// mode, link target and touch times that changed.
func fileDiff(path, state, prev, src string, rep report) map[string]any {
	before, after := map[string]any{"path": path}, map[string]any{"path": path}
	if prev != state {
		before["state"], after["state"] = prev, state
		if state == "absent" && prev == "directory" {
			before["path_content"] = walkContent(path, rep.lines)
		}
	}
	if m := strings.Fields(rep.kv["mode_change"]); len(m) == 2 {
		before["mode"], after["mode"] = octalMode(m[0]), octalMode(m[1])
	}
	if old, ok := rep.kv["old_src"]; ok {
		before["src"], after["src"] = old, src
	}
	if state == "touch" {
		for _, side := range []struct {
			m   map[string]any
			key string
		}{{before, "times_before"}, {after, "times_after"}} {
			if t := strings.Fields(rep.kv[side.key]); len(t) == 2 {
				at, _ := strconv.ParseFloat(t[0], 64)
				mt, _ := strconv.ParseFloat(t[1], 64)
				side.m["atime"], side.m["mtime"] = at, mt
			}
		}
	}
	return map[string]any{"before": before, "after": after}
}

// walkContent is a removed directory's path_content in the order of
// Python's os.walk: for each directory (top first), its sub directories and
// then its files, in listing order; then the same for each sub directory.
// lines holds find's pre-order listing as "wd <dir>" and "wf <file>".
func walkContent(top string, lines []string) map[string]any {
	type entry struct {
		path string
		dir  bool
	}
	children := map[string][]entry{}
	for _, l := range lines {
		kind, p, ok := strings.Cut(l, " ")
		if !ok || (kind != "wd" && kind != "wf") {
			continue
		}
		parent := p[:max(strings.LastIndexByte(p, '/'), 0)]
		children[parent] = append(children[parent], entry{p, kind == "wd"})
	}
	dirs, files := []any{}, []any{}
	var walk func(d string)
	walk = func(d string) {
		var subs []string
		for _, c := range children[d] {
			if c.dir {
				dirs = append(dirs, c.path)
				subs = append(subs, c.path)
			}
		}
		for _, c := range children[d] {
			if !c.dir {
				files = append(files, c.path)
			}
		}
		for _, s := range subs {
			walk(s)
		}
	}
	walk(strings.TrimRight(top, "/"))
	return map[string]any{"directories": dirs, "files": files}
}

// octalMode formats stat's %a (e.g. 644) as Ansible's '0%03o' (0644).
func octalMode(s string) string {
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil {
		return s
	}
	return fmt.Sprintf("0%03o", n)
}
