package play

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/jetplay/jetplay/internal/action"
	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/report"
	"github.com/jetplay/jetplay/internal/watcher"
)

// submit publishes job j of the execution and returns its id.
func (r *hostRun) submit(ctx context.Context, vars map[string]any, j action.Job) (job.ID, error) {
	e, pc, t, host := r.e, r.pc, r.t, r.host
	target, err := e.target(pc, t, host, vars)
	if err != nil {
		return "", err
	}
	env, err := e.environment(pc, t, vars)
	if err != nil {
		return "", err
	}
	id := e.seq.Next()
	task := &job.Task{
		V: job.Version, JID: id, Run: e.cfg.Run, Pool: e.cfg.Pool,
		Name: e.taskName(pc, t, host), Host: host, Target: target,
		Module: j.Module, Args: j.Args, Async: j.Async, Timeout: j.Timeout, Env: env, NoLog: j.NoLog,
		Check: j.Check, Diff: j.Diff,
	}
	exec := r.exec
	if j.Exec != "" {
		exec += "/" + j.Exec
	}
	id, existed, err := e.cfg.Bus.SubmitOnce(ctx, task, e.idempotencyKey(t, host, exec))
	if err != nil {
		return "", err
	}
	e.log.Debug().Str("job_id", string(id)).Str("host", host).Str("module", j.Module).Bool("resumed", existed).Msg("job submitted")
	return id, nil
}

// target is how the executor reaches host, from its connection variables.
// The delegate_to host's variables are used when the task is delegated.
func (e *Engine) target(pc *playCtx, t *playbook.Task, host string, vars map[string]any) (job.Target, error) {
	cv := vars
	name := host
	if t.DelegateTo != "" {
		d, err := e.cfg.Render.Template(t.DelegateTo, vars)
		if err != nil {
			return job.Target{}, fmt.Errorf("delegate_to: %w", err)
		}
		name = fmt.Sprint(d)
		cv = e.cfg.Inventory.HostVars(name)
		if cv == nil {
			cv = map[string]any{}
		}
		if name == "localhost" || name == "127.0.0.1" {
			if _, ok := cv["ansible_connection"]; !ok {
				cv = maps.Clone(cv)
				cv["ansible_connection"] = job.ConnLocal
			}
		}
	}
	str := func(keys ...string) string {
		for _, k := range keys {
			if v, ok := cv[k]; ok && v != nil {
				return fmt.Sprint(v)
			}
		}
		return ""
	}
	tg := job.Target{
		Connection: str("ansible_connection"),
		Address:    str("ansible_host", "ansible_ssh_host"),
		User:       str("ansible_user", "ansible_ssh_user", "ansible_remote_user"),
		KeyFile:    str("ansible_ssh_private_key_file", "ansible_private_key_file"),
		SSHArgs:    strings.TrimSpace(str("ansible_ssh_common_args") + " " + str("ansible_ssh_extra_args")),
	}
	if tg.Address == "" && name != host {
		tg.Address = name
	}
	if tg.Connection == "" {
		// The connection keyword (task, block, play) applies when no
		// variable sets ansible_connection: Ansible's connection
		// variables override its keywords.
		tg.Connection = e.connectionKeyword(pc, t, vars)
	}
	switch tg.Connection {
	case "", "smart", "paramiko", "ssh":
		tg.Connection = job.ConnSSH
	case job.ConnLocal:
	default:
		return tg, fmt.Errorf("connection %q is not supported (use ssh or local)", tg.Connection)
	}
	if p := str("ansible_port", "ansible_ssh_port"); p != "" {
		n, err := e.intOf(p, nil)
		if err != nil {
			return tg, fmt.Errorf("ansible_port: %w", err)
		}
		tg.Port = n
	}
	become := pc.play.Become
	if t.Become != nil {
		become = t.Become
	}
	if become != nil {
		tg.Become = *become
	} else if b, _ := e.boolish(cv["ansible_become"], nil); b {
		tg.Become = true
	}
	if tg.Become {
		tg.BecomeUser = firstNonEmpty(t.BecomeUser, pc.play.BecomeUser, str("ansible_become_user"))
		tg.BecomeMethod = firstNonEmpty(t.BecomeMethod, pc.play.BecomeMethod, str("ansible_become_method"))
		for _, f := range []*string{&tg.BecomeUser, &tg.BecomeMethod} {
			if v, err := e.cfg.Render.Template(*f, vars); err == nil {
				*f = fmt.Sprint(v)
			}
		}
	}
	return tg, nil
}

