package play

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/jetplay/jetplay/internal/action"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/module"
	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/render"
	"github.com/jetplay/jetplay/internal/report"
)

// Ansible's defaults.
const (
	defaultPoll    = 15 // seconds, DEFAULT_POLL_INTERVAL
	defaultRetries = 3  // with until and no retries
	defaultDelay   = 5  // seconds
)

// runHostTask runs task t on host and returns its result, after register.
func (e *Engine) runHostTask(ctx context.Context, pc *playCtx, t *playbook.Task, host string) report.HostResult {
	vars := e.varsFor(pc, t, host, nil)
	hr := report.HostResult{Host: host}
	if t.DelegateTo != "" {
		if d, err := e.cfg.Render.Template(t.DelegateTo, vars); err == nil {
			hr.Delegated = fmt.Sprint(d)
		}
	}
	r := &hostRun{e: e, pc: pc, t: t, host: host}
	var out action.Outcome
	if t.Loop != nil {
		out.Result = r.runLoop(ctx, vars)
	} else {
		out = r.runOne(ctx, vars)
	}
	result := out.Result
	hr.Status = statusOf(result)
	hr.Ignored = e.ignored(t, hr.Status, vars)
	// Ansible shows a result's diff with --diff, or when the task itself
	// runs in diff mode.
	hr.Diff = e.cfg.Diff || e.diffMode(pc, t, vars)
	if t.Register != "" {
		e.setFacts(host, map[string]any{t.Register: action.Registered(result)})
	}
	// An action may ask for its own result to be hidden (include_vars of
	// an encrypted file), as Ansible ORs the task's no_log with it.
	asked, _ := result["_ansible_no_log"].(bool)
	noLog := e.noLog(pc, t, vars) || asked
	if noLog {
		result = job.Censor(result, "changed", "failed", "skipped", "unreachable")
	}
	// An action failure and a task timeout bypass Ansible's result
	// handling: they carry no _ansible_no_log, unless no_log censored them.
	bypass := !noLog && (out.Fault == action.ActionFail || out.Fault == action.Timeout)
	if t.Loop == nil && hr.Status != report.Unreachable && !bypass {
		result["_ansible_no_log"] = noLog
		if hr.Delegated != "" && hr.Status != report.Skipped {
			// Ansible adds the delegate's connection variables to the
			// results of a delegated task that ran.
			result["_ansible_delegated_vars"] = e.delegatedVars(hr.Delegated)
		}
	}
	hr.Result = result
	return hr
}

// runOne runs one execution of the task (one loop item, or the task) with
// its when, until, changed_when and failed_when.
func (r *hostRun) runOne(ctx context.Context, vars map[string]any) action.Outcome {
	e, t := r.e, r.t
	ok, msg := e.condEach(t.When, vars)
	if msg != "" {
		return taskError(withExcerpt(msg, t))
	}
	if !ok {
		return action.Outcome{Result: map[string]any{"changed": false, "skipped": true, "skip_reason": "Conditional result was False"}}
	}
	if t.Until == nil && t.Retries == nil {
		return r.attempt(ctx, vars)
	}
	if t.Module == "async_status" && t.Until != nil {
		args, o, ok := r.args(vars)
		if !ok {
			return o
		}
		if o, ok := action.AsyncStatusUntil(ctx, r.call(vars, args, "async_status"), r); ok {
			if _, ok := o.Result["failed"]; !ok {
				o.Result["failed"] = false
			}
			return o
		}
		return r.attempt(ctx, vars)
	}
	retries, delay := e.retryBudget(t, vars)
	var o action.Outcome
	for n := 1; ; n++ {
		o = r.sub(fmt.Sprintf("a%d", n)).attempt(ctx, vars)
		o.Result["attempts"] = n
		done, err := e.untilHolds(t, vars, o.Result)
		if err != nil {
			return taskError(err.Error())
		}
		if done {
			return o
		}
		if n > retries {
			break
		}
		r.Retry(nil, retries-n+1)
		if !action.Sleep(ctx, delay) {
			return action.Failed(ctx.Err().Error())
		}
	}
	o.Result["failed"] = true
	o.Result["attempts"] = retries
	return o
}

