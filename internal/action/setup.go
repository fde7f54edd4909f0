package action

import (
	"context"
	"maps"
	"strings"

	"github.com/jetplay/jetplay/internal/render"
)

// factsScript prints the facts jetplay gathers in one round trip, one
// "key value" line each (parseFacts builds them): hostname, fqdn (as
// Python's socket.getfqdn), OS family and distribution (Debian's point
// release from /etc/debian_version, as Ansible), architecture, kernel,
// user, processors, memory, machine id, package and service manager, the
// IPv4 addresses, the default IPv4 route's interface and the time.
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
case "$ID" in debian|ubuntu) fam=Debian;; rhel|centos|fedora|rocky|almalinux) fam=RedHat;; alpine) fam=Alpine;; arch) fam=Archlinux;; opensuse*|sles) fam=Suse;; esac
echo "hostname ${h%%.*}"; echo "nodename $h"; echo "fqdn $fq"
echo "system $(uname -s)"; echo "kernel $(uname -r)"; echo "kernel_version $(uname -v)"; echo "machine $(uname -m)"
echo "bits $(getconf LONG_BIT 2>/dev/null)"
echo "distribution ${NAME%% *}"; echo "distribution_version $ver"; echo "distribution_release $VERSION_CODENAME"; echo "os_family $fam"
u=$(id -un 2>/dev/null); echo "user_id $u"; echo "user_uid $(id -u)"; echo "user_gid $(id -g)"
getent passwd "$u" 2>/dev/null | head -n 1 | sed 's/^/passwd /'
echo "vcpus $(grep -c '^processor' /proc/cpuinfo 2>/dev/null)"; echo "nproc $(nproc 2>/dev/null)"
awk '/^(MemTotal|MemFree|SwapTotal):/ {print "mem_" $1 " " $2}' /proc/meminfo 2>/dev/null
for f in /etc/machine-id /var/lib/dbus/machine-id; do [ -s "$f" ] && { echo "machine_id $(cat "$f")"; break; }; done
pm=unknown
case $fam in
Debian) pm=apt ;; Alpine) pm=apk ;; Archlinux) pm=pacman ;; Suse) pm=zypper ;;
RedHat) if command -v dnf >/dev/null 2>&1; then pm=dnf; else pm=yum; fi ;;
*) for m in apt-get:apt dnf:dnf yum:yum apk:apk pacman:pacman zypper:zypper; do
	command -v "${m%%:*}" >/dev/null 2>&1 && { pm=${m#*:}; break; }
done ;;
esac
echo "pkg_mgr $pm"
sm=$(cat /proc/1/comm 2>/dev/null); sm=${sm##*/}
case $sm in ""|init|COMMAND|*sh)
	if [ -d /run/systemd/system ]; then sm=systemd
	elif command -v initctl >/dev/null 2>&1 && [ -d /etc/init ]; then sm=upstart
	elif [ -e /sbin/openrc ]; then sm=openrc
	elif [ -d /etc/init.d ]; then sm=sysvinit
	else sm=service; fi ;;
esac
echo "service_mgr $sm"
hostname -I 2>/dev/null | tr ' ' '\n' | grep -v ':' | grep -v '^$' | sed 's/^/ipv4 /'
set -- $(ip -4 route get 8.8.8.8 2>/dev/null | head -n 1); dev=
while [ $# -gt 0 ]; do case $1 in via) echo "gw4 $2";; dev) dev=$2; echo "dev4 $2";; src) echo "src4 $2";; esac; shift; done
if [ -n "$dev" ]; then
	ip -4 -o addr show dev "$dev" 2>/dev/null | awk '{a=""; b=""; l=""; for (i = 1; i <= NF; i++) { if ($i == "inet") a = $(i+1); if ($i == "brd") b = $(i+1); if ($i ~ /\\$/ && l == "") l = substr($i, 1, length($i)-1) } print "addr4 " a " " (b == "" ? "-" : b) " " l}'
	echo "mac4 $(cat /sys/class/net/$dev/address 2>/dev/null)"; echo "mtu4 $(cat /sys/class/net/$dev/mtu 2>/dev/null)"; echo "type4 $(cat /sys/class/net/$dev/type 2>/dev/null)"
fi
echo "now $(date +'%s.%N %Z %z')"
y=$(date +%Y)
for m in 01 07; do t=$(date -d "$y-$m-01 12:00" +'%Z %z' 2>/dev/null) && echo "tz$m $t"; done
`

// Setup gathers the host's facts, as the strategy's "Gathering Facts"
// task does: factsScript runs as one shell job and its lines become the
// facts (parseFacts), set for the host both as ansible_ variables and under
// ansible_facts without the prefix. The result is the setup module's. An
// unreachable host gives the job's result; a failed script a failure with
// its stderr and msg. A setup task in a play is not supported: Setup is not
// in Lookup's registry.
func Setup(ctx context.Context, c *Call, e Engine) Outcome {
	res := e.Run(ctx, c, Job{Module: "shell", Args: map[string]any{"_raw_params": factsScript}}).Result
	switch {
	case render.Truthy(res["unreachable"]):
		return Outcome{Result: res}
	case render.Truthy(res["failed"]):
		return Outcome{Result: map[string]any{"failed": true, "changed": false,
			"msg": "gathering facts failed: " + strings.TrimSpace(stringOf(res["stderr"])+" "+stringOf(res["msg"]))}}
	}
	facts := parseFacts(stringOf(res["stdout"]))
	// The setup module's own keys, as Ansible's result has them.
	facts["ansible_gather_subset"], facts["module_setup"] = []any{"all"}, true
	// Top-level variables keep the ansible_ prefix; ansible_facts has the
	// same facts without it, as Ansible's.
	bare := map[string]any{}
	all := map[string]any{"ansible_facts": bare}
	for k, v := range facts {
		all[k] = v
		bare[strings.TrimPrefix(k, "ansible_")] = v
	}
	e.SetFacts(c.Host, all)
	result := maps.Clone(facts)
	result["gather_subset"] = result["ansible_gather_subset"]
	delete(result, "ansible_gather_subset")
	return Outcome{Result: map[string]any{"changed": false, "ansible_facts": result,
		"_ansible_no_log": false, "_ansible_verbose_override": true, "deprecations": []any{}, "warnings": []any{}}}
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}
