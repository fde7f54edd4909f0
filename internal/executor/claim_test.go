package executor_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
)

// countingDialer counts the commands its connections run.
type countingDialer struct{ runs *atomic.Int32 }

func (d countingDialer) Conn(string, job.Target) conn.Conn { return countingConn(d) }

type countingConn struct{ runs *atomic.Int32 }

func (c countingConn) Run(context.Context, conn.Command) (conn.Result, error) {
	c.runs.Add(1)
	now := time.Now()
	return conn.Result{Start: now, End: now}, nil
}

// The task message names the revision of the queued record; a job changed
// since (here: cancelled while queued) is claimed from what is stored, not
// from the message: it never runs and stays cancelled. Its neighbour,
// unchanged, runs once.
func TestClaimHonoursARecordChangedAfterSubmit(t *testing.T) {
	t.Parallel()
	ctx, bs := openBus(t, time.Minute, bus.Config{})
	run, ids := submitLocal(t, ctx, bs, 2)
	if st, err := bs.Cancel(ctx, ids[0], "test"); err != nil || st.State != job.Cancelled {
		t.Fatalf("cancel: %s, %v", st.State, err)
	}
	var runs atomic.Int32
	startExecutor(t, ctx, executor.Config{Bus: bs, Name: "claim-test", Dialer: countingDialer{&runs}})
	got, err := waitRun(ctx, bs, run, ids)
	if err != nil {
		t.Fatal(err)
	}
	if s := got[ids[0]].Status; s.State != job.Cancelled || s.Executor != "" {
		t.Errorf("cancelled job: %s, executor %q", s.State, s.Executor)
	}
	if s := got[ids[1]].Status; s.State != job.Succeeded || s.Attempt != 1 {
		t.Errorf("other job: %s on attempt %d", s.State, s.Attempt)
	}
	// Both messages handled: acked, so gone from the work queue.
	st, err := bs.JetStream().Stream(ctx, job.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		info, err := st.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d task messages still in the stream", info.State.Msgs)
		}
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("%d commands ran, want 1", n)
	}
}
