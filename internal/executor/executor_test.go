package executor_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/natstest"
)

// openBus starts a fresh embedded server and opens the bus on it with cfg.
// The context ends after timeout or with the test.
func openBus(t testing.TB, timeout time.Duration, cfg bus.Config) (context.Context, *bus.Bus) {
	t.Helper()
	_, _, js := natstest.Run(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	bs, err := bus.Open(ctx, js, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ctx, bs
}

// startExecutor runs an executor made from cfg until the test ends; it
// logs warnings and errors to the test log and waits for Run to return
// (an error from Run fails the test).
func startExecutor(t *testing.T, ctx context.Context, cfg executor.Config) *executor.Executor {
	t.Helper()
	if cfg.Grace == 0 {
		cfg.Grace = time.Second
	}
	cfg.Logger = zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	ex, err := executor.New(cfg)
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
	t.Cleanup(func() { stop(); wg.Wait() })
	return ex
}

// localTask is job n of run: /bin/true on host through the local
// connection.
func localTask(run job.RunID, n int, host string) *job.Task {
	return &job.Task{
		V: job.Version, JID: run.Job(n), Run: run, Host: host,
		Target: job.Target{Connection: job.ConnLocal}, Module: "command",
		Args: map[string]any{"_raw_params": "/bin/true"},
	}
}

// submitLocal queues n local tasks of a new run, on hosts h1…hn, and
// returns the run and the jids in order.
func submitLocal(t *testing.T, ctx context.Context, bs *bus.Bus, n int) (job.RunID, []job.ID) {
	t.Helper()
	run := job.NewRunID()
	ids := make([]job.ID, n)
	for i := range n {
		tk := localTask(run, i+1, fmt.Sprintf("h%d", i+1))
		if err := bs.Submit(ctx, tk); err != nil {
			t.Fatal(err)
		}
		ids[i] = tk.JID
	}
	return run, ids
}
