package bus_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/natstest"
)

// Benchmarks of the bus against an embedded JetStream server (file storage
// in a temporary directory, as the publisher's embedded mode): what one
// publish of a task costs (status record + stream message) and what one
// compare-and-set status write costs.

func benchBus(b *testing.B) (*bus.Bus, context.Context) {
	b.Helper()
	_, _, js := natstest.Run(b)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	b.Cleanup(cancel)
	bs, err := bus.Open(ctx, js, bus.Config{})
	if err != nil {
		b.Fatal(err)
	}
	return bs, ctx
}

func benchTask(run job.RunID, i int) *job.Task {
	return &job.Task{
		V: job.Version, JID: run.Job(i), Run: run, Host: fmt.Sprintf("h%05d", i),
		Target: job.Target{Connection: job.ConnLocal}, Module: "command",
		Args: map[string]any{"_raw_params": "/bin/true"},
	}
}

// BenchmarkSubmit publishes one task at a time: the latency-bound rate of a
// single publisher goroutine.
func BenchmarkSubmit(b *testing.B) {
	bs, ctx := benchBus(b)
	run := job.NewRunID()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if err := bs.Submit(ctx, benchTask(run, i+1)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "jobs/s")
}

// BenchmarkSubmitParallel publishes from 64 goroutines at once, as the play
// engine does with -f 64.
func BenchmarkSubmitParallel(b *testing.B) {
	bs, ctx := benchBus(b)
	run := job.NewRunID()
	seq := job.NewSequence(run)
	b.SetParallelism(32) // × GOMAXPROCS goroutines
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := seq.Next()
			t := benchTask(run, 0)
			t.JID = id
			if err := bs.Submit(ctx, t); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "jobs/s")
}

// BenchmarkUpdate is one status write (read, CAS update) on an existing
// record, the executor's cost per state change.
func BenchmarkUpdate(b *testing.B) {
	bs, ctx := benchBus(b)
	run := job.NewRunID()
	ids := make([]job.ID, max(b.N, 1))
	for i := range ids {
		t := benchTask(run, i+1)
		ids[i] = t.JID
		if _, err := bs.Create(ctx, job.NewQueued(t, time.Now())); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		_, err := bs.Update(ctx, ids[i], func(s job.Status) (job.Status, error) { return s.Move(job.Running, time.Now()) })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "writes/s")
}

// BenchmarkUpdateParallel is BenchmarkUpdate from many goroutines on
// distinct records, as an executor running many jobs at once.
func BenchmarkUpdateParallel(b *testing.B) {
	bs, ctx := benchBus(b)
	run := job.NewRunID()
	ids := make(chan job.ID, max(b.N, 1))
	for i := range b.N {
		t := benchTask(run, i+1)
		if _, err := bs.Create(ctx, job.NewQueued(t, time.Now())); err != nil {
			b.Fatal(err)
		}
		ids <- t.JID
	}
	close(ids)
	b.SetParallelism(32)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := <-ids
			if _, err := bs.Update(ctx, id, func(s job.Status) (job.Status, error) { return s.Move(job.Running, time.Now()) }); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "writes/s")
}
