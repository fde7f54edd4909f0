package module

import (
	"context"
	"strings"
)

// fileScript is the file module: $1 path, $2 state ("" = keep the current
// kind, file when absent), $3 mode. It prints "changed 0|1" and "info
// <pathinfo>".
const fileScript = scriptPrelude + modeSh + `p=$1 st=$2 mode=$3 changed=0
if [ -h "$p" ]; then cur=link; elif [ -d "$p" ]; then cur=directory; elif [ -e "$p" ]; then cur=file; else cur=absent; fi
if [ -z "$st" ]; then if [ "$cur" = absent ]; then st=file; else st=$cur; fi; fi
case $st in
absent)
	if [ "$cur" != absent ]; then rm -rf -- "$p" || fail "rmtree failed: $p"; changed=1; fi ;;
directory)
	case $cur in
	absent) mkdir -p -- "$p" || fail "There was an issue creating $p as requested"; changed=1 ;;
	directory|link) [ -d "$p" ] || fail "$p already exists as a $cur" ;;
	*) fail "$p already exists as a $cur" ;;
	esac
	applymode "$mode" "$p" ;;
file|link)
	[ "$cur" != absent ] || { say absent 1; fail "file ($p) is absent, cannot continue"; }
	[ "$cur" != directory ] || fail "file ($p) is directory, cannot continue"
	applymode "$mode" "$p" ;;
touch)
	touch -- "$p" || fail "Error, could not touch target"
	changed=1
	applymode "$mode" "$p" ;;
*) fail "jetplay does not implement state=$st of the file module" ;;
esac
say changed $changed
printf 'info '; pathinfo "$p"
`

// runFile is the file module for state directory, absent, touch and file
// (plus mode). It reports changed as Ansible: an existing directory with
// the wanted mode is unchanged, touch always changes.
func runFile(ctx context.Context, h *host, p map[string]any) (map[string]any, error) {
	path, state := pstr(p, "path"), pstr(p, "state")
	if state == "link" || state == "hard" {
		return failed("jetplay does not implement state=" + state + " of the file module"), nil
	}
	res, err := h.script(ctx, true, fileScript, path, state, modeArg(p["mode"]))
	if err != nil {
		return nil, err
	}
	if res.TimedOut {
		return killedResult(res), nil
	}
	rep := parseReport(res)
	if rep.fail != "" {
		out := failed(rep.fail)
		if rep.kv["absent"] == "1" {
			out["path"], out["state"] = path, "absent"
		}
		return out, nil
	}
	if res.RC != 0 || rep.kv["changed"] == "" {
		return scriptFailure("file", res), nil
	}
	out := map[string]any{"changed": rep.kv["changed"] == "1"}
	if state == "touch" {
		out["dest"] = path
	} else {
		out["path"] = path
	}
	addPathInfo(out, strings.TrimSpace(rep.kv["info"]))
	if state == "absent" {
		out["state"] = "absent"
	}
	return out, nil
}
