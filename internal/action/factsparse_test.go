package action

import (
	"reflect"
	"testing"
)

func TestParseFacts(t *testing.T) {
	t.Parallel()
	out := `hostname vm
nodename vm.example.org
fqdn vm.example.org
system Linux
kernel 6.1.0
kernel_version #1 SMP PREEMPT_DYNAMIC
machine x86_64
bits 64
distribution Debian
distribution_version 12.11
distribution_release bookworm
os_family Debian
user_id deploy
user_uid 1000
user_gid 100
passwd deploy:x:1000:100:Deploy User,,,:/home/deploy:/bin/sh
vcpus 4
nproc 2
mem_MemTotal: 2048000
mem_MemFree: 1024
mem_SwapTotal: 0
machine_id abc
pkg_mgr apt
service_mgr systemd
ipv4 10.0.0.5
ipv4 172.17.0.1
gw4 10.0.0.1
dev4 eth0
src4 10.0.0.5
addr4 10.0.0.5/22 10.0.3.255 eth0
mac4 02:00:00:00:00:01
mtu4 1500
type4 1
now 1767225600.123456789 CET +0100
tz01 CET +0100
tz07 CEST +0200
`
	f := parseFacts(out)
	want := map[string]any{
		"ansible_hostname": "vm", "ansible_fqdn": "vm.example.org", "ansible_domain": "example.org",
		"ansible_architecture": "x86_64", "ansible_userspace_architecture": "x86_64", "ansible_userspace_bits": "64",
		"ansible_distribution_version": "12.11", "ansible_distribution_major_version": "12",
		"ansible_user_id": "deploy", "ansible_user_uid": 1000, "ansible_user_gid": 100,
		"ansible_user_gecos": "Deploy User,,,", "ansible_user_dir": "/home/deploy", "ansible_user_shell": "/bin/sh",
		"ansible_processor_vcpus": 4, "ansible_processor_nproc": 2,
		"ansible_memtotal_mb": 2000, "ansible_memfree_mb": 1, "ansible_swaptotal_mb": 0,
		"ansible_all_ipv4_addresses": []any{"10.0.0.5", "172.17.0.1"},
		"ansible_default_ipv4": map[string]any{"address": "10.0.0.5", "alias": "eth0", "broadcast": "10.0.3.255",
			"gateway": "10.0.0.1", "interface": "eth0", "macaddress": "02:00:00:00:00:01", "mtu": 1500,
			"netmask": "255.255.252.0", "network": "10.0.0.0", "prefix": "22", "type": "ether"},
		// 2026-01-01 00:00:00.123456 UTC is 01:00 in CET, a Thursday in
		// week 00 (%W: the first Monday starts week 01).
		"ansible_date_time": map[string]any{"year": "2026", "month": "01", "day": "01", "hour": "01", "minute": "00",
			"second": "00", "weekday": "Thursday", "weekday_number": "4", "weeknumber": "00",
			"epoch": "1767225600", "epoch_int": "1767225600", "date": "2026-01-01", "time": "01:00:00",
			"iso8601": "2026-01-01T00:00:00Z", "iso8601_micro": "2026-01-01T00:00:00.123456Z",
			"iso8601_basic": "20260101T010000123456", "iso8601_basic_short": "20260101T010000",
			"tz": "CET", "tz_dst": "CEST", "tz_offset": "+0100"},
	}
	for k, w := range want {
		if g := f[k]; !reflect.DeepEqual(g, w) {
			t.Errorf("%s = %#v, want %#v", k, g, w)
		}
	}

	// No default route, no date: {} and no ansible_date_time.
	f = parseFacts("hostname h\nmachine aarch64\n")
	if d := f["ansible_default_ipv4"]; !reflect.DeepEqual(d, map[string]any{}) {
		t.Errorf("ansible_default_ipv4 without a route = %#v, want {}", d)
	}
	if _, ok := f["ansible_date_time"]; ok {
		t.Errorf("ansible_date_time without a time: %v", f["ansible_date_time"])
	}
	if v, ok := f["ansible_all_ipv4_addresses"].([]any); !ok || len(v) != 0 {
		t.Errorf("ansible_all_ipv4_addresses = %#v, want []", f["ansible_all_ipv4_addresses"])
	}
}
