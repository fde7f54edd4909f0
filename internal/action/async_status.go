package action

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/jetplay/jetplay/internal/job"
)

// asyncStatus is Ansible's async_status action: it answers for a job from
// its status record, as the async_status module answers from its job file
// (mode status), or removes the record (mode cleanup).
func asyncStatus(ctx context.Context, c *Call, e Engine) (o Outcome) {
	jid := fmt.Sprint(c.Args["jid"])
	mode := "status"
	if m, ok := c.Args["mode"]; ok {
		mode = fmt.Sprint(m)
	}
	id := job.ID(jid)
	empty := func(r map[string]any) Outcome {
		r["stdout"], r["stderr"] = "", ""
		r["stdout_lines"], r["stderr_lines"] = []any{}, []any{}
		return Outcome{Result: r}
	}
	st, found, err := e.Status(ctx, id)
	if err != nil {
		return Failed(err.Error())
	}
	// The async_status module's exit_json adds its own invocation to any
	// answer that lacks one (a finished job's result has the job's).
	defer func() {
		if _, ok := o.Result["invocation"]; !ok {
			o.Result["invocation"] = invocation(jid, mode)
		}
	}()
	switch mode {
	case "cleanup":
		if !found {
			return empty(map[string]any{"failed": true, "changed": false, "msg": "could not find job",
				"ansible_job_id": jid, "erased": job.ResultsFile(id), "started": 1, "finished": 1})
		}
		if err := e.Delete(ctx, id); err != nil {
			return Failed(fmt.Sprintf("cleanup of job %s: %v", jid, err))
		}
		return empty(map[string]any{"changed": false, "failed": false, "ansible_job_id": jid,
			"erased": job.ResultsFile(id), "started": 0, "finished": 0})
	case "status":
	default:
		return Failed(fmt.Sprintf("value of mode must be one of: status, cleanup, got: %s", mode))
	}
	if !found {
		return empty(map[string]any{"failed": true, "changed": false, "msg": "could not find job",
			"ansible_job_id": jid, "results_file": job.ResultsFile(id), "started": 1, "finished": 1})
	}
	return Outcome{Result: job.AsyncStatusResult(st)}
}

// invocation is the invocation of an async_status answer.
func invocation(jid, mode string) map[string]any {
	return map[string]any{"module_args": map[string]any{"jid": jid, "mode": mode}}
}

// AsyncStatusUntil is async_status (mode status) with until: c.Until is
// checked on every status change of the job (Engine.Wait), so the task
// passes as soon as it holds, each answer first judged by the task's
// changed_when and failed_when. c.Retries × c.Delay is the time budget; a
// RETRYING line is printed for each delay that passes without the
// condition holding, as Ansible prints one per poll. attempts is the number
// of polls Ansible would have made by then. ok is false for a call that is
// not a status check (mode cleanup), which runs as an ordinary attempt.
func AsyncStatusUntil(ctx context.Context, c *Call, e Engine) (o Outcome, ok bool) {
	if m, ok := c.Args["mode"]; ok && fmt.Sprint(m) != "status" {
		return Outcome{}, false
	}
	id := job.ID(fmt.Sprint(c.Args["jid"]))
	retries, delay := c.Retries, c.Delay
	start := time.Now()
	attempts := func() int {
		if delay <= 0 {
			return 1
		}
		// The first check (at start) failed; Ansible would have seen the
		// change at its next poll.
		return min(int(time.Since(start)/delay)+2, retries+1)
	}
	check := func(st job.Status, found bool) (map[string]any, bool, error) {
		var res map[string]any
		if found {
			res = job.AsyncStatusResult(st)
			if _, ok := res["invocation"]; !ok {
				res["invocation"] = invocation(string(id), "status")
			}
		} else {
			res = asyncStatus(ctx, c, e).Result
		}
		res = applyWhen(c, res)
		ok, err := c.Until(res)
		return res, ok, err
	}

	st, found, err := e.Status(ctx, id)
	if err != nil {
		return Failed(err.Error()), true
	}
	res, held, err := check(st, found)
	if err != nil {
		return Failed(err.Error()), true
	}
	if held {
		res["attempts"] = 1
		return Outcome{Result: res}, true
	}
	if !found {
		// A missing job never appears later; Ansible's until sees the
		// same "could not find job" each time and runs out of retries.
		for n := retries; n >= 1; n-- {
			e.Retry(c, n)
		}
		res["failed"], res["attempts"] = true, retries
		return Outcome{Result: res}, true
	}
	wctx, cancel := context.WithTimeout(ctx, time.Duration(retries)*delay)
	defer cancel()
	// RETRYING lines, one per delay, while the watch waits.
	left := retries
	ticker := time.NewTicker(max(delay, time.Millisecond))
	defer ticker.Stop()
	e.Retry(c, left)
	left--
	type waited struct {
		res  map[string]any
		held bool
		err  error
	}
	done := make(chan waited, 1)
	go func() {
		var last map[string]any
		err := e.Wait(wctx, id, func(st job.Status, found bool) (bool, error) {
			r, held, err := check(st, found)
			last = r
			return held, err
		})
		if err == nil {
			done <- waited{res: last, held: true}
			return
		}
		if wctx.Err() != nil && ctx.Err() == nil {
			err = nil // budget used up
		}
		done <- waited{res: last, err: err}
	}()
	for {
		select {
		case <-ticker.C:
			if left >= 1 {
				e.Retry(c, left)
				left--
			}
		case w := <-done:
			if w.err != nil {
				return Failed(w.err.Error()), true
			}
			if w.held {
				w.res["attempts"] = attempts()
				return Outcome{Result: w.res}, true
			}
			if w.res == nil {
				w.res = res
			}
			w.res["failed"], w.res["attempts"] = true, retries
			return Outcome{Result: w.res}, true
		}
	}
}

// applyWhen applies the task's changed_when and failed_when to an
// async_status answer, with the answer registered; a conditional that
// cannot be evaluated leaves the answer as it is.
func applyWhen(c *Call, res map[string]any) map[string]any {
	t := c.Task
	if len(t.ChangedWhen) == 0 && len(t.FailedWhen) == 0 {
		return res
	}
	v := maps.Clone(c.Vars)
	if t.Register != "" {
		v[t.Register] = Registered(res)
	}
	if len(t.ChangedWhen) > 0 {
		if ok, err := c.Render.Cond(condList(t.ChangedWhen), v); err == nil {
			res["changed"] = ok
		}
	}
	if len(t.FailedWhen) > 0 {
		if ok, err := c.Render.Cond(condList(t.FailedWhen), v); err == nil {
			res["failed_when_result"], res["failed"] = ok, ok
		}
	}
	return res
}

// condList is a list of conditionals as render.Cond takes it: the one
// conditional alone, or the list.
func condList(v []any) any {
	if len(v) == 1 {
		return v[0]
	}
	return v
}
