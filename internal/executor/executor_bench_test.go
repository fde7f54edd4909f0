package executor_test

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
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
	benchExecutors(b, dialer, concurrency, 1)
}

// benchExecutors runs b.N jobs through n executors sharing one pool.
func benchExecutors(b *testing.B, dialer executor.Dialer, concurrency, n int) {
	b.Helper()
	ctx, bs := openBus(b, 5*time.Minute, bus.Config{})
	run := job.NewRunID()
	ids := make([]job.ID, b.N)
	for i := range b.N {
		t := localTask(run, i+1, fmt.Sprintf("h%05d", i+1))
		if err := bs.Submit(ctx, t); err != nil {
			b.Fatal(err)
		}
		ids[i] = t.JID
	}
	var exs []*executor.Executor
	for i := range n {
		ex, err := executor.New(executor.Config{Bus: bs, Name: fmt.Sprintf("bench%d", i+1), Concurrency: concurrency, Dialer: dialer, Grace: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		exs = append(exs, ex)
	}
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	rctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, ex := range exs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := ex.Run(rctx); err != nil {
				b.Error(err)
			}
		}()
	}
	// One watch on the run's keys, as the publisher's hub (WaitAll would
	// filter on every jid: a consumer with b.N filter subjects, which the
	// server checks pairwise).
	got, err := waitRun(ctx, bs, run, ids)
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
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
	// CPU per job (this process: executor, embedded server, watcher; not
	// the commands' own processes) does not depend on what else the
	// machine runs meanwhile, as jobs/s does.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/job")
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkExecutorNoop is the executor's control plane alone.
func BenchmarkExecutorNoop(b *testing.B) { benchExecutor(b, noopDialer{}, 256) }

// BenchmarkExecutorLocal runs /bin/true through the local connection.
func BenchmarkExecutorLocal(b *testing.B) { benchExecutor(b, nil, 256) }

func waitRun(ctx context.Context, bs *bus.Bus, run job.RunID, ids []job.ID) (map[job.ID]watcher.Update, error) {
	h, err := watcher.NewHub(ctx, watcher.HubConfig{Source: bs, Patterns: []string{job.RunPattern(run)}})
	if err != nil {
		return nil, err
	}
	defer h.Stop()
	out := make(map[job.ID]watcher.Update, len(ids))
	for _, id := range ids {
		u, err := h.Wait(ctx, id, watcher.Final)
		if err != nil {
			return out, fmt.Errorf("job %s: %w", id, err)
		}
		out[id] = u
	}
	return out, nil
}

// BenchmarkExecutorsLocal is the scaling curve: /bin/true jobs through 1, 2
// and 4 executors on one server (in one process, so they share the
// machine's cores as separate executor hosts would not).
func BenchmarkExecutorsLocal(b *testing.B) {
	for _, n := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("executors=%d", n), func(b *testing.B) { benchExecutors(b, nil, 64, n) })
	}
}
