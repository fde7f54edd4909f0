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

// TestLogsFollowPrintsOutputWhileTheJobRuns: watcher logs -f shows a
// running job's output before the job ends.
func TestLogsFollowPrintsOutputWhileTheJobRuns(t *testing.T) {
	c := startServer(t, busConfig())
	c.startExecutor(t, "ex", 2)
	dir := t.TempDir()
	id := job.NewRunID().Job(1)
	// The job prints, then waits for a file the test creates only after it
	// has seen the first line live.
	submit(t, c, shellTask(id, "echo first line; echo to-stderr >&2; while [ ! -e "+dir+"/go ]; do sleep 0.05; done; echo last line", 60))
	out := &syncWriter{w: &bytes.Buffer{}}
	errOut := &syncWriter{w: &bytes.Buffer{}}
	done := make(chan int, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		done <- watch.Run(ctx, watch.Options{NATS: c.url, Follow: true, LogLevel: "error"}, "logs", []string{string(id)}, out, errOut)
	}()
	eventually(t, 10*time.Second, "first line streamed live", func() bool { return strings.Contains(out.String(), "first line") })
	if st, _, _ := c.bus.Status(context.Background(), id); st.State != job.Running {
		t.Fatalf("job is %s: the line was not live", st.State)
	}
	writeFile(t, dir, "go", "")
	if code := <-done; code != 0 {
		t.Fatalf("logs -f: exit %d %s", code, errOut.String())
	}
	if got := out.String(); got != "first line\nlast line\n" {
		t.Errorf("stdout = %q", got)
	}
	if got := errOut.String(); got != "to-stderr\n" {
		t.Errorf("stderr = %q", got)
	}
	// Without -f, the stored output is replayed and the command returns.
	var replay bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if code := watch.Run(ctx, watch.Options{NATS: c.url, LogLevel: "error"}, "logs", []string{string(id)}, &replay, &bytes.Buffer{}); code != 0 || !strings.Contains(replay.String(), "last line") {
		t.Errorf("logs replay: exit %d %q", code, replay.String())
	}
}

// TestChattyJobIsBounded: a job printing far more than the live limit
// streams at most job.MaxLiveOutput, and its record keeps a bounded tail.
func TestChattyJobIsBounded(t *testing.T) {
	c := startServer(t, busConfig())
	c.startExecutor(t, "ex", 2)
	id := job.NewRunID().Job(1)
	// 4 MiB of output.
	submit(t, c, shellTask(id, "head -c 4194304 /dev/zero | tr '\\0' x; echo; echo END", 0))
	st := waitAll(t, c, []job.ID{id}, 60*time.Second)[id].Status
	if st.State != job.Succeeded {
		t.Fatalf("%s %s", st.State, st.Reason)
	}
	stdout, _ := st.Result["stdout"].(string)
	if len(stdout) > job.MaxResultOutput+100 || !strings.HasSuffix(stdout, "END") {
		t.Errorf("record stdout is %d bytes (limit %d), ends %q", len(stdout), job.MaxResultOutput, stdout[max(0, len(stdout)-10):])
	}
	if st.Result["stdout_truncated"] == nil {
		t.Error("no stdout_truncated count")
	}
	var streamed int
	var dropped int64
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.bus.Output(ctx, id, false, func(ch job.OutputChunk) bool {
		streamed += len(ch.Data)
		dropped += ch.Dropped
		return !ch.EOF
	}); err != nil {
		t.Fatal(err)
	}
	if streamed > job.MaxLiveOutput || dropped == 0 {
		t.Errorf("streamed %d bytes (limit %d), dropped %d", streamed, job.MaxLiveOutput, dropped)
	}
}
