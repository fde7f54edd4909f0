package executor_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
)

const noLogSecret = "hunter2-in-an-error"

// failingDialer's connections fail every command with an error that quotes
// the command, as a connection or module error may.
type failingDialer struct{}

func (failingDialer) Conn(string, job.Target) conn.Conn { return failingConn{} }

type failingConn struct{}

func (failingConn) Run(_ context.Context, c conn.Command) (conn.Result, error) {
	return conn.Result{}, errors.New("cannot run " + strings.Join(c.Argv, " ") + " " + noLogSecret)
}

// A no_log job that fails with an error keeps the error's text out of its
// status record: neither the result nor the reason carries it.
func TestNoLogErrorReachesNeitherResultNorReason(t *testing.T) {
	t.Parallel()
	ctx, bs := openBus(t, time.Minute, bus.Config{})
	run := job.NewRunID()
	tk := localTask(run, 1, "h1")
	tk.NoLog = true
	tk.Args = map[string]any{"_raw_params": "/bin/echo " + noLogSecret}
	if err := bs.Submit(ctx, tk); err != nil {
		t.Fatal(err)
	}
	startExecutor(t, ctx, executor.Config{Bus: bs, Name: "nolog", Dialer: failingDialer{}})
	got, err := waitRun(ctx, bs, run, []job.ID{tk.JID})
	if err != nil {
		t.Fatal(err)
	}
	st := got[tk.JID].Status
	if st.State != job.Failed {
		t.Fatalf("state %s, want failed (%s)", st.State, st.Reason)
	}
	if strings.Contains(st.Reason, noLogSecret) {
		t.Errorf("reason carries the secret: %q", st.Reason)
	}
	for k, v := range st.Result {
		if s, ok := v.(string); ok && strings.Contains(s, noLogSecret) {
			t.Errorf("result[%s] carries the secret: %q", k, s)
		}
	}
}
