package executor_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/natstest"
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
	_, _, js := natstest.Run(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bs, err := bus.Open(ctx, js, bus.Config{})
	if err != nil {
		t.Fatal(err)
	}
	run := job.NewRunID()
	var ids []job.ID
	for i := range 2 {
		tk := &job.Task{V: job.Version, JID: run.Job(i + 1), Run: run, Host: "h", Module: "command",
			Target: job.Target{Connection: job.ConnLocal}, Args: map[string]any{"_raw_params": "/bin/true"}}
		if err := bs.Submit(ctx, tk); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tk.JID)
	}
	if st, err := bs.Cancel(ctx, ids[0], "test"); err != nil || st.State != job.Cancelled {
		t.Fatalf("cancel: %s, %v", st.State, err)
	}
	var runs atomic.Int32
	ex, err := executor.New(executor.Config{
		Bus: bs, Name: "claim-test", Dialer: countingDialer{&runs}, Grace: time.Second,
		Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel),
	})
	if err != nil {
		t.Fatal(err)
	}
	rctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := ex.Run(rctx); err != nil {
			t.Error(err)
		}
	}()
	defer func() { stop(); wg.Wait() }()
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
	st, err := js.Stream(ctx, job.StreamName)
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
