package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/cli/watch"
	"github.com/jetplay/jetplay/internal/job"
)

// TestCancelRunningJobKillsItsProcessGroup: watcher cancel reaches the
// executor holding the job; its processes are gone and the state is
// cancelled, naming who asked.
func TestCancelRunningJobKillsItsProcessGroup(t *testing.T) {
	c := startServer(t, busConfig())
	c.startExecutor(t, "ex-a", 4)
	c.startExecutor(t, "ex-b", 4)
	dir := t.TempDir()
	id := job.NewRunID().Job(1)
	submit(t, c, shellTask(id, fmt.Sprintf("sleep 300 & echo $! > %s/child; sleep 300", dir), 600))
	child := filepath.Join(dir, "child")
	eventually(t, 10*time.Second, "job started", func() bool { _, err := os.Stat(child); return err == nil })
	data, _ := os.ReadFile(child)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))

	code, out, errOut := runWatcher(t, c.url, watch.Options{By: "alice"}, "cancel", string(id))
	if code != 0 {
		t.Fatalf("cancel: exit %d %s %s", code, out, errOut)
	}
	st := waitAll(t, c, []job.ID{id}, 20*time.Second)[id].Status
	if st.State != job.Cancelled || st.Reason != "cancelled by alice" {
		t.Fatalf("state %s reason %q", st.State, st.Reason)
	}
	eventually(t, 5*time.Second, "child process gone", func() bool { return !alive(pid) })
}

// TestCancelQueuedJobNeverStarts: a cancel before any executor takes the job
// keeps it from starting.
func TestCancelQueuedJobNeverStarts(t *testing.T) {
	c := startServer(t, busConfig())
	dir := t.TempDir()
	run := job.NewRunID()
	id := run.Job(1)
	submit(t, c, shellTask(id, "touch "+dir+"/ran", 0))
	if code, out, errOut := runWatcher(t, c.url, watch.Options{By: "bob", Run: string(run)}, "cancel"); code != 0 || !strings.Contains(out, "cancelled") {
		t.Fatalf("cancel --run: exit %d %s %s", code, out, errOut)
	}
	c.startExecutor(t, "ex", 2)
	st := waitAll(t, c, []job.ID{id}, 10*time.Second)[id].Status
	if st.State != job.Cancelled || !strings.Contains(st.Reason, "bob") {
		t.Fatalf("state %s reason %q", st.State, st.Reason)
	}
	// Give the executor a moment to (wrongly) run it, then check it did not.
	eventually(t, 10*time.Second, "stream drained", func() bool {
		s, err := c.js.Stream(context.Background(), job.StreamName)
		if err != nil {
			return false
		}
		info, err := s.Info(context.Background())
		return err == nil && info.State.Msgs == 0
	})
	if _, err := os.Stat(filepath.Join(dir, "ran")); !os.IsNotExist(err) {
		t.Fatal("a cancelled queued job ran")
	}
}
