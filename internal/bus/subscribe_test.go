package bus_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/natstest"
)

type cancelCall struct {
	id job.ID
	by string
}

// onCancel subscribes an executor named name that holds the jobs in holds
// and reports every request it hears on the returned channel.
func onCancel(t *testing.T, bs *bus.Bus, name string, holds ...job.ID) <-chan cancelCall {
	t.Helper()
	calls := make(chan cancelCall, 10)
	sub, err := bs.OnCancel(name, func(id job.ID, by string) bool {
		calls <- cancelCall{id, by}
		for _, h := range holds {
			if h == id {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sub.Stop)
	return calls
}

func nextCall(t *testing.T, ctx context.Context, calls <-chan cancelCall) cancelCall {
	t.Helper()
	select {
	case c := <-calls:
		return c
	case <-ctx.Done():
		t.Fatal("no cancel request arrived")
		return cancelCall{}
	}
}

// A cancel for a running job reaches every executor; the holder's answer
// is the one Cancel gets. A request naming nobody is by "unknown".
func TestCancelReachesTheHolder(t *testing.T) {
	t.Parallel()
	bs, ctx, id := setupJob(t)
	if _, err := bs.Update(ctx, id, toRunning("b")); err != nil {
		t.Fatal(err)
	}
	other := onCancel(t, bs, "a")
	holder := onCancel(t, bs, "b", id)
	st, err := bs.Cancel(ctx, id, "alice@example")
	if err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if st.CancelRequestedBy != "alice@example" || st.State != job.Running {
		t.Fatalf("record after cancel: %s, requested by %q", st.State, st.CancelRequestedBy)
	}
	for name, calls := range map[string]<-chan cancelCall{"holder": holder, "other executor": other} {
		if c := nextCall(t, ctx, calls); c != (cancelCall{id, "alice@example"}) {
			t.Errorf("%s heard %+v", name, c)
		}
	}
	if _, err := bs.Cancel(ctx, id, ""); err != nil {
		t.Fatalf("second cancel: %v", err)
	}
	if c := nextCall(t, ctx, holder); c.by != "unknown" {
		t.Errorf("a request naming nobody is by %q, want unknown", c.by)
	}
}

func TestCancelWithoutHolder(t *testing.T) {
	t.Parallel()
	bs, ctx, id := setupJob(t)
	if _, err := bs.Update(ctx, id, toRunning("gone")); err != nil {
		t.Fatal(err)
	}
	if _, err := bs.Cancel(ctx, id, "alice"); !errors.Is(err, bus.ErrNoHolder) {
		t.Fatalf("cancel with no executor listening: %v, want ErrNoHolder", err)
	}
}

func TestHolderAlive(t *testing.T) {
	t.Parallel()
	bs, ctx, id := setupJob(t)
	sub, err := bs.OnProbe("a", func(got job.ID) bool { return got == id })
	if err != nil {
		t.Fatal(err)
	}
	if !bs.HolderAlive(ctx, id) {
		t.Fatal("the holder did not answer")
	}
	sub.Stop()
	sub.Stop() // a second stop does nothing
	if bs.HolderAlive(ctx, id) {
		t.Fatal("a stopped subscription answered")
	}
}

// A task message the consumer stops delivering is handed to
// OnMaxDeliveries with its jid, then removed from the stream.
func TestOnMaxDeliveries(t *testing.T) {
	t.Parallel()
	_, _, js := natstest.Run(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bs, err := bus.Open(ctx, js, bus.Config{MaxDeliver: 1})
	if err != nil {
		t.Fatal(err)
	}
	type call struct {
		id         job.ID
		deliveries int
	}
	calls := make(chan call, 1)
	sub, err := bs.OnMaxDeliveries("", func(_ context.Context, id job.ID, n int) { calls <- call{id, n} })
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Stop()
	cons, err := bs.Consumer(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	run := job.NewRunID()
	tk := &job.Task{V: job.Version, JID: run.Job(1), Run: run, Host: "h1", Module: "command",
		Target: job.Target{Connection: job.ConnLocal}, Args: map[string]any{"_raw_params": "true"}}
	if err := bs.Submit(ctx, tk); err != nil {
		t.Fatal(err)
	}
	msg, err := cons.Next(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := msg.Nak(); err != nil {
		t.Fatal(err)
	}
	// The server gives the message up when it would deliver it again: to
	// the next pull request.
	batch, err := cons.Fetch(1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for range batch.All() {
		// Drained: the batch's goroutine ends with its wait (goleak).
	}
	select {
	case c := <-calls:
		if c != (call{tk.JID, 1}) {
			t.Fatalf("got %+v, want %s after 1 delivery", c, tk.JID)
		}
	case <-ctx.Done():
		t.Fatal("no max-deliveries call")
	}
	st, err := js.Stream(ctx, job.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	for {
		info, err := st.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs == 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the task message is still in the stream (%d messages)", info.State.Msgs)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
