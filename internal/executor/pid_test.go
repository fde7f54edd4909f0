package executor_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/watcher"
)

// TestAsyncJobRecordsItsPID: an async job's running record gets the pid of
// its command once the process exists, while the command still runs (it
// waits on a gate); the final record keeps it. A synchronous job's record
// has none.
func TestAsyncJobRecordsItsPID(t *testing.T) {
	t.Parallel()
	ctx, bs := openBus(t, 60*time.Second, bus.Config{})
	startExecutor(t, ctx, executor.Config{Bus: bs, Name: "ex"})
	dir := t.TempDir()
	gate, self := filepath.Join(dir, "gate"), filepath.Join(dir, "self")
	run := job.NewRunID()
	async := localTask(run, 1, "h1")
	async.Module, async.Async = "shell", 60
	async.Args = map[string]any{"_raw_params": "echo $$ > " + self + "; while [ ! -e " + gate + " ]; do sleep 0.05; done"}
	sync := localTask(run, 2, "h1")
	hub, err := watcher.NewHub(ctx, watcher.HubConfig{Source: bs, Patterns: []string{job.RunPattern(run)}})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Stop()
	for _, tk := range []*job.Task{async, sync} {
		if err := bs.Submit(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}

	u, err := hub.Wait(ctx, async.JID, func(u watcher.Update) (bool, error) { return u.Status.Launched(), nil })
	if err != nil {
		t.Fatal(err)
	}
	pid := u.Status.PID
	if u.Status.State != job.Running || pid <= 0 {
		t.Fatalf("record %s pid %d, want running with a pid", u.Status.State, pid)
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("recorded pid %d is not a live process: %v", pid, err)
	}
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	u, err = hub.Wait(ctx, async.JID, watcher.Final)
	if err != nil {
		t.Fatal(err)
	}
	if u.Status.State != job.Succeeded || u.Status.PID != pid {
		t.Errorf("final record %s pid %d, want succeeded with pid %d", u.Status.State, u.Status.PID, pid)
	}
	if b, _ := os.ReadFile(self); strings.TrimSpace(string(b)) != strconv.Itoa(pid) {
		t.Errorf("the command's own pid %q, recorded %d", strings.TrimSpace(string(b)), pid)
	}
	u, err = hub.Wait(ctx, sync.JID, watcher.Final)
	if err != nil {
		t.Fatal(err)
	}
	if u.Status.State != job.Succeeded || u.Status.PID != 0 {
		t.Errorf("synchronous job: %s pid %d, want succeeded without a pid", u.Status.State, u.Status.PID)
	}
}
