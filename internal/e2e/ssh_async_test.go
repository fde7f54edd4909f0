package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/sshdtest"
)

// fileExists reports whether name exists.
func sshFileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

// TestSSHDropMidAsyncJobStillRecordsResult: the SSH connection dies while
// the executor waits for a detached job (the server-side sshd processes of
// the connection are killed); the executor reconnects and the job's final
// status carries the command's real output.
func TestSSHDropMidAsyncJobStillRecordsResult(t *testing.T) {
	t.Parallel()
	srv := sshHosts(t, 1, sshdtest.Options{})
	c := startServer(t, busConfig())
	pool := sshPool(t, srv)
	c.sshExecutor(t, "ex", pool, 5*time.Second)
	dir := srv.TempDir(t)
	id := job.NewRunID().Job(1)
	script := "echo $$ > " + dir + "/started; sleep 3; echo real output; echo on stderr >&2"
	submit(t, c, sshTask(id, "ssh1", srv.Hosts[0], script, 60))
	eventually(t, 20*time.Second, "job started on the host", func() bool { return sshFileExists(dir + "/started") })
	before := pool.Stats().Handshakes
	if n := srv.DropConns(); n == 0 {
		t.Fatal("no sshd connection process to kill")
	}
	st := waitAll(t, c, []job.ID{id}, 60*time.Second)[id].Status
	if st.State != job.Succeeded {
		t.Fatalf("state %s (%s) %v, want succeeded", st.State, st.Reason, st.Result)
	}
	if st.Result["stdout"] != "real output" || st.Result["stderr"] != "on stderr" {
		t.Errorf("stdout %q stderr %q, want the command's output", st.Result["stdout"], st.Result["stderr"])
	}
	if after := pool.Stats().Handshakes; after <= before {
		t.Errorf("handshakes %d → %d: the executor never reconnected, so the drop missed the connection", before, after)
	}
	sshCheckNoJobDirs(t, srv, id.Run())
}

// buildExecutor builds cmd/executor into the test's temporary directory.
func buildExecutor(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "executor")
	out, err := exec.Command("go", "build", "-o", bin, filepath.Join(repoRoot(t), "cmd", "executor")).CombinedOutput()
	if err != nil {
		t.Fatalf("go build ./cmd/executor: %v\n%s", err, out)
	}
	return bin
}

// TestSSHExecutorKilledMidAsyncJobRunsOnce: the executor daemon (a real
// process) is SIGKILLed while a detached SSH job runs; another executor
// takes the redelivered task over, re-attaches to the job on the host and
// records its result, and the command ran exactly once.
func TestSSHExecutorKilledMidAsyncJobRunsOnce(t *testing.T) {
	t.Parallel()
	bin := buildExecutor(t)
	srv := sshHosts(t, 1, sshdtest.Options{})
	c := startServer(t, busConfig())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The consumer exists with the short AckWait before the daemon starts.
	if _, err := c.bus.Consumer(ctx, ""); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, bin, c.url, "ex-daemon", srv, "--log-level", "debug")

	dir := srv.TempDir(t)
	id := job.NewRunID().Job(1)
	script := "echo x >> " + dir + "/count; sleep 6; echo finished"
	submit(t, c, sshTask(id, "ssh1", srv.Hosts[0], script, 60))
	eventually(t, 30*time.Second, "the daemon ran the command", func() bool {
		b, _ := os.ReadFile(dir + "/count")
		return len(b) > 0
	})
	st, _, err := c.bus.Status(ctx, id)
	if err != nil || st.State != job.Running || st.Executor != "ex-daemon" {
		t.Fatalf("status %+v (%v), want running under ex-daemon", st, err)
	}
	// Looked up again: the consumer's settings as the server has them now.
	cons, err := c.bus.Consumer(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	limits, ok := cons.Limits()
	if !ok {
		t.Fatal("no consumer info")
	}
	// The daemon takes the consumer as it is: it must not reset AckWait to
	// its own default (30s).
	if got := limits.AckWait; got != busConfig().AckWait {
		t.Errorf("the executor daemon changed the consumer's AckWait from %s to %s", busConfig().AckWait, got)
	}
	d.kill(t)
	killedAt := time.Now()

	c.sshExecutor(t, "ex-b", sshPool(t, srv), 5*time.Second)
	st = waitAll(t, c, []job.ID{id}, 90*time.Second)[id].Status
	t.Logf("result collected %s after the kill", time.Since(killedAt).Round(time.Millisecond))
	if st.State != job.Succeeded || st.Executor != "ex-b" {
		t.Fatalf("state %s by %s (%s) %v, want succeeded by ex-b", st.State, st.Executor, st.Reason, st.Result)
	}
	if st.Result["stdout"] != "finished" {
		t.Errorf("stdout %q, want the command's output", st.Result["stdout"])
	}
	b, _ := os.ReadFile(dir + "/count")
	if n := strings.Count(string(b), "x"); n != 1 {
		t.Errorf("the command ran %d times, want once", n)
	}
	sshCheckNoJobDirs(t, srv, id.Run())
}

