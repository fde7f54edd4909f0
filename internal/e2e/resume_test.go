package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/cli/publish"
	"github.com/jetplay/jetplay/internal/cli/watch"
)

// TestResumeAfterThePublisherDies: the publisher is killed while its jobs
// run; the jobs go on, and --resume RUN finishes the run without publishing
// any job twice.
func TestResumeAfterThePublisherDies(t *testing.T) {
	c := startServer(t, busConfig())
	c.startExecutor(t, "ex", 8)
	dir := t.TempDir()
	inv := writeFile(t, dir, "inv.ini", "[targets]\nh1 ansible_connection=local\nh2 ansible_connection=local\n")
	pb := writeFile(t, dir, "pb.yml", `- hosts: targets
  gather_facts: false
  tasks:
    - name: slow step, once per host
      shell: echo x >> `+dir+`/{{ inventory_hostname }}.count; while [ ! -e `+dir+`/go ]; do sleep 0.05; done
    - name: second step
      shell: echo y >> `+dir+`/{{ inventory_hostname }}.second
      loop: [1, 2]
`)
	o := publish.Options{Forks: 5, Output: "text", NATS: c.url, LogLevel: "warn", Replicas: 1,
		Inventories: []string{inv}, Playbooks: []string{pb}}
	o.SSH.HostKeyCheck = true

	// First publisher: dies (its context ends) while the slow step runs.
	ctx, kill := context.WithCancel(context.Background())
	var out1, err1 bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- publish.Run(ctx, o, &out1, &err1) }()
	eventually(t, 20*time.Second, "slow step running on both hosts", func() bool {
		_, e1 := os.Stat(filepath.Join(dir, "h1.count"))
		_, e2 := os.Stat(filepath.Join(dir, "h2.count"))
		return e1 == nil && e2 == nil
	})
	kill()
	if code := <-done; code != publish.ExitInterrupted {
		t.Fatalf("killed publisher exit %d", code)
	}
	m := regexp.MustCompile(`jetplay run (r[0-9a-f]{18})`).FindStringSubmatch(err1.String())
	if m == nil {
		t.Fatalf("publisher did not print its run id:\n%s", err1.String())
	}
	// The jobs go on without a publisher; let them finish, and wait for the
	// whole run with the watcher.
	writeFile(t, dir, "go", "")
	if code, out, errOut := runWatcher(t, c.url, watch.Options{Run: m[1]}, "wait"); code != 0 {
		t.Fatalf("watcher wait --run: exit %d\n%s%s", code, out, errOut)
	}

	o.Resume = m[1]
	code, out2, errOut := publishOpts(t, o)
	if code != 0 {
		t.Fatalf("resume exit %d\n%s\n%s", code, out2, errOut)
	}
	for _, h := range []string{"h1", "h2"} {
		for file, want := range map[string]int{h + ".count": 1, h + ".second": 2} {
			data, _ := os.ReadFile(filepath.Join(dir, file))
			if n := strings.Count(string(data), "\n"); n != want {
				t.Errorf("%s has %d lines, want %d (a job ran twice or not at all)", file, n, want)
			}
		}
		if got := recapLine(out2, h); !strings.Contains(got, "ok=2 changed=2") || !strings.Contains(got, "failed=0") {
			t.Errorf("recap %q", got)
		}
	}
}

func publishOpts(t *testing.T, o publish.Options) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code := publish.Run(ctx, o, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}
