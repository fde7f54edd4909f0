package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/cli/watch"
	"github.com/jetplay/jetplay/internal/job"
)

func runWatcher(t *testing.T, url string, o watch.Options, cmd string, args ...string) (int, string, string) {
	t.Helper()
	o.NATS = url
	if o.LogLevel == "" {
		o.LogLevel = "error"
	}
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := watch.Run(ctx, o, cmd, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestWatcherExitCodes: wait exits 0 when every job succeeded, 2 when one
// failed, 1 on timeout; --until ends the wait as soon as the condition holds.
func TestWatcherExitCodes(t *testing.T) {
	c := startServer(t, busConfig())
	c.startExecutor(t, "ex", 4)
	run := job.NewRunID()
	ok, bad, slow := run.Job(1), run.Job(2), run.Job(3)
	submit(t, c, shellTask(ok, "echo hi", 0))
	submit(t, c, shellTask(bad, "exit 3", 0))
	submit(t, c, shellTask(slow, "sleep 20", 30))

	if code, out, errOut := runWatcher(t, c.url, watch.Options{}, "wait", string(ok)); code != watch.ExitOK || !strings.Contains(out, "succeeded") {
		t.Errorf("wait ok: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := runWatcher(t, c.url, watch.Options{}, "wait", string(ok), string(bad)); code != watch.ExitJobFailed || !strings.Contains(out, "rc=3") {
		t.Errorf("wait with a failed job: exit %d\n%s", code, out)
	}
	start := time.Now()
	if code, _, errOut := runWatcher(t, c.url, watch.Options{Timeout: 300 * time.Millisecond}, "wait", string(slow)); code != watch.ExitError || !strings.Contains(errOut, "timed out") {
		t.Errorf("wait past timeout: exit %d %s", code, errOut)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("timeout of 300ms took %v", d)
	}
	// The slow job is running: --until on its status holds at once.
	eventually(t, 10*time.Second, "slow job running", func() bool {
		st, _, err := c.bus.Status(context.Background(), slow)
		return err == nil && st.State == job.Running
	})
	if code, out, errOut := runWatcher(t, c.url, watch.Options{Until: "started == 1 and finished == 0", Retries: 5, Delay: 1}, "wait", string(slow)); code != watch.ExitOK {
		t.Errorf("--until on a running job: exit %d\n%s%s", code, out, errOut)
	}
	// --until that never holds uses up retries × delay and fails.
	if code, _, _ := runWatcher(t, c.url, watch.Options{Until: "finished == 1", Retries: 2, Delay: 0.2}, "wait", string(slow)); code != watch.ExitError {
		t.Errorf("--until never holding: exit %d, want 1", code)
	}
	if code, out, _ := runWatcher(t, c.url, watch.Options{Output: "json"}, "status", string(bad)); code != 0 || !strings.Contains(out, `"state":"failed"`) {
		t.Errorf("status: exit %d %s", code, out)
	}
	if code, _, errOut := runWatcher(t, c.url, watch.Options{}, "status", string(run.Job(99))); code != watch.ExitError || !strings.Contains(errOut, "not found") {
		t.Errorf("status of unknown job: exit %d %s", code, errOut)
	}
	if code, _, errOut := runWatcher(t, c.url, watch.Options{}, "wait", "not-a-jid"); code != watch.ExitError || !strings.Contains(errOut, "invalid job id") {
		t.Errorf("bad jid: exit %d %s", code, errOut)
	}
}

// TestWatcherWatchStreamsChanges: watch prints every status change of a run.
func TestWatcherWatchStreamsChanges(t *testing.T) {
	c := startServer(t, busConfig())
	c.startExecutor(t, "ex", 4)
	run := job.NewRunID()
	id := run.Job(1)
	submit(t, c, shellTask(id, "true", 0))
	waitAll(t, c, []job.ID{id}, 20*time.Second)
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	code := watch.Run(ctx, watch.Options{NATS: c.url, LogLevel: "error"}, "watch", []string{job.RunPattern(run)}, &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), string(id)+" succeeded") {
		t.Errorf("watch: exit %d\n%s%s", code, out.String(), errOut.String())
	}
}