// untilHolds evaluates until (or "not failed" when only retries is set) with
// the result registered.
func (e *Engine) untilHolds(t *playbook.Task, vars map[string]any, result map[string]any) (bool, error) {
	if t.Until == nil {
		return !truthy(result["failed"]), nil
	}
	v := vars
	if t.Register != "" {
		v = maps.Clone(vars)
		v[t.Register] = action.Registered(result)
	}
	conds, ok := t.Until.([]any)
	if !ok {
		conds = []any{t.Until}
	}
	ok, msg := e.condEach(conds, v)
	if msg != "" {
		return false, errors.New(msg)
	}
	return ok, nil
}

// retryBudget is until's retries and delay, with Ansible's defaults.
func (e *Engine) retryBudget(t *playbook.Task, vars map[string]any) (int, time.Duration) {
	retries := defaultRetries
	if t.Retries != nil {
		if n, err := e.intOf(t.Retries, vars); err == nil {
			retries = max(n, 0)
		}
	}
	delay := float64(defaultDelay)
	if t.Delay != nil {
		if f, err := e.floatOf(t.Delay, vars); err == nil {
			delay = f
		}
		if delay < 0 {
			delay = 1
		}
	}
	return retries, time.Duration(delay * float64(time.Second))
}

// attempt is one run of the action plus changed_when and failed_when.
func (r *hostRun) attempt(ctx context.Context, vars map[string]any) action.Outcome {
	e, t := r.e, r.t
	o := r.action(ctx, vars)
	result := o.Result
	if truthy(result["unreachable"]) || truthy(result["skipped"]) {
		if _, ok := result["failed"]; !ok && !truthy(result["unreachable"]) {
			// A module that skipped itself (check mode) is not failed.
			result["failed"] = false
		}
		return o
	}
	if len(t.ChangedWhen) > 0 || len(t.FailedWhen) > 0 {
		v := vars
		if t.Register != "" {
			v = maps.Clone(vars)
			v[t.Register] = action.Registered(result)
		}
		// A changed_when or failed_when that cannot be evaluated fails
		// the task, its message in changed_when_result or
		// failed_when_result, and the module's result stays.
		if len(t.ChangedWhen) > 0 {
			ok, msg := e.condEach(t.ChangedWhen, v)
			if msg != "" {
				result["failed"], result["changed_when_result"] = true, msg
				return o
			}
			result["changed"] = ok
		}
		if len(t.FailedWhen) > 0 {
			ok, msg := e.condEach(t.FailedWhen, v)
			if msg != "" {
				result["failed"], result["failed_when_result"] = true, msg
				return o
			}
			result["failed_when_result"] = ok
			result["failed"] = ok
			if o.Fault == action.Timeout && !ok {
				// failed_when passed the timed-out run: it is an
				// ordinary result now.
				o.Fault = action.None
			}
		}
	}
	if _, ok := result["failed"]; !ok {
		result["failed"] = false
	}
	return o
}

// action renders the task's arguments, builds the execution's action.Call
// and runs the module's action once.
func (r *hostRun) action(ctx context.Context, vars map[string]any) action.Outcome {
	e, pc, t := r.e, r.pc, r.t
	info, ok := module.Lookup(t.Module)
	if !ok {
		return action.Failed(fmt.Sprintf("couldn't resolve module/action '%s'", t.Module))
	}
	asyncSec, err := e.intOf(t.Async, vars)
	if err != nil {
		return action.Failed(fmt.Sprintf("async: %v", err))
	}
	if asyncSec > 0 && !info.Async {
		return action.Refused(module.AsyncNotSupportedMsg)
	}
	if asyncSec > 0 && e.checkMode(pc, t, vars) {
		return action.Refused(checkAsyncMsg)
	}
	args, o, ok := r.args(vars)
	if !ok {
		return o
	}
	switch info.Name {
	case "meta":
		return action.Outcome{Result: e.meta(pc, r.host, args)}
	case "import_tasks", "include_tasks":
		return action.Failed(info.Name + " cannot be used here")
	}
	f, ok := action.Lookup(info.Name)
	if !ok {
		return action.Failed(fmt.Sprintf("the %s action is not supported by jetplay", info.Name))
	}
	c := r.call(vars, args, info.Name)
	if info.Kind == module.Host {
		// Ansible validates these keywords before the action runs.
		c.Async = asyncSec
		if t.Poll != nil {
			if c.Poll, err = e.intOf(t.Poll, vars); err != nil {
				return action.Failed(fmt.Sprintf("poll: %v", err))
			}
		}
		if asyncSec == 0 {
			if c.Timeout, err = e.taskTimeout(pc, t, vars); err != nil {
				return action.Failed(fmt.Sprintf("timeout: %v", err))
			}
		}
	}
	return f(ctx, c, r)
}