// TestSSHAsyncDeadlineWithNoExecutorConnected: an executor stops while a
// detached SSH job runs (it hands the job back, it does not kill it); at the
// job's deadline the job's whole process group is gone from the host with no
// executor connected, and the next executor records the job timed_out.
func TestSSHAsyncDeadlineWithNoExecutorConnected(t *testing.T) {
	t.Parallel()
	srv := sshHosts(t, 1, sshdtest.Options{})
	c := startServer(t, busConfig())
	pool := sshPool(t, srv)
	stop := c.sshExecutor(t, "ex-1", pool, 100*time.Millisecond)
	dir := srv.TempDir(t)
	id := job.NewRunID().Job(1)
	// The child ignores TERM: the watchdog's KILL after the grace ends it.
	script := "(trap '' TERM; sleep 300) & echo $! > " + dir + "/child; echo $$ > " + dir + "/parent; sleep 300"
	const deadline = 3
	submit(t, c, sshTask(id, "ssh1", srv.Hosts[0], script, deadline))
	var pids []int
	eventually(t, 20*time.Second, "job started on the host", func() bool {
		pids = pids[:0]
		for _, f := range []string{"parent", "child"} {
			b, _ := os.ReadFile(filepath.Join(dir, f))
			pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
			if pid <= 0 {
				return false
			}
			pids = append(pids, pid)
		}
		return true
	})
	started := time.Now()
	stop()
	_ = pool.Close()
	eventually(t, 10*time.Second, "no SSH connection left", func() bool { return len(srv.ConnPIDs()) == 0 })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if st, _, err := c.bus.Status(ctx, id); err != nil || st.State != job.Running {
		t.Fatalf("after the stop: %s (%s) %v, want still running (handed back)", st.State, st.Reason, err)
	}
	for _, pid := range pids {
		if !alive(pid) {
			t.Fatalf("process %d died when the executor stopped: a stop must not kill detached jobs", pid)
		}
	}
	// Deadline, then the grace between TERM and KILL (2s), plus slack.
	eventually(t, deadline*time.Second+20*time.Second, "the job's processes gone", func() bool {
		for _, pid := range pids {
			if alive(pid) {
				return false
			}
		}
		return true
	})
	t.Logf("processes gone %s after the job started (deadline %ds)", time.Since(started).Round(100*time.Millisecond), deadline)
	if n := len(srv.ConnPIDs()); n != 0 {
		t.Fatalf("%d sshd connection processes: an executor was connected", n)
	}

	c.sshExecutor(t, "ex-2", sshPool(t, srv), 5*time.Second)
	st := waitAll(t, c, []job.ID{id}, 60*time.Second)[id].Status
	if st.State != job.TimedOut {
		t.Fatalf("state %s (%s) %v, want timed_out", st.State, st.Reason, st.Result)
	}
	if st.Result["msg"] != "Timeout exceeded" {
		t.Errorf("msg = %v, want Timeout exceeded", st.Result["msg"])
	}
	sshCheckNoJobDirs(t, srv, id.Run())
}
