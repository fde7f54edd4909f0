package module

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/jetplay/jetplay/internal/conn"
)

// Scripted modules (file, copy, stat, get_url, package, service) run one
// POSIX sh script on the host, with every value passed as a positional
// argument, never spliced into the script text. The script reports on
// stdout, one "KEY value" per line; "FAIL message" ends it with a module
// failure. scriptPrelude defines the helpers they share.
const scriptPrelude = `fail() { printf 'FAIL %s\n' "$*"; exit 0; }
say() { printf '%s %s\n' "$1" "$2"; }
have() { command -v "$1" >/dev/null 2>&1; }
` + pathInfoSh

// report is the parsed stdout of a module script.
type report struct {
	fail  string            // message of a FAIL line, "" when none
	kv    map[string]string // last value of each key
	lines []string          // every line, for repeated keys
}

func parseReport(res conn.Result) report {
	r := report{kv: map[string]string{}}
	sc := bufio.NewScanner(strings.NewReader(string(res.Stdout)))
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		r.lines = append(r.lines, line)
		k, v, _ := strings.Cut(line, " ")
		if k == "FAIL" {
			r.fail = v
			continue
		}
		r.kv[k] = v
	}
	return r
}

// runReport runs src as the module's main command and parses its report.
// When the script timed out, said FAIL, or did not end well with key in its
// report, bad is the module's failed result and rep is of no use.
func (h *host) runReport(ctx context.Context, module, key, src string, args ...string) (rep report, res conn.Result, bad map[string]any, err error) {
	res, err = h.script(ctx, true, src, args...)
	if err != nil {
		return rep, res, nil, err
	}
	if res.TimedOut {
		return rep, res, h.killed(res), nil
	}
	rep = parseReport(res)
	if rep.fail != "" {
		return rep, res, failed(rep.fail), nil
	}
	if res.RC != 0 || rep.kv[key] == "" {
		return rep, res, scriptFailure(module, res), nil
	}
	return rep, res, nil, nil
}

// scriptFailure turns a script that did not report (it crashed or the
// shell failed) into a failed result.
func scriptFailure(module string, res conn.Result) map[string]any {
	return failed(fmt.Sprintf("%s: the script on the host failed (rc %d): %s", module, res.RC,
		strings.TrimSpace(text(res.Stderr))), "rc", res.RC, "stdout", text(res.Stdout), "stderr", text(res.Stderr))
}

// modeArg turns Ansible's mode value into chmod's argument: an int
// (YAML 0644 read as a number) is the permission bits, written in octal;
// a string is passed as is (octal or symbolic).
func modeArg(v any) string {
	switch m := v.(type) {
	case nil:
		return ""
	case int:
		return fmt.Sprintf("%o", m)
	case float64:
		return fmt.Sprintf("%o", int(m))
	case string:
		return m
	}
	return fmt.Sprint(v)
}

// modeSh applies mode $1 to path $2 and sets changed=1 when the
// permissions changed, printing "mode_change <before> <after>" (stat's %a).
const modeSh = `applymode() {
	[ -n "$1" ] || return 0
	b=$(stat -c %a -- "$2") || fail "cannot stat $2"
	chmod -- "$1" "$2" 2>/dev/null || chmod "$1" "$2" || fail "mode must be in octal or symbolic form"
	a=$(stat -c %a -- "$2")
	[ "$a" = "$b" ] || { changed=1; say mode_change "$b $a"; }
}
`