// connectionKeyword is the task's connection keyword (inherited from its
// block) or else the play's, rendered; "" when neither is set.
func (e *Engine) connectionKeyword(pc *playCtx, t *playbook.Task, vars map[string]any) string {
	c := firstNonEmpty(t.Connection, pc.play.Connection)
	if c == "" {
		return ""
	}
	if v, err := e.cfg.Render.Template(c, vars); err == nil {
		return fmt.Sprint(v)
	}
	return c
}

// delegatedVars is a delegated result's _ansible_delegated_vars as the
// callbacks see it: the delegate's ansible_host (its name when unset),
// ansible_port and ansible_user (null when unset), and ansible_connection
// when the delegate sets one (the implicit localhost does: local).
func (e *Engine) delegatedVars(name string) map[string]any {
	cv := e.cfg.Inventory.HostVars(name)
	if cv == nil {
		cv = map[string]any{}
	}
	out := map[string]any{"ansible_host": name, "ansible_port": nil, "ansible_user": nil}
	for _, k := range []string{"ansible_host", "ansible_port", "ansible_user", "ansible_connection"} {
		if v, ok := cv[k]; ok && v != nil {
			out[k] = v
		}
	}
	if _, ok := out["ansible_connection"]; !ok && (name == "localhost" || name == "127.0.0.1") {
		out["ansible_connection"] = job.ConnLocal
	}
	return out
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// runSync publishes the job and waits for its final status.
func (r *hostRun) runSync(ctx context.Context, vars map[string]any, j action.Job) action.Outcome {
	id, err := r.submit(ctx, vars, j)
	if err != nil {
		return action.Failed(err.Error())
	}
	u, err := r.e.hub.Wait(ctx, id, watcher.Final)
	if err != nil {
		return action.Failed(fmt.Sprintf("waiting for job %s: %v", id, err))
	}
	o := action.Outcome{Result: job.Result(u.Status)}
	if u.Status.TaskTimeout {
		o.Fault = action.Timeout
	}
	return o
}

// launch is poll: 0: publish the job and answer Ansible's started: 1 once
// it has started on its host (job.Status.Launched: its process exists, or
// it has already ended). A host that could not be reached is the task's
// unreachable result, as in Ansible, whose launch needs the host. A job
// not started within the async limit (no executor took it, or its executor
// could not start it) fails the task and is cancelled, so that it never
// starts after its task failed.
func (r *hostRun) launch(ctx context.Context, vars map[string]any, j action.Job) action.Outcome {
	e := r.e
	id, err := r.submit(ctx, vars, j)
	if err != nil {
		return action.Failed(err.Error())
	}
	limit := time.Duration(j.Async) * time.Second
	wctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	u, err := e.hub.Wait(wctx, id, func(u watcher.Update) (bool, error) { return u.Status.Launched(), nil })
	switch {
	case err != nil && ctx.Err() != nil:
		return action.Failed(ctx.Err().Error())
	case err != nil && wctx.Err() != nil:
		return r.notStarted(ctx, id, u.Status, j.Async)
	case err != nil:
		return action.Failed(fmt.Sprintf("waiting for job %s to start: %v", id, err))
	case u.Status.Unreachable && u.Status.PID == 0:
		return action.Outcome{Result: job.Result(u.Status)}
	}
	return action.Outcome{Result: map[string]any{
		"ansible_job_id": string(id), "changed": true, "failed": 0, "finished": 0, "started": 1,
		"results_file": job.ResultsFile(id),
	}}
}

// notStartedCancelTimeout bounds the cancel of a job that did not start.
const notStartedCancelTimeout = 10 * time.Second

// notStarted cancels job id, which did not start within its async limit
// (its last record st), and returns the task's failure.
func (r *hostRun) notStarted(ctx context.Context, id job.ID, st job.Status, async int) action.Outcome {
	e := r.e
	why := fmt.Sprintf("no executor of pool %q took the job", cmp.Or(e.cfg.Pool, job.DefaultPool))
	if st.State == job.Running {
		why = fmt.Sprintf("executor %s had not started its command", st.Executor)
	}
	cctx, cancel := context.WithTimeout(ctx, notStartedCancelTimeout)
	defer cancel()
	by := fmt.Sprintf("its poll: 0 launch, which gave up after %ds", async)
	// A job that starts at the last moment is killed: its task has failed.
	if _, err := e.cfg.Bus.Cancel(cctx, id, by); err != nil {
		e.log.Warn().Err(err).Str("job_id", string(id)).Str("host", r.host).Msg("could not cancel a job that did not start")
	}
	return action.Outcome{Result: map[string]any{
		"failed": true, "changed": false, "ansible_job_id": string(id),
		"msg": fmt.Sprintf("async task did not start within the requested time - %ds: %s", async, why),
	}}
}

// runAsync is async with poll > 0: wait by watch until the job is final or
// the async deadline passes, printing Ansible's ASYNC POLL line every poll
// seconds while it runs.
func (r *hostRun) runAsync(ctx context.Context, vars map[string]any, j action.Job) action.Outcome {
	e, host := r.e, r.host
	id, err := r.submit(ctx, vars, j)
	if err != nil {
		return action.Failed(err.Error())
	}
	// The executor kills the job at the deadline and records timed_out; give
	// its write a moment past the deadline before giving up on our side.
	wctx, cancel := context.WithTimeout(ctx, time.Duration(j.Async)*time.Second+2*time.Second)
	defer cancel()
	stopTicks := e.pollTicks(wctx, host, id, j.Poll)
	u, err := e.hub.Wait(wctx, id, watcher.Final)
	stopTicks()
	if err != nil && ctx.Err() != nil {
		return action.Failed(ctx.Err().Error())
	}
	if err != nil || u.Status.State == job.TimedOut {
		e.report(func(r report.Reporter) { r.AsyncFailed(host, string(id)) })
		return action.Outcome{Result: map[string]any{
			"failed": true, "changed": false,
			"msg":          fmt.Sprintf("async task did not complete within the requested time - %ds", j.Async),
			"async_result": timeoutAsyncResult(id),
		}}
	}
	res := job.Result(u.Status)
	if truthy(res["failed"]) {
		e.report(func(r report.Reporter) { r.AsyncFailed(host, string(id)) })
	} else {
		e.report(func(r report.Reporter) { r.AsyncOK(host, string(id)) })
	}
	res["ansible_job_id"] = string(id)
	res["finished"], res["started"] = 1, 1
	res["results_file"] = job.ResultsFile(id)
	return action.Outcome{Result: res}
}

// pollTicks prints ASYNC POLL every poll seconds until stopped: the output
// Ansible users read, while the wait itself is a watch.
func (e *Engine) pollTicks(ctx context.Context, host string, id job.ID, poll int) (stop func()) {
	if poll <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tk := time.NewTicker(time.Duration(poll) * time.Second)
		defer tk.Stop()
		for {
			select {
			case <-tk.C:
				e.report(func(r report.Reporter) { r.AsyncPoll(host, string(id)) })
			case <-done:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() { close(done); <-finished }
}

// timeoutAsyncResult is the last async_status answer Ansible attaches when
// its poll loop gives up: the running answer without changed/failed, with
// the status check's invocation.
func timeoutAsyncResult(id job.ID) map[string]any {
	r := job.RunningResult(id)
	delete(r, "changed")
	delete(r, "failed")
	r["invocation"] = map[string]any{"module_args": map[string]any{"jid": string(id), "mode": "status", "_async_dir": "~/.ansible_async"}}
	return r
}

// statusOfJob reads a job's status from the hub or, for a job of another
// run, from the bucket.
func (e *Engine) statusOfJob(ctx context.Context, id job.ID) (job.Status, bool, error) {
	if u, ok := e.hub.Latest(id); ok {
		return u.Status, true, nil
	}
	st, _, err := e.cfg.Bus.Status(ctx, id)
	if errors.Is(err, bus.ErrNotFound) {
		return st, false, nil
	}
	return st, err == nil, err
}
