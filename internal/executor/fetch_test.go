package executor_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
)

// TestTasksPublishedWhileFetchingAreNotDropped publishes jobs one at a time
// for a few seconds while an executor with small fetches runs them, so
// tasks keep arriving near the end of its pull requests. Every job must run
// on its first delivery: a task the server sent to a pull request the
// executor had already given up on would only come back after AckWait,
// as attempt 2 (here never: AckWait is longer than the test).
func TestTasksPublishedWhileFetchingAreNotDropped(t *testing.T) {
	t.Parallel()
	// AckWait longer than the test: a dropped task is never redelivered in
	// time and its job never ends, which the wait below reports.
	ctx, bs := openBus(t, 2*time.Minute, bus.Config{AckWait: 5 * time.Minute})
	startExecutor(t, ctx, executor.Config{
		Bus: bs, Name: "fetch-test", Concurrency: 2, Dialer: noopDialer{},
		// Short pull requests: many of them end while tasks arrive.
		FetchWait: 50 * time.Millisecond,
	})

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
		tk := localTask(run, i+1, fmt.Sprintf("h%03d", i+1))
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
