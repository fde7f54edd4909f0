package watcher_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/natstest"
	"github.com/jetplay/jetplay/internal/watcher"
)

// BenchmarkFinalToWatcherMany is BenchmarkFinalToWatcher with b.N jobs
// waited on at once through one hub (the publisher with -f b.N) and written
// final from 16 goroutines: the latency from each final write to its waiter
// under load, p50 and p99.
func BenchmarkFinalToWatcherMany(b *testing.B) {
	_, _, js := natstest.Run(b)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
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
	ids := make([]job.ID, b.N)
	for i := range ids {
		ids[i] = run.Job(i + 1)
		task := &job.Task{V: job.Version, JID: ids[i], Run: run, Host: "h", Module: "command"}
		st, _ := job.NewQueued(task, time.Now()).Move(job.Running, time.Now())
		if _, err := bs.Create(ctx, st); err != nil {
			b.Fatal(err)
		}
	}
	written := make([]time.Time, b.N)
	seen := make([]time.Time, b.N)
	var waiters sync.WaitGroup
	for i, id := range ids {
		waiters.Add(1)
		go func() {
			defer waiters.Done()
			if _, err := h.Wait(ctx, id, watcher.Final); err != nil {
				b.Error(err)
			}
			seen[i] = time.Now()
		}()
	}
	b.ResetTimer()
	work := make(chan int, b.N)
	for i := range b.N {
		work <- i
	}
	close(work)
	var writers sync.WaitGroup
	for range 16 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := range work {
				_, err := bs.Update(ctx, ids[i], func(s job.Status) (job.Status, error) {
					written[i] = time.Now()
					return s.Move(job.Succeeded, time.Now())
				})
				if err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	writers.Wait()
	waiters.Wait()
	b.StopTimer()
	lat := make([]time.Duration, b.N)
	for i := range lat {
		lat[i] = seen[i].Sub(written[i])
	}
	reportPercentiles(b, lat)
}

// BenchmarkWaitAllManyIDs is watcher.WaitAll on b.N jids of finished jobs:
// the cost of its watch's setup, which grows with the number of jids.
func BenchmarkWaitAllManyIDs(b *testing.B) {
	_, _, js := natstest.Run(b)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bs, err := bus.Open(ctx, js, bus.Config{})
	if err != nil {
		b.Fatal(err)
	}
	run := job.NewRunID()
	ids := make([]job.ID, b.N)
	for i := range ids {
		ids[i] = run.Job(i + 1)
		task := &job.Task{V: job.Version, JID: ids[i], Run: run, Host: "h", Module: "command"}
		st, _ := job.NewQueued(task, time.Now()).Move(job.Running, time.Now())
		st, _ = st.Move(job.Succeeded, time.Now())
		if _, err := bs.Create(ctx, st); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	if _, err := watcher.WaitAll(ctx, bs, ids, watcher.Final); err != nil {
		b.Fatal(err)
	}
}
