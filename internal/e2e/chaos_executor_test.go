package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/cli/watch"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/sshdtest"
)

// daemon is an executor process started by startDaemon.
type daemon struct {
	cmd    *exec.Cmd
	exited <-chan struct{}
}

// kill SIGKILLs the daemon and waits until it has exited.
func (d *daemon) kill(t *testing.T) {
	t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-d.exited
}

// startDaemon runs the executor binary against the test's server, reaching
// srv's hosts, with extra flags after the defaults (a later flag wins); it
// is killed at cleanup, and its log shown if the test failed.
func startDaemon(t *testing.T, bin, url, name string, srv *sshdtest.Server, extra ...string) *daemon {
	t.Helper()
	var logs sshdtest.SyncBuffer
	args := append([]string{"--nats", url, "--name", name, "--known-hosts", srv.KnownHosts,
		"--private-key", srv.KeyFile, "-u", srv.User, "--concurrency", "24", "--log-level", "warn"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK=", "NATS_URL=")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("executor %s log:\n%s", name, logs.String())
		}
	})
	return &daemon{cmd: cmd, exited: exited}
}

// TestChaosExecutorKilledMidRun: three executor daemons share 200 detached
// SSH jobs of one to three seconds on three hosts; one daemon is SIGKILLed
// in the middle. Every job ends succeeded, and every command ran exactly
// once (a counter file per job on the host).
func TestChaosExecutorKilledMidRun(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test")
	}
	t.Parallel()
	bin := buildExecutor(t)
	srv := sshHosts(t, 3, sshdtest.Options{MaxSessions: 100})
	c := startServer(t, busConfig())
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if _, err := c.bus.Consumer(ctx, ""); err != nil { // short AckWait in force
		t.Fatal(err)
	}
	daemons := map[string]*daemon{}
	for _, name := range []string{"ex1", "ex2", "ex3"} {
		daemons[name] = startDaemon(t, bin, c.url, name, srv)
	}
	dir := srv.TempDir(t)
	run := job.NewRunID()
	var ids []job.ID
	for i := 1; i <= 200; i++ {
		id := run.Job(i)
		ids = append(ids, id)
		h := srv.Hosts[i%3]
		script := fmt.Sprintf("echo x >> %s/%d; sleep %d", dir, i, 1+i%3)
		submit(t, c, sshTask(id, fmt.Sprintf("ssh%d", i%3+1), h, script, 120))
	}
	// Kill ex2 once it holds running jobs and a quarter of the run is done.
	eventually(t, 90*time.Second, "ex2 busy and 50 jobs final", func() bool {
		final, ex2 := 0, 0
		for _, id := range ids {
			st, _, err := c.bus.Status(ctx, id)
			if err != nil {
				continue
			}
			if st.State.Final() {
				final++
			} else if st.State == job.Running && st.Executor == "ex2" {
				ex2++
			}
		}
		return final >= 50 && ex2 > 0
	})
	daemons["ex2"].kill(t)
	killedAt := time.Now()
	got := waitAll(t, c, ids, 3*time.Minute)
	t.Logf("all 200 final %s after the kill", time.Since(killedAt).Round(time.Millisecond))
	byExec := map[string]int{}
	reattached := 0
	for i, id := range ids {
		st := got[id].Status
		byExec[st.Executor]++
		if strings.Contains(st.Reason, "re-attached") {
			reattached++
		}
		if st.State != job.Succeeded {
			t.Errorf("%s: %s by %s (%s)", id, st.State, st.Executor, st.Reason)
		}
		b, _ := os.ReadFile(filepath.Join(dir, strconv.Itoa(i+1)))
		if n := strings.Count(string(b), "x"); n != 1 {
			t.Errorf("job %d ran %d times", i+1, n)
		}
	}
	t.Logf("finished by: %v; re-attached after the kill: %d", byExec, reattached)
	if reattached == 0 {
		t.Error("no job was re-attached: the kill did not hit a running job")
	}
	sshCheckNoJobDirs(t, srv, run)
}

// TestCancelRunningRemoteJob: a cancel reaches the executor holding a
// detached SSH job; its process group is gone from the host and the job is
// cancelled.
func TestCancelRunningRemoteJob(t *testing.T) {
	t.Parallel()
	srv := sshHosts(t, 1, sshdtest.Options{})
	c := startServer(t, busConfig())
	c.sshExecutor(t, "ex", sshPool(t, srv), 5*time.Second)
	dir := srv.TempDir(t)
	id := job.NewRunID().Job(1)
	submit(t, c, sshTask(id, "ssh1", srv.Hosts[0], fmt.Sprintf("sleep 300 & echo $! > %s/child; sleep 300", dir), 600))
	child := filepath.Join(dir, "child")
	eventually(t, 20*time.Second, "remote job started", func() bool { b, _ := os.ReadFile(child); return len(b) > 0 })
	b, _ := os.ReadFile(child)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if code, out, errOut := runWatcher(t, c.url, watch.Options{By: "carol"}, "cancel", string(id)); code != 0 {
		t.Fatalf("cancel: exit %d %s %s", code, out, errOut)
	}
	st := waitAll(t, c, []job.ID{id}, 30*time.Second)[id].Status
	if st.State != job.Cancelled || st.Reason != "cancelled by carol" {
		t.Fatalf("state %s reason %q", st.State, st.Reason)
	}
	eventually(t, 10*time.Second, "remote process group gone", func() bool { return !alive(pid) })
	sshCheckNoJobDirs(t, srv, id.Run())
}