// args renders the task's arguments with vars and drops those set to omit.
// An argument that cannot be rendered is the task error Ansible raises
// (ok false), with the task's excerpt for an undefined variable.
func (r *hostRun) args(vars map[string]any) (args map[string]any, o action.Outcome, ok bool) {
	t := r.t
	argsAny, err := r.e.cfg.Render.Value(maps.Clone(t.Args), vars)
	if err != nil {
		if _, ok := render.UndefinedMessage(err); ok {
			// Ansible raises it with the task as the error's object.
			return nil, taskError(withExcerpt(argsMessage(err), t)), false
		}
		return nil, taskError(argsMessage(err)), false
	}
	args, _ = argsAny.(map[string]any)
	return r.e.stripOmit(args), action.Outcome{}, true
}

// stripOmit drops arguments whose value is the omit placeholder.
func (e *Engine) stripOmit(args map[string]any) map[string]any {
	for k, v := range args {
		if s, ok := v.(string); ok && s == e.omit {
			delete(args, k)
		}
	}
	return args
}

func (e *Engine) noLog(pc *playCtx, t *playbook.Task, vars map[string]any) bool {
	if t.NoLog != nil {
		b, _ := e.boolish(t.NoLog, vars)
		return b
	}
	b, _ := e.boolish(pc.play.NoLog, vars)
	return b
}

// ignored applies ignore_errors and ignore_unreachable.
func (e *Engine) ignored(t *playbook.Task, st report.Status, vars map[string]any) bool {
	switch st {
	case report.Failed:
		b, _ := e.boolish(t.IgnoreErrors, vars)
		return b
	case report.Unreachable:
		b, _ := e.boolish(t.IgnoreUnreachable, vars)
		return b
	}
	return false
}

func (e *Engine) cond(when []any, vars map[string]any) (bool, error) {
	if len(when) == 0 {
		return true, nil
	}
	return e.cfg.Render.Cond(anyList(when), vars)
}

// boolish is a keyword's value as a boolean (action.Bool).
func (e *Engine) boolish(v any, vars map[string]any) (bool, error) {
	return action.Bool(e.cfg.Render, v, vars)
}

// intOf is a keyword's value as an int (action.Int).
func (e *Engine) intOf(v any, vars map[string]any) (int, error) {
	return action.Int(e.cfg.Render, v, vars)
}

// floatOf is a keyword's value as a number (action.Float).
func (e *Engine) floatOf(v any, vars map[string]any) (float64, error) {
	return action.Float(e.cfg.Render, v, vars)
}

// statusOf classifies a result the way Ansible's callbacks do.
func statusOf(r map[string]any) report.Status {
	switch {
	case truthy(r["unreachable"]):
		return report.Unreachable
	case truthy(r["failed"]):
		return report.Failed
	case truthy(r["skipped"]):
		return report.Skipped
	case truthy(r["changed"]):
		return report.Changed
	}
	return report.OK
}

// failure is the result of a run that failed with msg (action.Failed).
func failure(msg string) map[string]any { return action.Failed(msg).Result }

// taskTimeout is the timeout keyword of the task (or its block) or else of
// its play, in seconds; 0 when neither sets one.
func (e *Engine) taskTimeout(pc *playCtx, t *playbook.Task, vars map[string]any) (int, error) {
	v := t.Timeout
	if v == nil {
		v = pc.play.Timeout
	}
	if v == nil {
		return 0, nil
	}
	return e.intOf(v, vars)
}

// truthy is Python's truth value, as Ansible's results are read.
func truthy(v any) bool { return render.Truthy(v) }

func anyList(v []any) any {
	if len(v) == 1 {
		return v[0]
	}
	return v
}

func condText(v any) string {
	switch x := v.(type) {
	case []any:
		if len(x) == 1 {
			return fmt.Sprint(x[0])
		}
	}
	return fmt.Sprint(v)
}
