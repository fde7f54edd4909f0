package executor_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
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
	ctx, bs := openBus(t, time.Minute, bus.Config{AckWait: time.Second})
	ex := startExecutor(t, ctx, executor.Config{Bus: bs, Name: "lease-test", Dialer: slowDialer{3500 * time.Millisecond}})
	run, ids := submitLocal(t, ctx, bs, 5)
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
