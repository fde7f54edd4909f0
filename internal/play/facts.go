package play

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/report"
)

// factsScript prints the minimal facts jetplay gathers, as one JSON object,
// in one round trip: hostname, fqdn (as Python's socket.getfqdn), OS family
// and distribution (Debian's point release from /etc/debian_version, as
// Ansible), architecture, kernel, IPv4 addresses.
const factsScript = `h=$(hostname 2>/dev/null || uname -n)
fq=
ip=$(getent hosts "$h" 2>/dev/null | awk '{print $1; exit}')
if [ -n "$ip" ]; then
	set -- $(getent hosts "$ip" 2>/dev/null | head -n 1)
	[ $# -gt 1 ] && shift && fq=$1
	for n; do case $n in *.*) fq=$n; break;; esac; done
fi
[ -n "$fq" ] || fq=$(hostname -f 2>/dev/null || echo "$h")
. /etc/os-release 2>/dev/null
ver=$VERSION_ID
[ "$ID" = debian ] && [ -r /etc/debian_version ] && ver=$(cat /etc/debian_version)
fam=$(echo "${ID_LIKE:-$ID}" | awk '{print $1}')
case "$ID" in debian|ubuntu) fam=Debian;; rhel|centos|fedora|rocky|almalinux) fam=RedHat;; alpine) fam=Alpine;; arch) fam=Archlinux;; esac
ips=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -v ':' | grep -v '^$' | sed 's/.*/"&"/' | paste -sd, -)
printf '{"ansible_hostname":"%s","ansible_nodename":"%s","ansible_fqdn":"%s","ansible_system":"%s","ansible_kernel":"%s","ansible_architecture":"%s","ansible_distribution":"%s","ansible_distribution_version":"%s","ansible_distribution_major_version":"%s","ansible_distribution_release":"%s","ansible_os_family":"%s","ansible_all_ipv4_addresses":[%s]}\n' \
  "${h%%.*}" "$h" "$fq" "$(uname -s)" "$(uname -r)" "$(uname -m)" "${NAME%% *}" "$ver" "${ver%%.*}" "$VERSION_CODENAME" "$fam" "$ips"`

// gatherFacts runs the "Gathering Facts" task: one job per host.
func (e *Engine) gatherFacts(ctx context.Context, pc *playCtx, only map[string]bool) {
	t := &playbook.Task{Name: "Gathering Facts", Module: "shell"}
	rt := report.Task{Name: t.Name, Action: "gather_facts", ID: e.newID("task"), Start: time.Now(), Path: posPath(pc.play.Pos)}
	e.report(func(r report.Reporter) { r.TaskStart(rt) })
	var wg sync.WaitGroup
	for _, h := range e.activeHosts(pc, only) {
		select {
		case e.forks <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-e.forks }()
			vars := e.varsFor(pc, t, h, nil)
			res := e.runSync(ctx, pc, t, h, vars, jobSpec{module: "shell", args: map[string]any{"_raw_params": factsScript}})
			hr := report.HostResult{Host: h}
			switch {
			case truthy(res["unreachable"]):
				hr.Status, hr.Result = report.Unreachable, res
			case truthy(res["failed"]):
				hr.Status, hr.Result = report.Failed, map[string]any{"failed": true, "changed": false, "msg": "gathering facts failed: " + strings.TrimSpace(stringOf(res["stderr"])+" "+stringOf(res["msg"]))}
			default:
				facts := map[string]any{}
				if err := json.Unmarshal([]byte(stringOf(res["stdout"])), &facts); err != nil {
					hr.Status, hr.Result = report.Failed, failure("gathering facts: unreadable output: "+err.Error())
					break
				}
				// Top-level variables keep the ansible_ prefix; ansible_facts
				// has the same facts without it, as Ansible's.
				// The setup module's own keys, as Ansible's result has them.
				facts["ansible_gather_subset"], facts["module_setup"] = []any{"all"}, true
				bare := map[string]any{}
				all := map[string]any{"ansible_facts": bare}
				for k, v := range facts {
					all[k] = v
					bare[strings.TrimPrefix(k, "ansible_")] = v
				}
				e.setFacts(h, all)
				result := maps.Clone(facts)
				result["gather_subset"] = result["ansible_gather_subset"]
				delete(result, "ansible_gather_subset")
				hr.Status, hr.Result = report.OK, map[string]any{"changed": false, "ansible_facts": result,
					"_ansible_no_log": false, "_ansible_verbose_override": true, "deprecations": []any{}, "warnings": []any{}}
			}
			e.finishHost(rt, pc, t, h, hr)
		}()
	}
	wg.Wait()
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}
