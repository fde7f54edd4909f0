package action

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// factsText are the facts factsScript prints as they are (strings).
var factsText = []string{
	"hostname", "nodename", "fqdn", "system", "kernel", "kernel_version", "machine", "distribution",
	"distribution_version", "distribution_release", "os_family", "user_id", "machine_id", "pkg_mgr", "service_mgr",
}

// interfaceTypes names /sys/class/net/<if>/type, as Ansible's LinuxNetwork.
var interfaceTypes = map[string]string{"1": "ether", "32": "infiniband", "512": "ppp", "772": "loopback", "65534": "tunnel"}

// parseFacts turns factsScript's "key value" lines into the facts, named
// and typed as Ansible's setup module names and types them (ansible_ prefix).
func parseFacts(out string) map[string]any {
	kv := map[string]string{}
	var ipv4 []any
	for _, line := range strings.Split(out, "\n") {
		k, v, _ := strings.Cut(line, " ")
		if k == "" {
			continue
		}
		if k == "ipv4" {
			ipv4 = append(ipv4, v)
			continue
		}
		kv[k] = v
	}
	f := map[string]any{"ansible_all_ipv4_addresses": append([]any{}, ipv4...)}
	for _, k := range factsText {
		if v, ok := kv[k]; ok {
			f["ansible_"+k] = v
		}
	}
	f["ansible_architecture"] = kv["machine"]
	ver := kv["distribution_version"]
	f["ansible_distribution_major_version"], _, _ = strings.Cut(ver, ".")
	// socket.getfqdn's domain: what follows the first dot.
	_, domain, _ := strings.Cut(kv["fqdn"], ".")
	f["ansible_domain"] = domain
	if bits := kv["bits"]; bits != "" {
		f["ansible_userspace_bits"] = bits
		if kv["machine"] == "x86_64" {
			f["ansible_userspace_architecture"] = map[string]string{"64": "x86_64", "32": "i386"}[bits]
		}
	}
	for key, name := range map[string]string{"user_uid": "ansible_user_uid", "user_gid": "ansible_user_gid",
		"vcpus": "ansible_processor_vcpus", "nproc": "ansible_processor_nproc"} {
		if n, err := strconv.Atoi(kv[key]); err == nil {
			f[name] = n
		}
	}
	for key, name := range map[string]string{"mem_MemTotal:": "ansible_memtotal_mb", "mem_MemFree:": "ansible_memfree_mb",
		"mem_SwapTotal:": "ansible_swaptotal_mb"} {
		if n, err := strconv.Atoi(kv[key]); err == nil {
			f[name] = n / 1024
		}
	}
	// name:x:uid:gid:gecos:dir:shell
	if p := strings.Split(kv["passwd"], ":"); len(p) >= 7 {
		f["ansible_user_gecos"], f["ansible_user_dir"], f["ansible_user_shell"] = p[4], p[5], p[6]
	}
	f["ansible_default_ipv4"] = defaultIPv4(kv)
	if dt, ok := dateTimeFacts(kv); ok {
		f["ansible_date_time"] = dt
	}
	return f
}

// defaultIPv4 is ansible_default_ipv4: the interface of the route to
// 8.8.8.8 with the address it uses; {} without such a route.
func defaultIPv4(kv map[string]string) map[string]any {
	dev, src := kv["dev4"], kv["src4"]
	if dev == "" || src == "" {
		return map[string]any{}
	}
	d := map[string]any{"interface": dev, "address": src}
	if gw := kv["gw4"]; gw != "" {
		d["gateway"] = gw
	}
	// "addr4 <address>/<prefix> <broadcast or -> <label>"
	if a := strings.Fields(kv["addr4"]); len(a) >= 2 {
		if ip, ipnet, err := net.ParseCIDR(a[0]); err == nil && ip.String() == src {
			ones, _ := ipnet.Mask.Size()
			d["netmask"] = net.IP(ipnet.Mask).String()
			d["network"] = ipnet.IP.String()
			d["prefix"] = strconv.Itoa(ones)
			if a[1] != "-" {
				d["broadcast"] = a[1]
			}
			if len(a) >= 3 {
				d["alias"] = a[2]
			}
		}
	}
	if mac := kv["mac4"]; mac != "" {
		d["macaddress"] = mac
	}
	if mtu, err := strconv.Atoi(kv["mtu4"]); err == nil {
		d["mtu"] = mtu
	}
	if t, ok := interfaceTypes[kv["type4"]]; ok {
		d["type"] = t
	} else if kv["type4"] != "" {
		d["type"] = "unknown"
	}
	return d
}

// dateTimeFacts is ansible_date_time from "now <epoch.ns> <zone> <±hhmm>":
// every field a string, as Ansible's date_time collector gives them;
// tz_dst is the zone's daylight-saving name (Python's time.tzname[1]),
// from the zone in January and July ("tz01", "tz07").
func dateTimeFacts(kv map[string]string) (map[string]any, bool) {
	f := strings.Fields(kv["now"])
	if len(f) != 3 {
		return nil, false
	}
	secs, frac, _ := strings.Cut(f[0], ".")
	sec, err1 := strconv.ParseInt(secs, 10, 64)
	ns, err2 := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
	off, err3 := parseOffset(f[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, false
	}
	t := time.Unix(sec, ns)
	now := t.In(time.FixedZone(f[1], off))
	utc := t.UTC()
	micro := fmt.Sprintf("%06d", now.Nanosecond()/1000)
	monday := (int(now.Weekday()) + 6) % 7
	dst := f[1]
	jan, jul := strings.Fields(kv["tz01"]), strings.Fields(kv["tz07"])
	if len(jan) == 2 && len(jul) == 2 && jan[0] != jul[0] {
		// The daylight-saving name is the one with the larger offset.
		oj, _ := parseOffset(jan[1])
		ol, _ := parseOffset(jul[1])
		if dst = jul[0]; oj > ol {
			dst = jan[0]
		}
	}
	return map[string]any{
		"year": now.Format("2006"), "month": now.Format("01"), "weekday": now.Weekday().String(),
		"weekday_number": strconv.Itoa(int(now.Weekday())), "weeknumber": fmt.Sprintf("%02d", (now.YearDay()-1+7-monday)/7),
		"day": now.Format("02"), "hour": now.Format("15"), "minute": now.Format("04"), "second": now.Format("05"),
		"epoch": secs, "epoch_int": secs, "date": now.Format("2006-01-02"), "time": now.Format("15:04:05"),
		"iso8601_micro": utc.Format("2006-01-02T15:04:05.") + micro + "Z", "iso8601": utc.Format("2006-01-02T15:04:05Z"),
		"iso8601_basic": now.Format("20060102T150405") + micro, "iso8601_basic_short": now.Format("20060102T150405"),
		"tz": f[1], "tz_dst": dst, "tz_offset": f[2],
	}, true
}

// parseOffset turns date's %z (+0130) into seconds east of UTC.
func parseOffset(z string) (int, error) {
	if len(z) != 5 || (z[0] != '+' && z[0] != '-') {
		return 0, fmt.Errorf("bad offset %q", z)
	}
	h, err1 := strconv.Atoi(z[1:3])
	m, err2 := strconv.Atoi(z[3:5])
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad offset %q", z)
	}
	s := h*3600 + m*60
	if z[0] == '-' {
		s = -s
	}
	return s, nil
}
