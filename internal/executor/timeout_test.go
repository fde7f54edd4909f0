package executor_test

import (
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
)

// A job whose task timeout passes is killed and recorded failed with
// Ansible's message, long before its command would have ended.
func TestTaskTimeoutKillsTheCommand(t *testing.T) {
	t.Parallel()
	ctx, bs := openBus(t, time.Minute, bus.Config{})
	run := job.NewRunID()
	tk := localTask(run, 1, "h1")
	tk.Args = map[string]any{"_raw_params": "sleep 30"}
	tk.Timeout = 1
	if err := bs.Submit(ctx, tk); err != nil {
		t.Fatal(err)
	}
	startExecutor(t, ctx, executor.Config{Bus: bs, Name: "timeout"})
	got, err := waitRun(ctx, bs, run, []job.ID{tk.JID})
	if err != nil {
		t.Fatal(err)
	}
	st := got[tk.JID].Status
	if st.State != job.Failed {
		t.Fatalf("state %s, want failed (%s)", st.State, st.Reason)
	}
	if msg, want := st.Result["msg"], job.TimeoutMessage("command", 1); msg != want {
		t.Errorf("msg %q, want %q", msg, want)
	}
	if st.Ended == nil || st.Started == nil {
		t.Fatal("no start or end time")
	}
	if d := st.Ended.Sub(*st.Started); d > 20*time.Second {
		t.Errorf("the job ran %s: its command was not killed at the timeout", d)
	}
}
