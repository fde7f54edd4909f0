package module

import (
	"bytes"
	"context"
	"crypto/sha1" //nolint:gosec // Ansible's file checksum is SHA-1: compatibility, not security
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/jetplay/jetplay/internal/conn"
)

// Check mode and diff mode (Options.Check, Options.Diff), after
// ansible-core 2.14: in check mode a module reports what it would change
// and changes nothing; in diff mode it also returns the change in the
// result's "diff" key. command and shell decide in runCommand; the other
// modules' check and diff runs are here.

// maxDiffSize is Ansible's MAX_FILE_SIZE_FOR_DIFF: larger files are not
// diffed (dst_larger, src_larger).
const maxDiffSize = 104448

// checkRun returns the function that runs module name under opt's check or
// diff mode instead of its own implementation, or nil when the module runs
// as usual (it changes nothing, or decides itself, as command does).
func checkRun(name string, opt Options) moduleFunc {
	if opt.Check {
		switch name {
		case "raw":
			return func(context.Context, *host, map[string]any) (map[string]any, error) {
				return map[string]any{"changed": false, "skipped": true}, nil
			}
		case "wait_for":
			return skipCheck("remote module (" + name + ") does not support check mode")
		case "copy":
			return checkCopy
		case "file":
			return checkFile
		case "get_url", "package", "apt", "yum", "dnf", "service", "systemd":
			// Never change a host in check mode: skip what jetplay cannot
			// predict.
			return skipCheck("jetplay does not implement check mode for the " + name + " module")
		}
		return nil
	}
	if opt.Diff && name == "copy" {
		return diffCopy
	}
	return nil
}

func skipCheck(msg string) moduleFunc {
	return func(context.Context, *host, map[string]any) (map[string]any, error) {
		return map[string]any{"changed": false, "skipped": true, "msg": msg}, nil
	}
}

// probeScript looks at $1 without changing it: "cur <state>", and when it
// exists "info <pathinfo>", "perm <octal>", "sha1 <sum>" (files), "times
// <atime> <mtime>", and with $2 (a chmod mode) the permissions chmod would
// give ("newperm <octal>", worked out on a scratch file). With $3 = 1 a
// directory's content is listed as find walks it ("wd <dir>", "wf <file>").
const probeScript = scriptPrelude + `p=$1 want=$2 walk=$3
if [ -h "$p" ]; then cur=link; elif [ -d "$p" ]; then cur=directory; elif [ -e "$p" ]; then cur=file; else cur=absent; fi
say cur $cur
[ "$cur" = absent ] && exit 0
printf 'info '; pathinfo "$p"
perm=$(stat -L -c %a -- "$p" 2>/dev/null) || perm=$(stat -c %a -- "$p")
say perm "$perm"
say times "$(stat -c '%X %Y' -- "$p")"
if [ -n "$want" ]; then
	t=$(mktemp) || fail "mktemp failed"
	chmod "$perm" "$t"
	if chmod -- "$want" "$t" 2>/dev/null || chmod "$want" "$t" 2>/dev/null; then say newperm "$(stat -c %a -- "$t")"; rm -f -- "$t"
	else rm -f -- "$t"; fail "mode must be in octal or symbolic form"; fi
fi
if [ "$cur" = file ] && [ -r "$p" ]; then
	if have sha1sum; then say sha1 "$(sha1sum < "$p" | cut -d' ' -f1)"
	elif have openssl; then say sha1 "$(openssl sha1 < "$p" | sed 's/.*= *//')"; fi
fi
if [ "$cur" = directory ] && [ "$walk" = 1 ]; then
	find "$p" -mindepth 1 2>/dev/null | while IFS= read -r f; do
		if [ -d "$f" ]; then say wd "$f"; else say wf "$f"; fi
	done
fi
`

// probe is what probeScript saw.
type probe struct {
	state   string // absent, file, directory, link
	info    string // the pathinfo line
	perm    string // current permissions, octal, as stat prints them
	newPerm string // the permissions the wanted mode gives, "" when no mode
	sha1    string
	times   []string // atime, mtime (seconds)
	rep     report
}

func (h *host) probe(ctx context.Context, p, mode string, walk bool) (probe, map[string]any, error) {
	w := "0"
	if walk {
		w = "1"
	}
	res, err := h.script(ctx, false, probeScript, p, mode, w)
	if err != nil {
		return probe{}, nil, err
	}
	rep := parseReport(res)
	if rep.fail != "" {
		return probe{}, failed(rep.fail), nil
	}
	if res.RC != 0 || rep.kv["cur"] == "" {
		return probe{}, scriptFailure("check", res), nil
	}
	pr := probe{state: rep.kv["cur"], info: strings.TrimSpace(rep.kv["info"]), perm: rep.kv["perm"],
		newPerm: rep.kv["newperm"], sha1: rep.kv["sha1"], times: strings.Fields(rep.kv["times"]), rep: rep}
	return pr, nil, nil
}

