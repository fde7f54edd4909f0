package e2e

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/jetplay/jetplay/internal/cli/execute"
	"github.com/jetplay/jetplay/internal/cli/publish"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/sshdtest"
)

// sshDoc decodes the publisher's -o json document.
func sshDoc(t *testing.T, out string) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(out[strings.IndexByte(out, '{'):]), &doc); err != nil {
		t.Fatalf("json output: %v\n%s", err, out)
	}
	return doc
}

// sshDocRun is the run id of a json document (the id of its plays).
func sshDocRun(t *testing.T, doc map[string]any) job.RunID {
	t.Helper()
	plays, _ := doc["plays"].([]any)
	if len(plays) == 0 {
		t.Fatal("no play in the json document")
	}
	id, _ := plays[0].(map[string]any)["play"].(map[string]any)["id"].(string)
	m := regexp.MustCompile(`^(r[0-9a-f]{12,})(?:-play\d+)?$`).FindStringSubmatch(id)
	if m == nil {
		t.Fatalf("play id %q does not start with a run id", id)
	}
	return job.RunID(m[1])
}

// sshHostResult is the result of host for task k of play 0.
func sshHostResult(doc map[string]any, k int, host string) map[string]any {
	plays, _ := doc["plays"].([]any)
	tasks, _ := plays[0].(map[string]any)["tasks"].([]any)
	if k >= len(tasks) {
		return nil
	}
	r, _ := tasks[k].(map[string]any)["hosts"].(map[string]any)[host].(map[string]any)
	return r
}

// TestSSHWrongHostKey: a host whose key does not match the known_hosts file
// is unreachable with an error naming the host and the file; with host key
// checking off the same run connects and a warning says checking is off.
func TestSSHWrongHostKey(t *testing.T) {
	t.Parallel()
	srv := sshHosts(t, 1, sshdtest.Options{})
	inv := sshInventory(t, srv)
	dir := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Hosts[0]
	wrong := writeFile(t, dir, "known_hosts_wrong",
		knownhosts.Line([]string{knownhosts.Normalize(net.JoinHostPort(h.Addr, strconv.Itoa(h.Port)))}, other)+"\n")
	book := writeFile(t, dir, "echo.yml", "- hosts: local\n  gather_facts: false\n  tasks:\n    - name: Echo\n      command: echo hi\n")

	code, out, errOut := sshPublish(t, publish.Options{Inventories: []string{inv}, Playbooks: []string{book},
		SSH: execute.SSHOptions{KnownHosts: []string{wrong}, HostKeyCheck: true}})
	if code != 4 {
		t.Fatalf("exit %d, want 4 (unreachable)\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"fatal: [ssh1]: UNREACHABLE!", "Failed to connect to the host via ssh", "ssh1", wrong, "does not match"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if got := recapLine(out, "ssh1"); !strings.Contains(got, "unreachable=1") {
		t.Errorf("recap %q, want unreachable=1", got)
	}

	code, out, errOut = sshPublish(t, publish.Options{Inventories: []string{inv}, Playbooks: []string{book},
		SSH: execute.SSHOptions{KnownHosts: []string{wrong}, HostKeyCheck: false}})
	if code != 0 || !strings.Contains(out, "changed: [ssh1]") {
		t.Fatalf("with checking off: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "host key checking is off") || !strings.Contains(errOut, "ssh1") {
		t.Errorf("no warning naming ssh1 that host key checking is off; stderr:\n%s", errOut)
	}
}

// twentyTasks is a playbook of 20 tasks: commands, shells, async with poll
// and fire-and-forget jobs with their async_status.
func twentyTasks() string {
	var b strings.Builder
	b.WriteString("- name: Twenty tasks\n  hosts: local\n  gather_facts: false\n  tasks:\n")
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(&b, "    - name: Command %d\n      command: echo {{ inventory_hostname }} %d\n", i, i)
	}
	for i := 11; i <= 14; i++ {
		fmt.Fprintf(&b, "    - name: Shell %d\n      shell: echo %d | tr 1 x\n", i, i)
	}
	for i := 15; i <= 16; i++ {
		fmt.Fprintf(&b, "    - name: Async with poll %d\n      command: sleep 0.2\n      async: 10\n      poll: 1\n", i)
	}
	for i := 17; i <= 18; i++ {
		fmt.Fprintf(&b, "    - name: Fire and forget %d\n      command: sleep 0.5\n      async: 10\n      poll: 0\n      register: job%d\n", i, i)
	}
	for i := 17; i <= 18; i++ {
		fmt.Fprintf(&b, "    - name: Wait for %d\n      async_status:\n        jid: \"{{ job%d.ansible_job_id }}\"\n      register: w%d\n      until: w%d.finished\n      retries: 10\n      delay: 1\n", i, i, i, i)
	}
	return b.String()
}

// TestSSHOneConnectionPerHost: one run of a 20-task playbook over three
// hosts opens exactly one SSH connection per host (sshd's VERBOSE log
// counts the logins), and leaves no job directory behind.
func TestSSHOneConnectionPerHost(t *testing.T) {
	t.Parallel()
	srv := sshHosts(t, 3, sshdtest.Options{LogLevel: "VERBOSE"})
	inv := sshInventory(t, srv)
	book := writeFile(t, t.TempDir(), "twenty.yml", twentyTasks())
	start := time.Now()
	code, out, errOut := sshPublish(t, publish.Options{Inventories: []string{inv}, Playbooks: []string{book}, Output: "json",
		SSH: execute.SSHOptions{KnownHosts: []string{srv.KnownHosts}, HostKeyCheck: true}})
	took := time.Since(start)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	doc := sshDoc(t, out)
	stats, _ := doc["stats"].(map[string]any)
	for i, h := range srv.Hosts {
		name := "ssh" + strconv.Itoa(i+1)
		s, _ := stats[name].(map[string]any)
		if s["ok"] != float64(20) || s["failures"] != float64(0) || s["unreachable"] != float64(0) {
			t.Errorf("recap of %s: %v, want ok=20 and no failure", name, s)
		}
		n := sshLogins(srv.Log(), h)
		t.Logf("%s: %d SSH connection(s) for 20 tasks", name, n)
		if n != 1 {
			t.Errorf("%s: %d SSH connections, want 1", name, n)
		}
	}
	if n := strings.Count(srv.Log(), "Accepted publickey"); n != len(srv.Hosts) {
		t.Errorf("%d logins for %d hosts; sshd log:\n%s", n, len(srv.Hosts), srv.Log())
	}
	t.Logf("20 tasks on 3 hosts in %s", took.Round(time.Millisecond))
	sshCheckNoJobDirs(t, srv, sshDocRun(t, doc))
}

var (
	sshAcceptedRE = regexp.MustCompile(`Accepted publickey for \S+ from \S+ port (\d+) `)
	sshConnRE     = regexp.MustCompile(`Connection from \S+ port (\d+) on (\S+) port (\d+) `)
)

// sshLogins counts the logins to h in a VERBOSE sshd log: the connections
// to h's address and port whose client port logged in (sshdtest's own
// readiness probes connect without logging in).
func sshLogins(log string, h sshdtest.Host) int {
	in := map[string]bool{}
	for _, m := range sshAcceptedRE.FindAllStringSubmatch(log, -1) {
		in[m[1]] = true
	}
	n := 0
	for _, m := range sshConnRE.FindAllStringSubmatch(log, -1) {
		if in[m[1]] && m[2] == h.Addr && m[3] == strconv.Itoa(h.Port) {
			n++
		}
	}
	return n
}

// TestSSHWaitForConnectionHostComesBack: wait_for_connection against a host
// whose sshd is down succeeds once sshd comes back on the same address.
func TestSSHWaitForConnectionHostComesBack(t *testing.T) {
	t.Parallel()
	srv := sshHosts(t, 1, sshdtest.Options{})
	inv := sshInventory(t, srv)
	book := writeFile(t, t.TempDir(), "wait.yml", `- hosts: local
  gather_facts: false
  tasks:
    - name: Wait for the host
      wait_for_connection:
        timeout: 60
        sleep: 1
`)
	srv.Stop()
	type outcome struct {
		code      int
		out, errs string
	}
	done := make(chan outcome, 1)
	go func() {
		code, out, errOut := sshPublish(t, publish.Options{Inventories: []string{inv}, Playbooks: []string{book}, Output: "json",
			SSH: execute.SSHOptions{KnownHosts: []string{srv.KnownHosts}, HostKeyCheck: true}})
		done <- outcome{code, out, errOut}
	}()
	select {
	case o := <-done:
		t.Fatalf("the wait ended while the host was down: exit %d\n%s\n%s", o.code, o.out, o.errs)
	case <-time.After(3 * time.Second):
	}
	srv.Restart(t)
	var o outcome
	select {
	case o = <-done:
	case <-time.After(90 * time.Second):
		t.Fatal("wait_for_connection did not end 90s after the host came back")
	}
	if o.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", o.code, o.out, o.errs)
	}
	r := sshHostResult(sshDoc(t, o.out), 0, "ssh1")
	if el, _ := r["elapsed"].(float64); el < 2 || r["changed"] != false {
		t.Errorf("result %v, want changed false and elapsed >= 2", r)
	}
}

