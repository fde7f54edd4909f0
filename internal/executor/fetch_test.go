package executor_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/natstest"
)

// TestTasksPublishedWhileFetchingAreNotDropped publishes jobs one at a time
// for a few seconds while an executor with small fetches runs them, so
// tasks keep arriving near the end of its pull requests. Every job must run
// on its first delivery: a task the server sent to a pull request the
// executor had already given up on would only come back after AckWait,
// as attempt 2 (here never: AckWait is longer than the test).
func TestTasksPublishedWhileFetchingAreNotDropped(t *testing.T) {
	t.Parallel()
	_, _, js := natstest.Run(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// AckWait longer than the test: a dropped task is never redelivered in
	// time and its job never ends, which the wait below reports.
	bs, err := bus.Open(ctx, js, bus.Config{AckWait: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := executor.New(executor.Config{
		Bus: bs, Name: "fetch-test", Concurrency: 2, Dialer: noopDialer{},
		// Short pull requests: many of them end while tasks arrive.
		FetchWait: 50 * time.Millisecond,
		Grace:     time.Second, Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel),
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

	// Keep every CPU busy meanwhile, as a loaded machine does: the
	// goroutines reading the executor's pull requests then run late.
	busy, stopBusy := context.WithCancel(ctx)
	var spin sync.WaitGroup
	defer func() { stopBusy(); spin.Wait() }()
	for range runtime.GOMAXPROCS(0) {
		spin.Add(1)
		go func() {
			defer spin.Done()
			for busy.Err() == nil {
				for i := 0; i < 1_000_000; i++ {
				}
			}
		}()
	}

	run := job.NewRunID()
	const n = 100
	ids := make([]job.ID, n)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for i := range n {
		tk := &job.Task{
			V: job.Version, JID: run.Job(i + 1), Run: run, Host: fmt.Sprintf("h%03d", i+1),
			Target: job.Target{Connection: job.ConnLocal}, Module: "command",
			Args: map[string]any{"_raw_params": "/bin/true"},
		}
		if err := bs.Submit(ctx, tk); err != nil {
			t.Fatal(err)
		}
		ids[i] = tk.JID
		<-tick.C // a second or more: some 20 pull requests
	}
	stopBusy()
	spin.Wait()
	wctx, wcancel := context.WithTimeout(ctx, 45*time.Second)
	defer wcancel()
	got, err := waitRun(wctx, bs, run, ids)
	if err != nil {
		t.Fatalf("%v (the %d jobs before it are final)", err, len(got))
	}
	for id, u := range got {
		if u.Status.State != job.Succeeded || u.Status.Attempt != 1 {
			t.Errorf("job %s: %s on attempt %d, want succeeded on attempt 1", id, u.Status.State, u.Status.Attempt)
		}
	}
}