// modeChange is the before/after "mode" of a diff when the wanted mode
// changes the permissions ("0644" style, as Ansible shows them).
func (pr probe) modeChange() (before, after string, changed bool) {
	if pr.newPerm == "" || octal(pr.perm) == octal(pr.newPerm) {
		return "", "", false
	}
	return octal(pr.perm), octal(pr.newPerm), true
}

func octal(s string) string {
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil {
		return s
	}
	return fmt.Sprintf("0%03o", n)
}

// attrDiff is the file module's diff of a path's attributes: path, plus
// state and mode when they change.
func attrDiff(p string, stateBefore, stateAfter string, pr probe) map[string]any {
	before, after := map[string]any{"path": p}, map[string]any{"path": p}
	if stateBefore != stateAfter {
		before["state"], after["state"] = stateBefore, stateAfter
	}
	if b, a, ok := pr.modeChange(); ok {
		before["mode"], after["mode"] = b, a
	}
	return map[string]any{"before": before, "after": after}
}

// checkFile is the file module in check mode: the state and mode the path
// would get, and the diff, without touching it.
func checkFile(ctx context.Context, h *host, p map[string]any) (map[string]any, error) {
	dest, state := pstr(p, "path"), pstr(p, "state")
	if state == "link" || state == "hard" {
		return skipCheck("jetplay does not implement check mode for state="+state+" of the file module")(ctx, h, p)
	}
	mode := modeArg(p["mode"])
	pr, bad, err := h.probe(ctx, dest, mode, state == "absent")
	if err != nil || bad != nil {
		return bad, err
	}
	if state == "" {
		state = pr.state
		if state == "absent" {
			state = "file"
		}
	}
	var out map[string]any
	switch state {
	case "absent":
		if pr.state == "absent" {
			return map[string]any{"changed": false, "path": dest, "state": "absent"}, nil
		}
		d := attrDiff(dest, pr.state, "absent", probe{})
		if pr.state == "directory" {
			dirs, files := []any{}, []any{}
			for _, l := range pr.rep.lines {
				if f, ok := strings.CutPrefix(l, "wd "); ok {
					dirs = append(dirs, f)
				} else if f, ok := strings.CutPrefix(l, "wf "); ok {
					files = append(files, f)
				}
			}
			d["before"].(map[string]any)["path_content"] = map[string]any{"directories": dirs, "files": files}
		}
		out = map[string]any{"changed": true, "path": dest, "diff": d}
		addPathInfo(out, pr.info)
		return out, nil
	case "directory":
		switch pr.state {
		case "absent":
			return map[string]any{"changed": true, "path": dest, "diff": attrDiff(dest, "absent", "directory", pr)}, nil
		case "file":
			return failed(fmt.Sprintf("%s already exists as a file", dest), "path", dest), nil
		}
	case "file":
		switch pr.state {
		case "absent":
			return failed(fmt.Sprintf("file (%s) is absent, cannot continue", dest), "path", dest, "state", "absent"), nil
		case "directory":
			return failed(fmt.Sprintf("file (%s) is directory, cannot continue", dest), "path", dest), nil
		}
	case "touch":
		if pr.state == "absent" {
			return map[string]any{"changed": true, "dest": dest}, nil
		}
		d := attrDiff(dest, pr.state, "touch", pr)
		if len(pr.times) == 2 {
			d["before"].(map[string]any)["atime"], d["before"].(map[string]any)["mtime"] = num(pr.times[0]), num(pr.times[1])
		}
		out = map[string]any{"changed": true, "dest": dest, "diff": d}
		addPathInfo(out, pr.info)
		return out, nil
	default:
		return failed("jetplay does not implement state=" + state + " of the file module"), nil
	}
	_, _, changed := pr.modeChange()
	out = map[string]any{"changed": changed, "path": dest, "diff": attrDiff(dest, pr.state, pr.state, pr)}
	addPathInfo(out, pr.info)
	return out, nil
}

func num(s string) any {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	return s
}

// copySource is the content copy writes and what a diff calls it.
func copySource(p map[string]any) (data []byte, header string, bad map[string]any) {
	switch {
	case p["_content_b64"] != nil:
		b, err := base64.StdEncoding.DecodeString(pstr(p, "_content_b64"))
		if err != nil {
			return nil, "", failed("jetplay: _content_b64 is not base64: " + err.Error())
		}
		return b, cmpOr(pstr(p, "src"), "dynamically generated"), nil
	case p["content"] != nil:
		return []byte(pstr(p, "content")), "dynamically generated", nil
	}
	return nil, "", failed("src (or content) is required")
}

