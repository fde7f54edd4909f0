package module

import (
	"context"
	"fmt"
	"strings"
)

// serviceScript manages a service: $1 name, $2 state ("" = leave),
// $3 enabled (1, 0 or "" = leave), $4 daemon_reload (1/0), $5 "systemd"
// when only systemd will do, $6 scope flag ("" or --user/--global). With
// systemctl it uses systemd; otherwise (service module only) service(8)
// for state. It prints "changed", "enabled" and "status" lines from
// systemctl show.
const serviceScript = scriptPrelude + `name=$1 st=$2 en=$3 dr=$4 only=$5 scope=$6 changed=0
if have systemctl; then
	sc() { systemctl $scope "$@"; }
	[ "$dr" = 1 ] && { sc daemon-reload || fail "failure 1 during daemon-reload"; }
	if [ -n "$name" ]; then
		ls=$(sc show -p LoadState --value "$name" 2>/dev/null)
		[ "$ls" = not-found ] && fail "Could not find the requested service $name: host"
		if [ -n "$en" ]; then
			cur=$(sc is-enabled "$name" 2>/dev/null)
			case $cur in enabled|enabled-runtime|alias|static|indirect|generated) is=1;; *) is=0;; esac
			if [ "$is" != "$en" ]; then
				if [ "$en" = 1 ]; then sc enable "$name" >/dev/null 2>&1 || fail "Unable to enable service $name: $(sc enable "$name" 2>&1)"; else
					sc disable "$name" >/dev/null 2>&1 || fail "Unable to disable service $name: $(sc disable "$name" 2>&1)"; fi
				changed=1
			fi
		fi
		if [ -n "$st" ]; then
			sc is-active --quiet "$name" && act=1 || act=0
			verb=
			case $st in
			started) [ $act = 1 ] || verb=start ;;
			stopped) [ $act = 0 ] || verb=stop ;;
			restarted) verb=restart ;;
			reloaded) if [ $act = 1 ]; then verb=reload; else verb=start; fi ;;
			esac
			if [ -n "$verb" ]; then
				e=$(sc "$verb" "$name" 2>&1) || fail "Unable to $verb service $name: $e"
				changed=1
			fi
		fi
		sc show "$name" 2>/dev/null | sed 's/^/status /'
	fi
elif [ "$only" = systemd ]; then
	fail "Failed to find required executable systemctl in paths: $PATH"
else
	have service || fail "jetplay: the host has neither systemctl nor service(8)"
	[ -z "$en" ] || fail "jetplay: enabled needs systemd on the host"
	if [ -n "$st" ]; then
		service "$name" status >/dev/null 2>&1 && act=1 || act=0
		verb=
		case $st in
		started) [ $act = 1 ] || verb=start ;;
		stopped) [ $act = 0 ] || verb=stop ;;
		restarted) verb=restart ;;
		reloaded) verb=reload ;;
		esac
		if [ -n "$verb" ]; then
			e=$(service "$name" "$verb" 2>&1) || fail "Unable to $verb service $name: $e"
			changed=1
		fi
	fi
fi
say changed $changed
`

// runService is service and systemd: name, state started/stopped/
// restarted/reloaded, enabled, daemon_reload (systemd), scope. changed
// follows Ansible: started on a running unit and enabled on an enabled one
// are unchanged; restarted and reloaded always change. Result: changed,
// name, state, enabled, status (systemctl show of the unit).
func runService(ctx context.Context, h *host, p map[string]any) (map[string]any, error) {
	name, state := pstr(p, "name"), pstr(p, "state")
	en := ""
	if v, ok := p["enabled"].(bool); ok {
		en = "0"
		if v {
			en = "1"
		}
	}
	dr, only, scope := "0", "", ""
	if _, isSystemd := p["daemon_reload"]; isSystemd {
		only = "systemd"
		if pbool(p, "daemon_reload") {
			dr = "1"
		}
		if s := pstr(p, "scope"); s != "" && s != "system" {
			scope = "--" + s
		}
		if name == "" && (state != "" || en != "") {
			return failed("state, enabled or masked need name"), nil
		}
	} else if u := pstr(p, "use"); u != "auto" && u != "" && u != "systemd" && u != "service" {
		return failed(fmt.Sprintf("jetplay does not implement use=%s for the service module", u)), nil
	}
	rep, _, bad, err := h.runReport(ctx, "service", "changed", serviceScript, name, state, en, dr, only, scope)
	if bad != nil || err != nil {
		return bad, err
	}
	out := map[string]any{"changed": rep.kv["changed"] == "1"}
	if name != "" {
		out["name"] = name
	}
	if state != "" {
		out["state"] = state
	}
	if en != "" {
		out["enabled"] = en == "1"
	}
	status := map[string]any{}
	for _, l := range rep.lines {
		if kv, ok := strings.CutPrefix(l, "status "); ok {
			k, v, _ := strings.Cut(kv, "=")
			status[k] = v
		}
	}
	if len(status) > 0 {
		out["status"] = status
	}
	return out, nil
}
