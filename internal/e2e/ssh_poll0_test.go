package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/cli/execute"
	"github.com/jetplay/jetplay/internal/cli/publish"
	"github.com/jetplay/jetplay/internal/sshdtest"
)

// poll: 0 means started: the launch returns once the job's process exists
// on its host, as Ansible's started: 1 says.

// sshPlay runs book (playbook text) on srv's hosts with the in-process
// publisher and its embedded executor, and returns the exit code and
// output.
func sshPlay(t *testing.T, srv *sshdtest.Server, book string, extra ...string) (int, string, string) {
	t.Helper()
	inv := sshInventory(t, srv)
	path := writeFile(t, t.TempDir(), "play.yml", book)
	return sshPublish(t, publish.Options{Inventories: []string{inv}, Playbooks: []string{path}, ExtraVars: extra,
		SSH: execute.SSHOptions{KnownHosts: []string{srv.KnownHosts}, HostKeyCheck: true}})
}

// TestSSHPoll0JobIsRunningWhenTheTaskReturns: a poll: 0 job writes its own
// pid file as its first action; the very next task reads it and finds the
// process alive, on every host. Without the wait for the start, the next
// task runs while the job is still queued or starting and finds no pid
// file.
func TestSSHPoll0JobIsRunningWhenTheTaskReturns(t *testing.T) {
	t.Parallel()
	srv := sshHosts(t, 3, sshdtest.Options{})
	dir := srv.TempDir(t)
	book := `- hosts: local
  gather_facts: false
  tasks:
    - name: Start a background job
      shell: "echo $$ > {{ dir }}/{{ inventory_hostname }}.pid; exec sleep 60"
      async: 120
      poll: 0
      register: bg
    - name: The job is alive
      shell: "kill -0 $(cat {{ dir }}/{{ inventory_hostname }}.pid) && echo alive"
      register: alive
    - name: Stop it
      shell: "kill $(cat {{ dir }}/{{ inventory_hostname }}.pid)"
    - name: Its status says so
      async_status:
        jid: "{{ bg.ansible_job_id }}"
      register: st
      until: st.finished
      failed_when: false
      retries: 20
      delay: 1
    - debug:
        msg: "{{ alive.stdout }} {{ st.rc }}"
`
	code, out, errOut := sshPlay(t, srv, book, "dir="+dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, h := range []string{"ssh1", "ssh2", "ssh3"} {
		if want := `ok: [` + h + `] => {
    "msg": "alive -15"
}`; !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestSSHPoll0LoopItemsStartBeforeTheNextTask: the items of a poll: 0 loop
// each mark that they started and then wait on a gate; the next task finds
// every item's mark (they all started before it ran) and opens the gate,
// and the items finish. A launch that waited for its item to end would
// never get past the first one.
func TestSSHPoll0LoopItemsStartBeforeTheNextTask(t *testing.T) {
	t.Parallel()
	srv := sshHosts(t, 2, sshdtest.Options{})
	dir := srv.TempDir(t)
	book := `- hosts: local
  gather_facts: false
  vars:
    mark: "{{ dir }}/{{ inventory_hostname }}"
  tasks:
    - name: Items wait on the gate
      shell: "touch {{ mark }}.{{ item }}; while [ ! -e {{ mark }}.gate ]; do sleep 0.05; done; echo {{ item }} through"
      loop: [a, b, c, d]
      async: 60
      poll: 0
      register: items
    - name: Every item started; open the gate
      shell: "test -e {{ mark }}.a && test -e {{ mark }}.b && test -e {{ mark }}.c && test -e {{ mark }}.d && touch {{ mark }}.gate"
    - name: The items finish
      async_status:
        jid: "{{ item.ansible_job_id }}"
      loop: "{{ items.results }}"
      register: done
      until: done.finished
      retries: 30
      delay: 1
    - debug:
        msg: "{{ done.results | map(attribute='stdout') | join(',') }}"
`
	start := time.Now()
	code, out, errOut := sshPlay(t, srv, book, "dir="+dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, h := range []string{"ssh1", "ssh2"} {
		if want := `ok: [` + h + `] => {
    "msg": "a through,b through,c through,d through"
}`; !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	t.Logf("took %s", time.Since(start).Round(time.Millisecond))
}

// TestSSHPoll0UnreachableHost: a poll: 0 job on a host that refuses the
// connection fails the task at once as unreachable, as Ansible does (it
// needs the host to launch the job), well within the async limit.
func TestSSHPoll0UnreachableHost(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	inv := writeFile(t, dir, "inventory.ini", "gone ansible_host=127.0.0.1 ansible_port=1\n")
	book := writeFile(t, dir, "play.yml", `- hosts: gone
  gather_facts: false
  tasks:
    - command: sleep 5
      async: 60
      poll: 0
`)
	start := time.Now()
	code, out, errOut := sshPublish(t, publish.Options{Inventories: []string{inv}, Playbooks: []string{book}})
	took := time.Since(start)
	if code != 4 {
		t.Fatalf("exit %d, want 4 (unreachable)\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"fatal: [gone]: UNREACHABLE! =>", "Failed to connect to the host via ssh", "connection refused"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if took > 30*time.Second {
		t.Errorf("took %s: the unreachable host was retried instead of reported", took)
	}
}

// TestPoll0WithNoExecutor: with no executor to take it, a poll: 0 job does
// not start; the task fails when the async limit passes instead of
// reporting a job that will never run as started, and the job is
// cancelled so that an executor coming later does not run it.
func TestPoll0WithNoExecutor(t *testing.T) {
	t.Parallel()
	c := startServer(t, busConfig())
	dir := t.TempDir()
	book := writeFile(t, dir, "play.yml", `- hosts: localhost
  gather_facts: false
  tasks:
    - name: Launch
      command: touch `+filepath.Join(dir, "ran")+`
      async: 2
      poll: 0
`)
	start := time.Now()
	code, out, errOut := runPublisher(t, c.url, "-o", "json", book)
	took := time.Since(start)
	if code != 2 {
		t.Fatalf("exit %d, want 2 (failed)\n%s\n%s", code, out, errOut)
	}
	res := sshHostResult(sshDoc(t, out), 0, "localhost")
	if res["failed"] != true || !strings.Contains(res["msg"].(string), "did not start within the requested time - 2s") {
		t.Errorf("result %v, want a failure saying the job did not start", res)
	}
	if took < 2*time.Second || took > 20*time.Second {
		t.Errorf("took %s, want the 2s async limit", took)
	}
	// An executor that comes now finds the job cancelled and runs nothing.
	c.startExecutor(t, "late", 2)
	run := sshDocRun(t, sshDoc(t, out))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ids, err := c.bus.RunJobs(ctx, run)
	if err != nil || len(ids) != 1 {
		t.Fatalf("jobs of the run: %v %v", ids, err)
	}
	st := waitAll(t, c, ids, 20*time.Second)[ids[0]].Status
	if st.State != "cancelled" {
		t.Errorf("job state %s (%s), want cancelled", st.State, st.Reason)
	}
	if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
		t.Error("the job ran after its task had failed")
	}
}
