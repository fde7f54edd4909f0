package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/watcher"
)

func submit(t *testing.T, c *cluster, task *job.Task) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.bus.Submit(ctx, task); err != nil {
		t.Fatal(err)
	}
}

func shellTask(id job.ID, script string, async int) *job.Task {
	return &job.Task{V: job.Version, JID: id, Run: id.Run(), Host: "localhost",
		Target: job.Target{Connection: job.ConnLocal}, Module: "shell",
		Args: map[string]any{"_raw_params": script}, Async: async}
}

func waitAll(t *testing.T, c *cluster, ids []job.ID, d time.Duration) map[job.ID]watcher.Update {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	got, err := watcher.WaitAll(ctx, c.bus, ids, watcher.Final)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestTwoExecutorsShareWorkAndRunEachJobOnce: two executors on one server
// split the jobs, and every job's command runs exactly once.
func TestTwoExecutorsShareWorkAndRunEachJobOnce(t *testing.T) {
	c := startServer(t, busConfig())
	c.startExecutor(t, "ex-a", 2)
	c.startExecutor(t, "ex-b", 2)
	dir := t.TempDir()
	run := job.NewRunID()
	var ids []job.ID
	for i := 1; i <= 40; i++ {
		id := run.Job(i)
		ids = append(ids, id)
		submit(t, c, shellTask(id, fmt.Sprintf("echo ran >> %s/%d; sleep 0.05", dir, i), 0))
	}
	got := waitAll(t, c, ids, time.Minute)
	by := map[string]int{}
	for i, id := range ids {
		st := got[id].Status
		if st.State != job.Succeeded {
			t.Fatalf("%s: %s %s", id, st.State, st.Reason)
		}
		by[st.Executor]++
		data, err := os.ReadFile(filepath.Join(dir, strconv.Itoa(i+1)))
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(data), "ran"); n != 1 {
			t.Errorf("job %d ran %d times", i+1, n)
		}
	}
	if by["ex-a"] == 0 || by["ex-b"] == 0 {
		t.Errorf("work not shared: %v", by)
	}
	t.Logf("jobs per executor: %v", by)
}

// TestAsyncDeadlineKillsProcessTree: at the async deadline the job's process
// and its children are gone, and the job is timed_out.
func TestAsyncDeadlineKillsProcessTree(t *testing.T) {
	c := startServer(t, busConfig())
	c.startExecutor(t, "ex", 4)
	dir := t.TempDir()
	id := job.NewRunID().Job(1)
	// The child sleeps in the background and also ignores TERM; the group
	// still dies (KILL after the grace period).
	script := fmt.Sprintf("(trap '' TERM; sleep 300) & echo $! > %s/child; echo $$ > %s/parent; sleep 300", dir, dir)
	submit(t, c, shellTask(id, script, 1))
	st := waitAll(t, c, []job.ID{id}, 30*time.Second)[id].Status
	if st.State != job.TimedOut {
		t.Fatalf("state = %s (%s), want timed_out", st.State, st.Reason)
	}
	if st.Result["msg"] != "Timeout exceeded" {
		t.Errorf("msg = %v", st.Result["msg"])
	}
	for _, f := range []string{"parent", "child"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
		if pid <= 0 {
			t.Fatalf("bad pid in %s: %q", f, data)
		}
		eventually(t, 5*time.Second, f+" process gone", func() bool { return !alive(pid) })
	}
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(data))
	return len(fields) > 2 && fields[2] != "Z"
}

// TestBadMessagesAreRejectedNotRun: garbage on the task subject never runs
// and never stops the executor; a bad message with a jid gets a final
// rejected state naming the field.
func TestBadMessagesAreRejectedNotRun(t *testing.T) {
	c := startServer(t, busConfig())
	c.startExecutor(t, "ex", 4)
	nc, err := nats.Connect(c.url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	run := job.NewRunID()
	badModule := shellTask(run.Job(2), "true", 0)
	badModule.Module = "no_such_module"
	badModule.V = job.Version
	bm, _ := json.Marshal(badModule)
	noHost := shellTask(run.Job(3), "true", 0)
	noHost.Host = ""
	nh, _ := json.Marshal(noHost)
	for _, data := range [][]byte{[]byte("not json at all"), []byte(`{"v":1}`), bm, nh} {
		if _, err := c.js.Publish(context.Background(), job.TaskSubject(""), data); err != nil {
			t.Fatal(err)
		}
	}
	// A good job after the garbage still runs: the executor is alive.
	good := run.Job(4)
	submit(t, c, shellTask(good, "echo fine", 0))
	got := waitAll(t, c, []job.ID{run.Job(2), run.Job(3), good}, 30*time.Second)
	for id, field := range map[job.ID]string{run.Job(2): "module", run.Job(3): "host"} {
		st := got[id].Status
		if st.State != job.Rejected || !strings.Contains(st.Reason, field) {
			t.Errorf("%s: state %s reason %q, want rejected naming %q", id, st.State, st.Reason, field)
		}
	}
	if st := got[good].Status; st.State != job.Succeeded || st.Result["stdout"] != "fine" {
		t.Errorf("good job: %s %v", st.State, st.Result)
	}
	// Nothing is left on the work queue.
	eventually(t, 10*time.Second, "stream drained", func() bool {
		s, err := c.js.Stream(context.Background(), job.StreamName)
		if err != nil {
			return false
		}
		info, err := s.Info(context.Background())
		return err == nil && info.State.Msgs == 0
	})
}

// TestRedeliveredRunningJobIsNotRunAgain: a task whose job an executor
// claimed and then stopped holding (it died) is recorded lost, not rerun.
func TestRedeliveredRunningJobIsNotRunAgain(t *testing.T) {
	c := startServer(t, busConfig())
	dir := t.TempDir()
	id := job.NewRunID().Job(1)
	submit(t, c, shellTask(id, "echo ran >> "+dir+"/count", 0))
	// Play a dead executor: claim the job and never finish it.
	ctx := context.Background()
	cons, err := c.bus.Consumer(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := cons.Next(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = msg
	if _, err := c.bus.Update(ctx, id, func(s job.Status) (job.Status, error) {
		n, err := s.Move(job.Running, time.Now())
		n.Executor = "dead-executor"
		return n, err
	}); err != nil {
		t.Fatal(err)
	}
	c.startExecutor(t, "ex", 2) // gets the redelivery after AckWait
	st := waitAll(t, c, []job.ID{id}, 30*time.Second)[id].Status
	if st.State != job.Lost || !strings.Contains(st.Reason, "dead-executor") {
		t.Fatalf("state %s reason %q, want lost naming the dead executor", st.State, st.Reason)
	}
	if _, err := os.Stat(filepath.Join(dir, "count")); !os.IsNotExist(err) {
		t.Fatalf("the command ran again (stat: %v)", err)
	}
}
