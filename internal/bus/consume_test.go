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

// setupConsumer opens a bus with cfg on its own server and returns the
// default pool's consumer.
func setupConsumer(t *testing.T, cfg bus.Config) (context.Context, *bus.Bus, *bus.Consumer) {
	t.Helper()
	_, _, js := natstest.Run(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	bs, err := bus.Open(ctx, js, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := bs.Consumer(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	return ctx, bs, cons
}

func submitTask(t *testing.T, ctx context.Context, bs *bus.Bus, host string) *job.Task {
	t.Helper()
	run := job.NewRunID()
	tk := &job.Task{V: job.Version, JID: run.Job(1), Run: run, Host: host, Module: "command",
		Target: job.Target{Connection: job.ConnLocal}, Args: map[string]any{"_raw_params": "true"}}
	if err := bs.Submit(ctx, tk); err != nil {
		t.Fatal(err)
	}
	return tk
}

// fetchAll sends one pull request for up to n deliveries and returns them
// all, once the batch has ended.
func fetchAll(t *testing.T, cons *bus.Consumer, n int, wait time.Duration) []bus.Delivery {
	t.Helper()
	batch, err := cons.Fetch(n, wait)
	if err != nil {
		t.Fatal(err)
	}
	var out []bus.Delivery
	for d := range batch.All() {
		out = append(out, d)
	}
	if err := batch.Err(); err != nil {
		t.Fatalf("batch ended with %v", err)
	}
	return out
}

// streamMsgs is the number of task messages in the stream.
func streamMsgs(t *testing.T, ctx context.Context, bs *bus.Bus) uint64 {
	t.Helper()
	st, err := bs.JetStream().Stream(ctx, job.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// A delivery carries the task as submitted, its delivery count and the
// queued record Submit wrote; a Nak delivers it again (counted), and an
// acknowledged delivery leaves the work queue.
func TestFetchNakAck(t *testing.T) {
	t.Parallel()
	ctx, bs, cons := setupConsumer(t, bus.Config{})
	tk := submitTask(t, ctx, bs, "h1")

	got := fetchAll(t, cons, 2, time.Second)
	if len(got) != 1 {
		t.Fatalf("%d deliveries, want 1", len(got))
	}
	d := got[0]
	dt, err := job.DecodeTask(d.Data())
	if err != nil || dt.JID != tk.JID || dt.Host != "h1" {
		t.Fatalf("delivered task %+v (%v), want %s on h1", dt, err, tk.JID)
	}
	if n := d.Deliveries(); n != 1 {
		t.Errorf("first delivery counted %d", n)
	}
	rec, ok := d.QueuedRecord(&dt)
	if !ok {
		t.Fatal("no queued record on the delivery")
	}
	_, rev, err := bs.Status(ctx, tk.JID)
	if err != nil || rec.Revision != rev || rec.Status.State != job.Queued {
		t.Fatalf("queued record %s at %d, stored at %d (%v)", rec.Status.State, rec.Revision, rev, err)
	}
	if err := d.InProgress(); err != nil {
		t.Fatal(err)
	}
	if err := d.Nak(); err != nil {
		t.Fatal(err)
	}

	again, err := cons.Next(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if n := again.Deliveries(); n != 2 {
		t.Errorf("delivery after a nak counted %d, want 2", n)
	}
	if err := again.DoubleAck(ctx); err != nil {
		t.Fatal(err)
	}
	if n := streamMsgs(t, ctx, bs); n != 0 {
		t.Fatalf("%d messages in the stream after the ack", n)
	}
}

// A pull request with nothing to deliver ends on the server after its wait,
// with no error: the idle executor's usual round.
func TestFetchIdleExpires(t *testing.T) {
	t.Parallel()
	_, _, cons := setupConsumer(t, bus.Config{})
	start := time.Now()
	if got := fetchAll(t, cons, 4, 100*time.Millisecond); len(got) != 0 {
		t.Fatalf("%d deliveries from an empty stream", len(got))
	}
	// The client's own fallback timer fires a second after the wait.
	if d := time.Since(start); d >= time.Second {
		t.Errorf("idle pull ended after %s, want about its 100ms wait", d)
	}
	if _, err := cons.Fetch(1, 0); err == nil {
		t.Error("a zero wait was taken")
	}
}

// NakWithDelay holds the message back for the delay; TermWithReason ends
// its deliveries and removes it from the work queue.
func TestNakWithDelayAndTerm(t *testing.T) {
	t.Parallel()
	ctx, bs, cons := setupConsumer(t, bus.Config{})
	submitTask(t, ctx, bs, "h1")
	d, err := cons.Next(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.NakWithDelay(3 * time.Second); err != nil {
		t.Fatal(err)
	}
	if got := fetchAll(t, cons, 1, 300*time.Millisecond); len(got) != 0 {
		t.Fatal("delivered again before its delay")
	}
	d, err = cons.Next(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if n := d.Deliveries(); n != 2 {
		t.Errorf("delivery after the delay counted %d, want 2", n)
	}
	if err := d.TermWithReason("test"); err != nil {
		t.Fatal(err)
	}
	for streamMsgs(t, ctx, bs) != 0 {
		select {
		case <-ctx.Done():
			t.Fatal("a terminated message stayed in the stream")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// The limits in force are the consumer creator's, whatever the bus that
// looks it up later was opened with.
func TestConsumerLimitsAreTheCreators(t *testing.T) {
	t.Parallel()
	_, _, js := natstest.Run(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	first, err := bus.Open(ctx, js, bus.Config{AckWait: 7 * time.Second, MaxDeliver: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.Consumer(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	later, err := bus.Open(ctx, js, bus.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		pool string
		want bus.ConsumerLimits
	}{
		{name: "created by the first bus", pool: "p1", want: bus.ConsumerLimits{AckWait: 7 * time.Second, MaxDeliver: 3}},
		{name: "created by the later bus", pool: "p2", want: bus.ConsumerLimits{AckWait: 30 * time.Second, MaxDeliver: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cons, err := later.Consumer(ctx, tt.pool)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := cons.Limits()
			if !ok || got != tt.want {
				t.Errorf("limits %+v (ok %v), want %+v", got, ok, tt.want)
			}
		})
	}
}

// A second first record of a job fails with ErrExists, from Create and
// from Submit, and leaves the stored record as it was.
func TestCreateExists(t *testing.T) {
	t.Parallel()
	ctx, bs, _ := setupConsumer(t, bus.Config{})
	tk := submitTask(t, ctx, bs, "h1")
	_, rev, err := bs.Status(ctx, tk.JID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bs.Create(ctx, job.NewQueued(tk, time.Now())); !errors.Is(err, bus.ErrExists) {
		t.Errorf("Create: %v, want ErrExists", err)
	}
	if err := bs.Submit(ctx, tk); !errors.Is(err, bus.ErrExists) {
		t.Errorf("Submit: %v, want ErrExists", err)
	}
	if _, now, err := bs.Status(ctx, tk.JID); err != nil || now != rev {
		t.Errorf("record at revision %d (%v), want %d", now, err, rev)
	}
}
