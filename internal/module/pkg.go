package module

import (
	"context"
	"fmt"
	"strings"
)

// packageScript installs or removes packages: $1 manager (auto, apt, dnf
// or yum), $2 state (present, latest or absent), $3 update_cache (1/0);
// the rest are package names. It notes each package's version before and
// after ("before NAME VERSION" / "after NAME VERSION", "-" when not
// installed), so that changed is exactly "some version changed".
const packageScript = scriptPrelude + `mgr=$1 st=$2 uc=$3; shift 3
if [ "$mgr" = auto ]; then
	if have apt-get; then mgr=apt; elif have dnf; then mgr=dnf; elif have yum; then mgr=yum; else
		fail 'Could not detect which package manager to use. Try gathering facts or setting the "use" option.'
	fi
fi
case $mgr in
apt) have apt-get || fail "jetplay: apt needs apt-get on the host, which it does not have"
	export DEBIAN_FRONTEND=noninteractive
	ver() { v=$(dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null); case $v in *" installed "*) printf '%s' "${v##* }";; *) printf -;; esac; } ;;
dnf|yum) have "$mgr" || fail "jetplay: $mgr is not on the host"
	ver() { rpm -q --qf '%{VERSION}-%{RELEASE}.%{ARCH}\n' "$1" 2>/dev/null | head -n 1 | grep -v 'not installed' || printf -; } ;;
*) fail "jetplay: unknown package manager $mgr" ;;
esac
say mgr $mgr
for n; do printf 'before %s %s\n' "$n" "$(ver "$n")"; done
run() { say cmd "$*"; "$@" > "$out" 2>&1 || { rc=$?; say rc $rc; cat "$out" | sed 's/^/out /'; rm -f "$out"; fail "'$*' failed"; }; cat "$out" | sed 's/^/out /'; }
out=$(mktemp) || fail "mktemp failed"
if [ "$uc" = 1 ]; then
	case $mgr in apt) run apt-get -q update ;; *) run "$mgr" -y -q makecache ;; esac
	say cache_updated 1
fi
if [ $# -gt 0 ]; then
	case $mgr:$st in
	apt:present) missing=; for n; do [ "$(ver "$n")" = - ] && missing="$missing 1"; done
		[ -n "$missing" ] && run apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install "$@" ;;
	apt:latest) run apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install "$@" ;;
	apt:absent) present=; for n; do [ "$(ver "$n")" = - ] || present=1; done
		[ -n "$present" ] && run apt-get -y -q remove "$@" ;;
	*:present) missing=; for n; do [ "$(ver "$n")" = - ] && missing=1; done
		[ -n "$missing" ] && run "$mgr" -y -q install "$@" ;;
	*:latest) run "$mgr" -y -q install "$@"; run "$mgr" -y -q upgrade "$@" ;;
	*:absent) present=; for n; do [ "$(ver "$n")" = - ] || present=1; done
		[ -n "$present" ] && run "$mgr" -y -q remove "$@" ;;
	esac
fi
rm -f "$out"
for n; do printf 'after %s %s\n' "$n" "$(ver "$n")"; done
say done 1
`

// runPackage is package, apt, dnf and yum: name (a string or a list),
// state present/installed, latest, absent/removed, update_cache. package
// picks apt, dnf or yum by what the host has (or by use). changed is true
// when an installed version changed. The result has changed, msg, rc,
// stdout, stderr, results (one line per package changed) and
// cache_updated; it is close to, but not exactly, each Ansible module's.
func runPackage(ctx context.Context, h *host, p map[string]any) (map[string]any, error) {
	mgr := "auto"
	names := pstrs(p, "name")
	state := pstr(p, "state")
	if _, ok := p["package"]; ok { // apt calls its list "package" (aliases name, pkg)
		names, mgr = pstrs(p, "package"), "apt"
	}
	switch {
	case p["use"] != nil:
		mgr = pstr(p, "use")
	case p["use_backend"] != nil && pstr(p, "use_backend") != "auto":
		mgr = strings.TrimSuffix(pstr(p, "use_backend"), "4")
	}
	if u, ok := p["use_backend"]; ok && (u == nil || u == "auto") {
		// dnf and yum: the module's own name.
		mgr = "dnf"
		if _, isDnf := p["allowerasing"]; !isDnf {
			mgr = "yum"
		}
	}
	switch state {
	case "", "present", "installed":
		state = "present"
	case "removed":
		state = "absent"
	case "latest", "absent":
	default:
		return failed(fmt.Sprintf("jetplay does not implement state=%s for packages", state)), nil
	}
	uc := "0"
	if pbool(p, "update_cache") {
		uc = "1"
	}
	res, err := h.script(ctx, true, packageScript, append([]string{mgr, state, uc}, names...)...)
	if err != nil {
		return nil, err
	}
	if res.TimedOut {
		return h.killed(res), nil
	}
	rep := parseReport(res)
	var stdout []string
	before, after := map[string]string{}, map[string]string{}
	for _, l := range rep.lines {
		k, v, _ := strings.Cut(l, " ")
		switch k {
		case "out":
			stdout = append(stdout, v)
		case "before", "after":
			n, ver, _ := strings.Cut(v, " ")
			if k == "before" {
				before[n] = ver
			} else {
				after[n] = ver
			}
		}
	}
	out := map[string]any{"changed": false, "stdout": strings.Join(stdout, "\n"), "stderr": ""}
	if rep.fail != "" {
		out["failed"], out["msg"] = true, rep.fail
		if rc, ok := rep.kv["rc"]; ok {
			var n int
			_, _ = fmt.Sscan(rc, &n) // an rc that is not a number stays 0
			out["rc"] = n
			out["msg"] = fmt.Sprintf("%s: %s", rep.fail, strings.Join(stdout, "\n"))
		}
		return out, nil
	}
	if res.RC != 0 || rep.kv["done"] != "1" {
		return scriptFailure(cmpOr(rep.kv["mgr"], "package"), res), nil
	}
	results := []any{}
	for _, n := range names {
		if before[n] != after[n] {
			out["changed"] = true
			switch {
			case after[n] == "-":
				results = append(results, "Removed: "+n)
			case before[n] == "-":
				results = append(results, "Installed: "+n+" "+after[n])
			default:
				results = append(results, "Upgraded: "+n+" "+before[n]+" -> "+after[n])
			}
		}
	}
	out["results"], out["rc"] = results, 0
	out["cache_updated"] = rep.kv["cache_updated"] == "1"
	if len(results) == 0 {
		out["msg"] = "Nothing to do"
	} else {
		out["msg"] = strings.Join(strAnys(results), "\n")
	}
	return out, nil
}

func strAnys(l []any) []string {
	out := make([]string, len(l))
	for i, v := range l {
		out[i] = fmt.Sprint(v)
	}
	return out
}
