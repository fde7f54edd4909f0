package e2e

import (
	"strings"
	"testing"

	"github.com/jetplay/jetplay/internal/cli/publish"
)

// TestFreeStrategyDoesNotWaitForSlowHosts: under strategy free a host goes
// through its tasks without waiting for the others; the JSON report still
// merges each task's hosts into one entry.
func TestFreeStrategyDoesNotWaitForSlowHosts(t *testing.T) {
	dir := t.TempDir()
	inv := writeFile(t, dir, "inv.ini", "[local]\nfast ansible_connection=local\nslow ansible_connection=local\n")
	pb := writeFile(t, dir, "pb.yml", `- hosts: local
  gather_facts: false
  strategy: free
  tasks:
    - name: first
      shell: "{{ 'while [ ! -e `+dir+`/go ]; do sleep 0.05; done' if inventory_hostname == 'slow' else 'true' }}"
    - name: second
      shell: "{{ 'touch `+dir+`/go' if inventory_hostname == 'fast' else 'true' }}"
    - name: third
      set_fact:
        done: true
`)
	o := publish.Options{Forks: 5, Output: "text", LogLevel: "warn", Executors: 1,
		Inventories: []string{inv}, Playbooks: []string{pb}}
	o.SSH.HostKeyCheck = true
	// Under linear the slow host's first task would wait for a file only the
	// fast host's second task creates: a deadlock, ended by the timeout.
	code, out, errOut := publishOpts(t, o)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if strings.Index(out, "changed: [fast]") > strings.Index(out, "changed: [slow]") {
		t.Errorf("the slow host finished first:\n%s", out)
	}
	for _, h := range []string{"fast", "slow"} {
		if got := recapLine(out, h); !strings.Contains(got, "ok=3 changed=2") {
			t.Errorf("recap %q", got)
		}
	}
}
