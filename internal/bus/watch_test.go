package bus_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/natstest"
)

// next reads one entry from a status watch, or fails the test when none
// comes before ctx ends.
func next(t *testing.T, ctx context.Context, w <-chan *job.StatusEntry) *job.StatusEntry {
	t.Helper()
	select {
	case e, ok := <-w:
		if !ok {
			t.Fatal("the watch ended")
		}
		return e
	case <-ctx.Done():
		t.Fatal("no entry from the watch")
		return nil
	}
}

func submit(t *testing.T, ctx context.Context, bs *bus.Bus, id job.ID) {
	t.Helper()
	tk := &job.Task{V: job.Version, JID: id, Run: id.Run(), Host: "h1", Module: "command",
		Target: job.Target{Connection: job.ConnLocal}, Args: map[string]any{"_raw_params": "true"}}
	if err := bs.Submit(ctx, tk); err != nil {
		t.Fatal(err)
	}
}

func entryState(t *testing.T, e *job.StatusEntry) job.State {
	t.Helper()
	if e == nil || e.Value == nil {
		return ""
	}
	st, err := job.DecodeStatus(e.Value)
	if err != nil {
		t.Fatal(err)
	}
	return st.State
}

// A status watch sends the current records, a nil entry, then each write
// and deletion; the watch closes its channel when its context ends.
func TestWatchStatus(t *testing.T) {
	t.Parallel()
	bs, ctx, first := setupJob(t)
	run := first.Run()
	second := run.Job(2)
	submit(t, ctx, bs, second)
	submit(t, ctx, bs, job.NewRunID().Job(1)) // another run's job is not watched
	wctx, stop := context.WithCancel(ctx)
	w, err := bs.WatchStatus(wctx, []string{job.RunPattern(run)})
	if err != nil {
		t.Fatal(err)
	}
	var seen []job.ID
	for e := next(t, ctx, w); e != nil; e = next(t, ctx, w) {
		if entryState(t, e) != job.Queued {
			t.Fatalf("current record of %s: %q", e.JID, entryState(t, e))
		}
		seen = append(seen, e.JID)
	}
	if !slices.Equal(seen, []job.ID{first, second}) {
		t.Fatalf("current records: %v, want %s and %s", seen, first, second)
	}
	rec, err := bs.UpdateFrom(ctx, first, bus.Record{}, toRunning("a"))
	if err != nil {
		t.Fatal(err)
	}
	if e := next(t, ctx, w); e.JID != first || e.Revision != rec.Revision || entryState(t, e) != job.Running {
		t.Fatalf("after the claim: %+v", e)
	}
	if err := bs.DeleteStatus(ctx, second); err != nil {
		t.Fatal(err)
	}
	if e := next(t, ctx, w); e.JID != second || e.Value != nil {
		t.Fatalf("after the deletion: %+v, want %s without a value", e, second)
	}
	if _, _, err := bs.Status(ctx, second); !errors.Is(err, bus.ErrNotFound) {
		t.Fatalf("status of a deleted job: %v, want ErrNotFound", err)
	}
	if err := bs.DeleteStatus(ctx, run.Job(99)); err != nil {
		t.Fatalf("deleting a record that does not exist: %v", err)
	}
	stop()
	for range w {
	} // closed once the context ended
}

// After a reconnect the watch is re-opened from the last revision sent:
// later writes arrive, each once, also on a watch of several keys (whose
// patterns nats.go rewrites in place).
func TestWatchStatusSurvivesAReconnect(t *testing.T) {
	t.Parallel()
	_, nc, js := natstest.Run(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bs, err := bus.Open(ctx, js, bus.Config{})
	if err != nil {
		t.Fatal(err)
	}
	rewatched := make(chan struct{}, 1)
	bus.OnRewatchForTest(bs, func() { rewatched <- struct{}{} })
	run := job.NewRunID()
	a, b := run.Job(1), run.Job(2)
	submit(t, ctx, bs, a)
	submit(t, ctx, bs, b)
	patterns := []string{job.StatusKey(a), job.StatusKey(b)}
	w, err := bs.WatchStatus(ctx, patterns)
	if err != nil {
		t.Fatal(err)
	}
	for e := next(t, ctx, w); e != nil; e = next(t, ctx, w) {
	}
	if err := nc.ForceReconnect(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-rewatched:
	case <-ctx.Done():
		t.Fatal("the watch was not re-opened after the reconnect")
	}
	if !slices.Equal(patterns, []string{job.StatusKey(a), job.StatusKey(b)}) {
		t.Fatalf("the caller's patterns changed: %v", patterns)
	}
	for _, id := range []job.ID{a, b} {
		if _, err := bs.Update(ctx, id, toRunning("a")); err != nil {
			t.Fatal(err)
		}
		if e := next(t, ctx, w); e.JID != id || entryState(t, e) != job.Running {
			t.Fatalf("after the reconnect, %s running: got %+v", id, e)
		}
	}
	// Nothing more: no entry was sent twice.
	select {
	case e := <-w:
		t.Fatalf("unexpected entry %+v", e)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestLastSeqCountsDeletedJobs(t *testing.T) {
	t.Parallel()
	bs, ctx, first := setupJob(t)
	run := first.Run()
	if got, err := bs.LastSeq(ctx, job.NewRunID()); err != nil || got != 0 {
		t.Fatalf("run without jobs: %d, %v", got, err)
	}
	submit(t, ctx, bs, run.Job(7))
	submit(t, ctx, bs, run.Job(3))
	if err := bs.DeleteStatus(ctx, run.Job(7)); err != nil {
		t.Fatal(err)
	}
	if got, err := bs.LastSeq(ctx, run); err != nil || got != 7 {
		t.Fatalf("LastSeq = %d, %v; want 7 (the deleted job's)", got, err)
	}
	ids, err := bs.RunJobs(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []job.ID{first, run.Job(3)}) {
		t.Fatalf("RunJobs = %v, want %s and %s (not the deleted job)", ids, first, run.Job(3))
	}
}