// TestSSHBecomeAsyncPollZero: become with poll 0 over SSH: the job runs as
// become_user and async_status collects its output.
func TestSSHBecomeAsyncPollZero(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("sudo"); err != nil {
		t.Skip("sudo is not installed")
	}
	// The current user (root in CI, which may sudo) with a clean HOME, so
	// that its ~/.bashrc does not run at each session.
	srv := sshdtest.Start(t, sshdtest.Options{Addrs: []string{"127.0.0.2"}, CleanHome: true})
	inv := sshInventory(t, srv)
	book := writeFile(t, t.TempDir(), "become.yml", `- hosts: local
  gather_facts: false
  become: true
  become_user: nobody
  tasks:
    - name: Start as nobody
      command: id -un
      async: 10
      poll: 0
      register: started
    - name: Collect
      async_status:
        jid: "{{ started.ansible_job_id }}"
      register: res
      until: res.finished
      retries: 10
      delay: 1
    - name: It ran as nobody
      assert:
        that:
          - res.stdout == 'nobody'
`)
	code, out, errOut := sshPublish(t, publish.Options{Inventories: []string{inv}, Playbooks: []string{book}, Output: "json",
		SSH: execute.SSHOptions{KnownHosts: []string{srv.KnownHosts}, HostKeyCheck: true}})
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	doc := sshDoc(t, out)
	if r := sshHostResult(doc, 0, "ssh1"); r["started"] != float64(1) || r["finished"] != float64(0) {
		t.Errorf("launch result %v, want started 1 finished 0", r)
	}
	if r := sshHostResult(doc, 1, "ssh1"); r["stdout"] != "nobody" || r["rc"] != float64(0) {
		t.Errorf("async_status result %v, want stdout nobody rc 0", r)
	}
	sshCheckNoJobDirs(t, srv, sshDocRun(t, doc))
}