// copyDest is copy's destination: dest, or dest + the source's base name
// when dest ends in "/".
func copyDest(p map[string]any) string {
	dest := pstr(p, "dest")
	if strings.HasSuffix(dest, "/") {
		dest += cmpOr(pstr(p, "_original_basename"), path.Base(pstr(p, "src")))
	}
	return dest
}

// contentDiff is Ansible's _get_diff_data: the destination's current
// content (before) and the new content (after), or why they are not shown.
func (h *host) contentDiff(ctx context.Context, dest string, pr probe, data []byte, header string) (map[string]any, error) {
	d := map[string]any{}
	switch info, _ := parsePathInfo(pr.info); {
	case pr.state == "absent":
		d["before"] = ""
	case sizeOf(info) > maxDiffSize:
		d["dst_larger"] = maxDiffSize
	default:
		res, err := h.run(ctx, conn.Command{Argv: []string{"cat", "--", dest}})
		if err != nil {
			return nil, err
		}
		switch {
		case res.RC != 0:
		case bytes.IndexByte(head(res.Stdout, 8192), 0) >= 0:
			d["dst_binary"] = 1
		default:
			d["before_header"], d["before"] = dest, text(res.Stdout)
		}
	}
	switch {
	case len(data) > maxDiffSize:
		d["src_larger"] = maxDiffSize
	case bytes.IndexByte(data, 0) >= 0:
		d["src_binary"] = 1
	default:
		d["after_header"], d["after"] = header, text(data)
	}
	return d, nil
}

func head(b []byte, n int) []byte { return b[:min(n, len(b))] }

func sizeOf(info map[string]any) int64 {
	switch n := info["size"].(type) {
	case int64:
		return n
	case int:
		return int64(n)
	}
	return 0
}

// checkCopy is copy in check mode: changed when the content (or the mode)
// would change, with Ansible's diff in diff mode, and nothing written.
func checkCopy(ctx context.Context, h *host, p map[string]any) (map[string]any, error) {
	data, header, bad := copySource(p)
	if bad != nil {
		return bad, nil
	}
	dest := copyDest(p)
	pr, bad, err := h.probe(ctx, dest, modeArg(p["mode"]), false)
	if err != nil || bad != nil {
		return bad, err
	}
	if pr.state == "directory" {
		return failed(fmt.Sprintf("jetplay: dest %s is a directory and there is no file name to copy to", dest)), nil
	}
	sum := sha1.Sum(data) //nolint:gosec // Ansible's checksum
	checksum := hex.EncodeToString(sum[:])
	if pr.state == "absent" || pr.sha1 != checksum && pbool(p, "force") {
		// Ansible's copy action returns early: changed, and the diff.
		out := map[string]any{"changed": true, "diff": []any{}}
		if h.opt.Diff {
			d, err := h.contentDiff(ctx, dest, pr, data, header)
			if err != nil {
				return nil, err
			}
			out["diff"] = []any{d}
		}
		return out, nil
	}
	// Same content (or force: no): the file module's attributes check.
	_, _, changed := pr.modeChange()
	out := map[string]any{"changed": changed, "dest": dest, "path": dest, "checksum": checksum,
		"diff": attrDiff(dest, pr.state, pr.state, pr)}
	addPathInfo(out, pr.info)
	return out, nil
}

// diffCopy is copy in diff mode: it looks at the destination first, then
// copies, and when the content changed returns Ansible's diff of it.
func diffCopy(ctx context.Context, h *host, p map[string]any) (map[string]any, error) {
	data, header, bad := copySource(p)
	if bad != nil {
		return runCopy(ctx, h, p)
	}
	dest := copyDest(p)
	pr, bad, err := h.probe(ctx, dest, "", false)
	if err != nil {
		return nil, err
	}
	sum := sha1.Sum(data) //nolint:gosec // Ansible's checksum
	willChange := bad == nil && pr.state != "directory" && (pr.state == "absent" || pr.sha1 != hex.EncodeToString(sum[:]) && pbool(p, "force"))
	var d map[string]any
	if willChange {
		if d, err = h.contentDiff(ctx, dest, pr, data, header); err != nil {
			return nil, err
		}
	}
	out, err := runCopy(ctx, h, p)
	if err != nil || d == nil || !truthy(out["changed"]) || truthy(out["failed"]) {
		return out, err
	}
	out["diff"] = []any{d}
	return out, nil
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case nil:
		return false
	case int:
		return x != 0
	case string:
		return x != ""
	}
	return true
}
