package executor

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/module"
)

// attachConn is a connection that can re-attach to detached jobs.
type attachConn struct{ conn.Local }

func (attachConn) Attach(context.Context, string, conn.Command) (conn.Result, bool, error) {
	return conn.Result{}, false, nil
}

// classify decides a job's outcome by what ended its run: the run's
// context cause first, then the executor stopping, then the error's kind,
// then the module's typed result (never its msg or child_pid).
func TestClassify(t *testing.T) {
	t.Parallel()
	unreachable := &conn.UnreachableError{Host: "h1", Err: errors.New("connection refused")}
	boom := errors.New("boom: secret output")
	stopped, stop := context.WithCancel(context.Background())
	stop()
	failedMsg := func(msg string) map[string]any { return map[string]any{"failed": true, "changed": false, "msg": msg} }
	tests := []struct {
		name  string
		ctx   context.Context // the executor's; default a live one
		noLog bool
		async int
		conn  conn.Conn
		res   module.Result
		err   error
		cause error
		want  outcome
	}{
		{name: "succeeded", res: module.Result{Values: map[string]any{"changed": true, "rc": 0}},
			want: outcome{state: job.Succeeded, result: map[string]any{"changed": true, "rc": 0}}},
		{name: "module failed", res: module.Result{Values: map[string]any{"failed": true, "rc": 2}},
			want: outcome{state: job.Failed, result: map[string]any{"failed": true, "rc": 2}}},
		{name: "async deadline", res: module.Result{Values: map[string]any{"failed": true, "msg": "Timeout exceeded", "child_pid": 7}, TimedOut: true},
			want: outcome{state: job.TimedOut, result: map[string]any{"failed": true, "msg": "Timeout exceeded", "child_pid": 7}}},
		{name: "a kill result's keys alone are no timeout", res: module.Result{Values: map[string]any{"msg": "Timeout exceeded", "child_pid": 7}},
			want: outcome{state: job.Succeeded, result: map[string]any{"msg": "Timeout exceeded", "child_pid": 7}}},
		{name: "cancel request", cause: errCancelled{by: "bob"}, err: context.Canceled,
			res:  module.Result{Values: map[string]any{"rc": -15, "stdout": "half", "other": 1}},
			want: outcome{state: job.Cancelled, reason: "cancelled by bob", result: map[string]any{"failed": true, "changed": false, "msg": "cancelled by bob", "rc": -15, "stdout": "half"}}},
		{name: "cancel request while stopping", ctx: stopped, cause: errCancelled{by: "bob"}, err: context.Canceled, async: 10, conn: attachConn{},
			want: outcome{state: job.Cancelled, reason: "cancelled by bob", result: failedMsg("cancelled by bob")}},
		{name: "task timeout", cause: errTaskTimeout{module: "command", seconds: 3}, err: context.Canceled,
			want: outcome{state: job.Failed, result: failedMsg(job.TimeoutMessage("command", 3)), taskTimeout: true}},
		{name: "task timeout under no_log", noLog: true, cause: errTaskTimeout{module: "shell", seconds: 2}, err: context.Canceled,
			want: outcome{state: job.Failed, taskTimeout: true, result: map[string]any{"censored": job.NoLogMessage, "failed": true, "changed": false}}},
		{name: "stopping with a detached job", ctx: stopped, err: context.Canceled, async: 10, conn: attachConn{},
			want: outcome{handBack: true}},
		{name: "unreachable", err: unreachable,
			want: outcome{state: job.Failed, unreachable: true, reason: "unreachable: " + unreachable.Error(),
				result: map[string]any{"unreachable": true, "changed": false, "msg": unreachable.Error()}}},
		{name: "unreachable while stopping", ctx: stopped, err: unreachable,
			want: outcome{state: job.Failed, unreachable: true, reason: "unreachable: " + unreachable.Error(),
				result: map[string]any{"unreachable": true, "changed": false, "msg": unreachable.Error()}}},
		{name: "stopping", ctx: stopped, err: context.Canceled,
			want: outcome{state: job.Cancelled, reason: "executor x1 stopped before the job finished", result: failedMsg("executor x1 stopped before the job finished")}},
		{name: "stopping, no re-attach without async", ctx: stopped, err: context.Canceled, conn: attachConn{},
			want: outcome{state: job.Cancelled, reason: "executor x1 stopped before the job finished", result: failedMsg("executor x1 stopped before the job finished")}},
		{name: "error", err: boom, want: outcome{state: job.Failed, reason: boom.Error(), result: failedMsg(boom.Error())}},
		{name: "no_log error", noLog: true, err: boom,
			want: outcome{state: job.Failed, reason: "failed: " + job.NoLogMessage,
				result: map[string]any{"censored": job.NoLogMessage, "failed": true, "changed": false}}},
		{name: "no_log unreachable", noLog: true, err: unreachable,
			want: outcome{state: job.Failed, unreachable: true, reason: "unreachable: " + unreachable.Error(),
				result: map[string]any{"censored": job.NoLogMessage, "unreachable": true, "changed": false}}},
		{name: "no_log result", noLog: true, res: module.Result{Values: map[string]any{"changed": true, "rc": 0, "stdout": "secret"}},
			want: outcome{state: job.Succeeded, result: map[string]any{"censored": job.NoLogMessage, "changed": true, "rc": 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := &Executor{cfg: Config{Name: "x1"}}
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			c := tt.conn
			if c == nil {
				c = conn.Local{}
			}
			d := &delivery{task: job.Task{JID: "j1", Host: "h1", Module: "command", NoLog: tt.noLog, Async: tt.async},
				conn: c, log: zerolog.New(zerolog.NewTestWriter(t))}
			got := e.classify(ctx, d, tt.res, tt.err, tt.cause)
			got.started = time.Time{}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("classify = %+v\nwant       %+v", got, tt.want)
			}
		})
	}
}
