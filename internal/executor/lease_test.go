package executor_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/natstest"
)

// slowDialer's commands take d (or until cancelled) and succeed.
type slowDialer struct{ d time.Duration }

func (s slowDialer) Conn(string, job.Target) conn.Conn { return slowConn(s) }

type slowConn struct{ d time.Duration }

func (s slowConn) Run(ctx context.Context, _ conn.Command) (conn.Result, error) {
	start := time.Now()
	t := time.NewTimer(s.d)
	defer t.Stop()
	select {
	case <-t.C:
		return conn.Result{RC: 0, Start: start, End: time.Now()}, nil
	case <-ctx.Done():
		return conn.Result{}, ctx.Err()
	}
}

// Jobs that run for several AckWaits keep their leases: the server never
// redelivers their messages.
func TestLongJobsKeepTheirLeases(t *testing.T) {
	t.Parallel()
	_, _, js := natstest.Run(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bs, err := bus.Open(ctx, js, bus.Config{AckWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := executor.New(executor.Config{
		Bus: bs, Name: "lease-test", Dialer: slowDialer{3500 * time.Millisecond},
		Grace: time.Second, Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel),
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
	run := job.NewRunID()
	var ids []job.ID
	for i := range 5 {
		tk := &job.Task{
			V: job.Version, JID: run.Job(i + 1), Run: run, Host: fmt.Sprintf("h%d", i+1),
			Target: job.Target{Connection: job.ConnLocal}, Module: "command",
			Args: map[string]any{"_raw_params": "/bin/true"},
		}
		if err := bs.Submit(ctx, tk); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tk.JID)
	}
	got, err := waitRun(ctx, bs, run, ids)
	if err != nil {
		t.Fatal(err)
	}
	for id, u := range got {
		if u.Status.State != job.Succeeded || u.Status.Attempt != 1 {
			t.Errorf("job %s: %s on attempt %d", id, u.Status.State, u.Status.Attempt)
		}
	}
	rec := httptest.NewRecorder()
	ex.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	want := `jetplay_redeliveries_total{executor="lease-test",pool="default"} 0`
	if !strings.Contains(rec.Body.String(), want+"\n") {
		t.Errorf("metrics lack %q:\n%s", want, rec.Body.String())
	}
}
