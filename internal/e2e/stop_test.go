package e2e

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
)

// TestGracefulStopFinishesRunningJobsAndLeavesTheRest: a stopping executor
// fetches nothing new, lets its running jobs finish within the grace period,
// and the jobs it never started go to another executor.
func TestGracefulStopFinishesRunningJobsAndLeavesTheRest(t *testing.T) {
	c := startServer(t, busConfig())
	ex, err := executor.New(executor.Config{Bus: c.bus, Name: "stopping", Concurrency: 2, Grace: 20 * time.Second,
		Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = ex.Run(ctx) }()

	run := job.NewRunID()
	var ids []job.ID
	for i := 1; i <= 6; i++ {
		id := run.Job(i)
		ids = append(ids, id)
		submit(t, c, shellTask(id, "sleep 1", 0))
	}
	eventually(t, 10*time.Second, "two jobs running", func() bool {
		n := 0
		for _, id := range ids {
			if st, _, err := c.bus.Status(context.Background(), id); err == nil && st.State == job.Running {
				n++
			}
		}
		return n == 2
	})
	stop() // SIGTERM
	wg.Wait()
	held := 0
	for _, id := range ids {
		st, _, err := c.bus.Status(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		switch st.State {
		case job.Succeeded:
			held++
			if st.Executor != "stopping" {
				t.Errorf("%s finished by %s", id, st.Executor)
			}
		case job.Queued:
		default:
			t.Errorf("%s: %s (%s) after a graceful stop", id, st.State, st.Reason)
		}
	}
	if held != 2 {
		t.Errorf("%d jobs finished by the stopping executor, want the 2 it was running", held)
	}
	c.startExecutor(t, "next", 4)
	for id, u := range waitAll(t, c, ids, 30*time.Second) {
		if u.Status.State != job.Succeeded {
			t.Errorf("%s: %s", id, u.Status.State)
		}
	}
}
