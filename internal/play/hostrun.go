package play

import (
	"context"
	"fmt"
	"time"

	"github.com/jetplay/jetplay/internal/action"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/report"
	"github.com/jetplay/jetplay/internal/watcher"
)

// hostRun is the execution of one task on one host: what the engine's side
// of an action needs besides the action.Call (the play, the task, the
// host). It implements action.Engine.
type hostRun struct {
	e    *Engine
	pc   *playCtx
	t    *playbook.Task
	host string
	// exec is the execution path, which names the run's jobs in
	// idempotency keys: "" for the task, "/i0" for its first loop item,
	// "/i0/a2" for that item's second until attempt.
	exec string
}

// sub is the execution one level down (a loop item, an until attempt).
func (r *hostRun) sub(part string) *hostRun {
	c := *r
	c.exec += "/" + part
	return &c
}

var _ action.Engine = (*hostRun)(nil)

// call builds the action.Call of one execution of the task with vars and
// the rendered args of module name (canonical). Async and Timeout are left
// 0 and Poll at Ansible's default for the caller, which knows the module's
// kind.
func (r *hostRun) call(vars, args map[string]any, name string) *action.Call {
	e, pc, t := r.e, r.pc, r.t
	c := &action.Call{
		Task: t, Host: r.host, Module: name, Args: args, Vars: vars, Render: e.cfg.Render,
		Check: e.checkMode(pc, t, vars), Diff: e.diffMode(pc, t, vars), NoLog: e.noLog(pc, t, vars),
		Poll: defaultPoll, TaskFile: t.Pos.File, BookDir: pc.book.Dir, Verbosity: e.cfg.Verbosity,
		Decrypt: e.cfg.Decrypt,
	}
	if t.DelegateTo != "" {
		if d, err := e.cfg.Render.Template(t.DelegateTo, vars); err == nil {
			c.Delegate = fmt.Sprint(d)
		}
	}
	if t.Until != nil || t.Retries != nil {
		c.Retries, c.Delay = e.retryBudget(t, vars)
		c.Until = func(res map[string]any) (bool, error) { return e.untilHolds(t, vars, res) }
	}
	return c
}

// Run submits j for the host and waits for it as its kind asks: a
// synchronous job, an async one polled by watch, or an async one launched
// (poll 0).
func (r *hostRun) Run(ctx context.Context, c *action.Call, j action.Job) action.Outcome {
	switch {
	case j.Async > 0 && j.Poll == 0:
		return r.launch(ctx, c.Vars, j)
	case j.Async > 0:
		return r.runAsync(ctx, c.Vars, j)
	}
	return r.runSync(ctx, c.Vars, j)
}

// SetFacts stores facts for host (set_fact, include_vars).
func (r *hostRun) SetFacts(host string, facts map[string]any) { r.e.setFacts(host, facts) }

// Status reads a job's status from the run's watch or, for a job the
// watch has not seen (another run's), from the bucket.
func (r *hostRun) Status(ctx context.Context, id job.ID) (job.Status, bool, error) {
	return r.e.statusOfJob(ctx, id)
}

// Wait waits on job id's status by watch: the run's, or for a job of
// another run a watch of that job alone.
func (r *hostRun) Wait(ctx context.Context, id job.ID, cond func(job.Status, bool) (bool, error)) error {
	hub := r.e.hub
	if id.Run() != r.e.cfg.Run {
		h, err := watcher.NewHub(ctx, watcher.HubConfig{Source: r.e.cfg.Bus, Patterns: []string{job.StatusKey(id)}})
		if err == nil {
			defer h.Stop()
			hub = h
		}
	}
	_, err := hub.Wait(ctx, id, func(u watcher.Update) (bool, error) { return cond(u.Status, u.Status.State != "") })
	return err
}

// cleanupSeenTimeout bounds how long a cleanup waits for the run's watch
// to see the deletion of the status record.
const cleanupSeenTimeout = 10 * time.Second

// Delete removes job id's status record, then waits until the run's watch
// has seen the deletion, when the watch holds the job: the next
// async_status reads the watch's latest record, which would otherwise still
// be the finished job's for a moment (a status after cleanup found the job
// on a busy machine, where Ansible finds no job). Waiting is bounded; past
// the bound the answer may be stale.
func (r *hostRun) Delete(ctx context.Context, id job.ID) error {
	e := r.e
	if err := e.cfg.Bus.DeleteStatus(ctx, id); err != nil {
		return err
	}
	if e.hub == nil {
		return nil
	}
	if _, ok := e.hub.Latest(id); !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, cleanupSeenTimeout)
	defer cancel()
	// The condition never holds: Wait returns watcher.ErrDeleted once the
	// deletion is seen, or ctx's error.
	_, _ = e.hub.Wait(ctx, id, func(watcher.Update) (bool, error) { return false, nil })
	return nil
}

// Retry prints the RETRYING line of the task on the host.
func (r *hostRun) Retry(_ *action.Call, left int) {
	name := r.e.taskName(r.pc, r.t, r.host)
	r.e.report(func(rep report.Reporter) { rep.Retry(r.host, name, left) })
}
