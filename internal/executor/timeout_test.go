package executor_test

import (
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
)

// A job whose task timeout passes is killed and recorded failed with
// Ansible's message and TaskTimeout, long before its command would have
// ended; a job that ends within its timeout has no TaskTimeout.
func TestTaskTimeoutKillsTheCommand(t *testing.T) {
	t.Parallel()
	ctx, bs := openBus(t, time.Minute, bus.Config{})
	run := job.NewRunID()
	tk := localTask(run, 1, "h1")
	tk.Args = map[string]any{"_raw_params": "sleep 30"}
	tk.Timeout = 1
	// Within their timeout: one job that fails on its own, one that succeeds.
	fails := localTask(run, 2, "h2")
	fails.Args = map[string]any{"_raw_params": "/bin/false"}
	fails.Timeout = 60
	ok := localTask(run, 3, "h3")
	ok.Timeout = 60
	for _, tk := range []*job.Task{tk, fails, ok} {
		if err := bs.Submit(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	startExecutor(t, ctx, executor.Config{Bus: bs, Name: "timeout"})
	got, err := waitRun(ctx, bs, run, []job.ID{tk.JID, fails.JID, ok.JID})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		tk    *job.Task
		state job.State
	}{{fails, job.Failed}, {ok, job.Succeeded}} {
		if st := got[w.tk.JID].Status; st.State != w.state || st.TaskTimeout {
			t.Errorf("%s: state %s, TaskTimeout %v; want %s, false", w.tk.Host, st.State, st.TaskTimeout, w.state)
		}
	}
	st := got[tk.JID].Status
	if st.State != job.Failed {
		t.Fatalf("state %s, want failed (%s)", st.State, st.Reason)
	}
	if msg, want := st.Result["msg"], job.TimeoutMessage("command", 1); msg != want {
		t.Errorf("msg %q, want %q", msg, want)
	}
	if !st.TaskTimeout {
		t.Error("TaskTimeout = false, want true: the timeout keyword killed the command")
	}
	if st.Ended == nil || st.Started == nil {
		t.Fatal("no start or end time")
	}
	if d := st.Ended.Sub(*st.Started); d > 20*time.Second {
		t.Errorf("the job ran %s: its command was not killed at the timeout", d)
	}
}
