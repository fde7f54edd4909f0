package executor_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/natstest"
	"github.com/jetplay/jetplay/internal/watcher"
)

// Executor throughput: b.N jobs are queued first (untimed), then one
// executor runs them all and the benchmark waits for every final status
// through one KV watch, as the publisher does.

// noopDialer answers every command at once with rc 0: the control plane
// alone (fetch, claim, status writes, ack), without forking a process.
type noopDialer struct{}

func (noopDialer) Conn(string, job.Target) conn.Conn { return noopConn{} }

type noopConn struct{}

func (noopConn) Run(context.Context, conn.Command) (conn.Result, error) {
	now := time.Now()
	return conn.Result{RC: 0, Start: now, End: now}, nil
}

func benchExecutor(b *testing.B, dialer executor.Dialer, concurrency int) {
	b.Helper()
	_, _, js := natstest.Run(b)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bs, err := bus.Open(ctx, js, bus.Config{})
	if err != nil {
		b.Fatal(err)
	}
	run := job.NewRunID()
	ids := make([]job.ID, b.N)
	for i := range b.N {
		t := &job.Task{
			V: job.Version, JID: run.Job(i + 1), Run: run, Host: fmt.Sprintf("h%05d", i+1),
			Target: job.Target{Connection: job.ConnLocal}, Module: "command",
			Args: map[string]any{"_raw_params": "/bin/true"},
		}
		if err := bs.Submit(ctx, t); err != nil {
			b.Fatal(err)
		}
		ids[i] = t.JID
	}
	ex, err := executor.New(executor.Config{Bus: bs, Name: "bench", Concurrency: concurrency, Dialer: dialer, Grace: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	rctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := ex.Run(rctx); err != nil {
			b.Error(err)
		}
	}()
	got, err := watcher.WaitAll(ctx, bs.KV(), ids, watcher.Final)
	elapsed := time.Since(start)
	b.StopTimer()
	stop()
	wg.Wait()
	if err != nil {
		b.Fatal(err)
	}
	for id, u := range got {
		if u.Status.State != job.Succeeded {
			b.Fatalf("job %s: %s (%s)", id, u.Status.State, u.Status.Reason)
		}
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "jobs/s")
}

// BenchmarkExecutorNoop is the executor's control plane alone.
func BenchmarkExecutorNoop(b *testing.B) { benchExecutor(b, noopDialer{}, 256) }

// BenchmarkExecutorLocal runs /bin/true through the local connection.
func BenchmarkExecutorLocal(b *testing.B) { benchExecutor(b, nil, 256) }
