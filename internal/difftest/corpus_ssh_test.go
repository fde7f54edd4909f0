package difftest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/sshdtest"
)

// corpusSSHAddrs are the loopback addresses of the corpus hosts, one per
// host of the corpus inventory, in the order they first appear there.
var corpusSSHAddrs = []string{"127.0.0.2", "127.0.0.3", "127.0.0.4"}

// corpusSSHInventory writes an inventory that is src (the corpus inventory)
// with every host reached over SSH: the n-th host of src becomes the n-th
// host of srv, with ansible_host, ansible_port, ansible_user,
// ansible_ssh_private_key_file and ansible_ssh_common_args (srv's
// known_hosts, strict checking) on its line instead of
// ansible_connection=local. Groups, group vars and the other host vars stay
// as they are. It returns the new file's path.
func corpusSSHInventory(t *testing.T, src string, srv *sshdtest.Server) string {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "# Generated from %s by corpusSSHInventory: the hosts over OpenSSH on loopback.\n", src)
	hosts := map[string]sshdtest.Host{}
	hostSection := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "["):
			hostSection = !strings.Contains(trimmed, ":")
		case hostSection && trimmed != "" && !strings.HasPrefix(trimmed, "#") && !strings.HasPrefix(trimmed, ";"):
			fields := strings.Fields(trimmed)
			name := fields[0]
			for _, fl := range fields[1:] {
				if v, ok := strings.CutPrefix(fl, "ansible_connection="); ok && v != "local" {
					t.Fatalf("%s:%d: host %s has ansible_connection=%s: only local hosts can be moved to SSH", src, n, name, v)
				}
			}
			h, ok := hosts[name]
			if !ok {
				if len(hosts) == len(srv.Hosts) {
					t.Fatalf("%s:%d: host %s: more hosts than the %d sshd addresses", src, n, name, len(srv.Hosts))
				}
				h = srv.Hosts[len(hosts)]
				hosts[name] = h
			}
			rest := strings.TrimSpace(strings.Replace(trimmed, " ansible_connection=local", "", 1))
			line = fmt.Sprintf("%s ansible_host=%s ansible_port=%d ansible_user=%s ansible_ssh_private_key_file=%s ansible_ssh_common_args='-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes'",
				rest, h.Addr, h.Port, h.User, h.KeyFile, h.KnownHosts)
		}
		b.WriteString(line + "\n")
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(hosts) == 0 {
		t.Fatalf("%s: no hosts", src)
	}
	p := filepath.Join(t.TempDir(), "inventory.ini")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// corpusSSHAnsibleEnv is the environment of ansible-playbook's corpus runs
// over SSH: cleanEnv, an empty ansible.cfg, the json callback, no colour, no
// retry files, host keys checked (by the inventory's known_hosts), pipelining
// and ssh connections shared through ControlPersist masters whose sockets
// are in a directory of the test's own; the masters are closed when the test
// ends. Ansible's temporary directories, local and on the hosts, are the
// test's too.
func corpusSSHAnsibleEnv(t *testing.T, srv *sshdtest.Server) []string {
	t.Helper()
	tmp := t.TempDir()
	cfg := filepath.Join(tmp, "ansible.cfg")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// A socket path must fit in sun_path (108 bytes): a short directory of
	// its own, and %C (a 40-character hash) as the name.
	cp, err := os.MkdirTemp("", "cp")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		closeMasters(t, cp)
		_ = os.RemoveAll(cp)
	})
	return append(cleanEnv(),
		"ANSIBLE_CONFIG="+cfg,
		"ANSIBLE_STDOUT_CALLBACK=json",
		"ANSIBLE_NOCOLOR=1",
		"ANSIBLE_RETRY_FILES_ENABLED=False",
		"ANSIBLE_PIPELINING=True",
		"ANSIBLE_SSH_ARGS=-o ControlMaster=auto -o ControlPersist=60s -o ControlPath="+cp+"/%C",
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(tmp, "local"),
		"ANSIBLE_REMOTE_TEMP="+filepath.Join(srv.TempDir(t), "remote"),
	)
}

// closeMasters ends the ssh ControlPersist masters whose sockets are in dir.
func closeMasters(t *testing.T, dir string) {
	t.Helper()
	socks, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Error(err)
		return
	}
	for _, s := range socks {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		out, err := exec.CommandContext(ctx, "ssh", "-o", "ControlPath="+s, "-O", "exit", "corpus-host").CombinedOutput()
		cancel()
		if err != nil {
			t.Logf("ssh -O exit %s: %v: %s", s, err, out)
		}
	}
}
