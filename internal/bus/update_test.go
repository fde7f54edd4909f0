package bus_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/natstest"
)

func setupJob(t *testing.T) (*bus.Bus, context.Context, job.ID) {
	t.Helper()
	_, _, js := natstest.Run(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	bs, err := bus.Open(ctx, js, bus.Config{})
	if err != nil {
		t.Fatal(err)
	}
	run := job.NewRunID()
	tk := &job.Task{V: job.Version, JID: run.Job(1), Run: run, Host: "h1", Module: "command",
		Target: job.Target{Connection: job.ConnLocal}, Args: map[string]any{"_raw_params": "true"}}
	if err := bs.Submit(ctx, tk); err != nil {
		t.Fatal(err)
	}
	return bs, ctx, tk.JID
}

func toRunning(by string) func(job.Status) (job.Status, error) {
	return func(cur job.Status) (job.Status, error) {
		if cur.State != job.Queued {
			return cur, bus.ErrUnchanged
		}
		next, err := cur.Move(job.Running, time.Now())
		next.Executor = by
		return next, err
	}
}

func TestUpdateFromChains(t *testing.T) {
	t.Parallel()
	bs, ctx, id := setupJob(t)
	rec, err := bs.UpdateFrom(ctx, id, bus.Record{}, toRunning("a"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status.State != job.Running || rec.Revision == 0 {
		t.Fatalf("claim: got %s at revision %d", rec.Status.State, rec.Revision)
	}
	calls := 0
	next, err := bs.UpdateFrom(ctx, id, rec, func(cur job.Status) (job.Status, error) {
		calls++
		if cur.Executor != "a" || cur.State != job.Running {
			t.Errorf("fn saw %s held by %q, want the record passed in", cur.State, cur.Executor)
		}
		return cur.Move(job.Succeeded, time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 || next.Revision <= rec.Revision {
		t.Fatalf("calls %d, revision %d after %d", calls, next.Revision, rec.Revision)
	}
	st, rev, err := bs.Status(ctx, id)
	if err != nil || st.State != job.Succeeded || rev != next.Revision {
		t.Fatalf("stored %s at %d (%v), want succeeded at %d", st.State, rev, err, next.Revision)
	}
}

// A record that moved on since the caller read it is read again and fn is
// applied to what is stored, never written over it.
func TestUpdateFromStaleRecordRereads(t *testing.T) {
	t.Parallel()
	bs, ctx, id := setupJob(t)
	stale, err := bs.UpdateFrom(ctx, id, bus.Record{}, toRunning("a"))
	if err != nil {
		t.Fatal(err)
	}
	// Someone else changes the record meanwhile (a cancel request).
	if _, err := bs.Update(ctx, id, func(cur job.Status) (job.Status, error) {
		cur.CancelRequestedBy = "someone"
		return cur, nil
	}); err != nil {
		t.Fatal(err)
	}
	var seen []string
	got, err := bs.UpdateFrom(ctx, id, stale, func(cur job.Status) (job.Status, error) {
		seen = append(seen, cur.CancelRequestedBy)
		return cur.Move(job.Cancelled, time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0] != "" || seen[1] != "someone" {
		t.Fatalf("fn saw cancel requests %q, want the stale record then the stored one", seen)
	}
	if got.Status.CancelRequestedBy != "someone" || got.Status.State != job.Cancelled {
		t.Fatalf("wrote %+v", got.Status)
	}
	// ErrUnchanged returns the stored record and its revision.
	same, err := bs.UpdateFrom(ctx, id, stale, toRunning("b"))
	if !errors.Is(err, bus.ErrUnchanged) || same.Revision != got.Revision || same.Status.State != job.Cancelled {
		t.Fatalf("got %s at %d, %v; want cancelled at %d, ErrUnchanged", same.Status.State, same.Revision, err, got.Revision)
	}
}

// The task message tells the executor which record Submit created: rebuilt
// from the task as it arrives, it is the stored record, byte for byte, at
// the stored revision.
func TestQueuedRecordMatchesTheStoredRecord(t *testing.T) {
	t.Parallel()
	_, _, js := natstest.Run(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bs, err := bus.Open(ctx, js, bus.Config{})
	if err != nil {
		t.Fatal(err)
	}
	run := job.NewRunID()
	tk := &job.Task{V: job.Version, JID: run.Job(1), Run: run, Host: "web1", Name: "install \"things\"",
		Module: "command", Async: 30, Target: job.Target{Connection: job.ConnLocal},
		Args: map[string]any{"_raw_params": "true"}}
	if err := bs.Submit(ctx, tk); err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, job.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := st.GetLastMsgForSubject(ctx, job.TaskSubject(""))
	if err != nil {
		t.Fatal(err)
	}
	got, err := job.DecodeTask(raw.Data)
	if err != nil {
		t.Fatal(err)
	}
	rec, ok := bus.QueuedRecord(&got, raw.Header)
	if !ok {
		t.Fatalf("no %s header on the task message", job.QueuedRevisionHeader)
	}
	e, err := bs.KV().Get(ctx, job.StatusKey(tk.JID))
	if err != nil {
		t.Fatal(err)
	}
	data, err := rec.Status.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if rec.Revision != e.Revision() || string(data) != string(e.Value()) {
		t.Fatalf("rebuilt record at %d:\n%s\nstored at %d:\n%s", rec.Revision, data, e.Revision(), e.Value())
	}
	if _, ok := bus.QueuedRecord(&got, nats.Header{job.QueuedRevisionHeader: []string{"x"}}); ok {
		t.Fatal("a malformed header was taken")
	}
}
