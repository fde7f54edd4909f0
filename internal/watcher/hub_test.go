package watcher_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/natstest"
	"github.com/jetplay/jetplay/internal/watcher"
)

func setup(t *testing.T) (*bus.Bus, context.Context) {
	t.Helper()
	_, _, js := natstest.Run(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	b, err := bus.Open(ctx, js, bus.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return b, ctx
}

func queued(t *testing.T, ctx context.Context, b *bus.Bus, id job.ID) {
	t.Helper()
	task := &job.Task{V: job.Version, JID: id, Run: id.Run(), Host: "h1", Module: "command", Submitted: time.Now()}
	if _, err := b.Create(ctx, job.NewQueued(task, time.Now())); err != nil {
		t.Fatal(err)
	}
}

func move(t *testing.T, ctx context.Context, b *bus.Bus, id job.ID, to job.State) {
	t.Helper()
	if _, err := b.Update(ctx, id, func(s job.Status) (job.Status, error) { return s.Move(to, time.Now()) }); err != nil {
		t.Fatal(err)
	}
}

func TestWaitSeesFinalWrittenLater(t *testing.T) {
	b, ctx := setup(t)
	run := job.NewRunID()
	id := run.Job(1)
	queued(t, ctx, b, id)
	h, err := watcher.NewHub(ctx, watcher.HubConfig{Source: b, Patterns: []string{job.RunPattern(run)}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Stop()

	done := make(chan watcher.Update, 1)
	go func() {
		u, err := h.Wait(ctx, id, watcher.Final)
		if err != nil {
			t.Error(err)
		}
		done <- u
	}()
	move(t, ctx, b, id, job.Running)
	select {
	case <-done:
		t.Fatal("wait returned before the job was final")
	case <-time.After(100 * time.Millisecond):
	}
	move(t, ctx, b, id, job.Succeeded)
	select {
	case u := <-done:
		if u.Status.State != job.Succeeded {
			t.Fatalf("state = %s, want succeeded", u.Status.State)
		}
	case <-ctx.Done():
		t.Fatal("wait did not return after the final write")
	}
}

func TestWaitOnAlreadyFinalJobReturnsAtOnce(t *testing.T) {
	b, ctx := setup(t)
	id := job.NewRunID().Job(7)
	queued(t, ctx, b, id)
	move(t, ctx, b, id, job.Running)
	move(t, ctx, b, id, job.Failed)
	got, err := watcher.WaitAll(ctx, b, []job.ID{id}, watcher.Final)
	if err != nil {
		t.Fatal(err)
	}
	if got[id].Status.State != job.Failed {
		t.Fatalf("state = %q, want failed", got[id].Status.State)
	}
}

func TestWaitHonoursDeadline(t *testing.T) {
	b, ctx := setup(t)
	id := job.NewRunID().Job(1)
	queued(t, ctx, b, id)
	wctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	got, err := watcher.WaitAll(wctx, b, []job.ID{id}, watcher.Final)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if got[id].Status.State != job.Queued {
		t.Fatalf("last state = %q, want queued", got[id].Status.State)
	}
}

func TestDeletedJobEndsWait(t *testing.T) {
	b, ctx := setup(t)
	run := job.NewRunID()
	id := run.Job(1)
	queued(t, ctx, b, id)
	h, err := watcher.NewHub(ctx, watcher.HubConfig{Source: b, Patterns: []string{job.RunPattern(run)}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Stop()
	errc := make(chan error, 1)
	go func() {
		_, err := h.Wait(ctx, id, watcher.Final)
		errc <- err
	}()
	if err := b.DeleteStatus(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, watcher.ErrDeleted) {
		t.Fatalf("err = %v, want ErrDeleted", err)
	}
}

// BenchmarkFinalToWatcher measures the time from a final status write to the
// waiting watcher seeing it, and reports p50 and p99.
func BenchmarkFinalToWatcher(b *testing.B) {
	_, _, js := natstest.Run(b)
	ctx := context.Background()
	bs, err := bus.Open(ctx, js, bus.Config{})
	if err != nil {
		b.Fatal(err)
	}
	run := job.NewRunID()
	h, err := watcher.NewHub(ctx, watcher.HubConfig{Source: bs, Patterns: []string{job.RunPattern(run)}})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Stop()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		id := run.Job(i + 1)
		task := &job.Task{V: job.Version, JID: id, Run: run, Host: "h", Module: "command"}
		st := job.NewQueued(task, time.Now())
		st, _ = st.Move(job.Running, time.Now())
		if _, err := bs.Create(ctx, st); err != nil {
			b.Fatal(err)
		}
		done := make(chan time.Time, 1)
		go func() {
			_, _ = h.Wait(ctx, id, watcher.Final)
			done <- time.Now()
		}()
		start := time.Now()
		if _, err := bs.Update(ctx, id, func(s job.Status) (job.Status, error) { return s.Move(job.Succeeded, time.Now()) }); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, (<-done).Sub(start))
	}
	b.StopTimer()
	reportPercentiles(b, lat)
}

func TestWatchPatternsSwitchToRunsPastTheLimit(t *testing.T) {
	run := job.NewRunID()
	few := []job.ID{run.Job(2), run.Job(1)}
	if got := watcher.WatchPatternsForTest(few); len(got) != 2 || got[0] != string(run.Job(1)) {
		t.Errorf("few jids: %v", got)
	}
	var many []job.ID
	for i := 1; i <= 200; i++ {
		many = append(many, run.Job(i))
	}
	other := job.NewRunID()
	many = append(many, other.Job(1))
	got := watcher.WatchPatternsForTest(many)
	if len(got) != 2 {
		t.Errorf("200 jids of two runs: %v, want the two run patterns", got)
	}
}

// A record that does not decode is skipped: the wait goes on and sees the
// next good record; Latest does not report it. (A wait that starts while
// the bad record is the latest has seen no state yet.)
func TestUndecodableRecordIsSkipped(t *testing.T) {
	b, ctx := setup(t)
	run := job.NewRunID()
	id := run.Job(1)
	queued(t, ctx, b, id)
	h, err := watcher.NewHub(ctx, watcher.HubConfig{Source: b, Patterns: []string{job.RunPattern(run)}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Stop()
	if _, err := b.KV().Put(ctx, job.StatusKey(id), []byte("not json")); err != nil {
		t.Fatal(err)
	}
	// Latest stops reporting queued once the hub has the bad record.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, ok := h.Latest(id); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Latest still reports the record before the bad one")
		}
	}
	wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if u, err := h.Wait(wctx, id, watcher.Final); !errors.Is(err, context.DeadlineExceeded) || u.Status.State != "" {
		t.Fatalf("wait over a bad record: %q, %v; want no state, deadline exceeded", u.Status.State, err)
	}
	task := &job.Task{V: job.Version, JID: id, Run: run, Host: "h1", Module: "command"}
	st, err := job.NewQueued(task, time.Now()).Move(job.Running, time.Now())
	if err == nil {
		st, err = st.Move(job.Succeeded, time.Now())
	}
	if err != nil {
		t.Fatal(err)
	}
	data, _ := st.Encode()
	if _, err := b.KV().Put(ctx, job.StatusKey(id), data); err != nil {
		t.Fatal(err)
	}
	u, err := h.Wait(ctx, id, watcher.Final)
	if err != nil || u.Status.State != job.Succeeded || u.Seq != 3 {
		t.Fatalf("got %s (update %d), %v; want succeeded as the third update", u.Status.State, u.Seq, err)
	}
	if l, ok := h.Latest(id); !ok || l.Status.State != job.Succeeded {
		t.Fatalf("Latest: %+v, %v", l, ok)
	}
}

// NewHub refuses a config without a Source.
func TestNewHubNeedsASource(t *testing.T) {
	t.Parallel()
	if _, err := watcher.NewHub(context.Background(), watcher.HubConfig{}); err == nil {
		t.Fatal("a hub without a source was made")
	}
}

// Watch sends the current values and then each change, and returns fn's
// error, or nil once ctx ends.
func TestWatch(t *testing.T) {
	b, ctx := setup(t)
	run := job.NewRunID()
	id := run.Job(1)
	queued(t, ctx, b, id)
	queued(t, ctx, b, job.NewRunID().Job(1)) // not matched
	errEnough := errors.New("enough")
	var got []string
	err := watcher.Watch(ctx, b, job.RunPattern(run), func(u watcher.Update) error {
		got = append(got, fmt.Sprintf("%s %s %d", u.Status.JID, u.Status.State, u.Seq))
		if u.Status.State == job.Queued {
			move(t, ctx, b, id, job.Running)
			return nil
		}
		return errEnough
	})
	if !errors.Is(err, errEnough) {
		t.Fatalf("Watch returned %v, want fn's error", err)
	}
	want := []string{fmt.Sprintf("%s queued 1", id), fmt.Sprintf("%s running 2", id)}
	if !slices.Equal(got, want) {
		t.Fatalf("updates %q, want %q", got, want)
	}
	wctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := watcher.Watch(wctx, b, "", func(watcher.Update) error { return nil }); err != nil {
		t.Fatalf("Watch ended by its context: %v, want nil", err)
	}
}
