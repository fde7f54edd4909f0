package play

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
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
	var result map[string]any
	if t.Loop != nil {
		result = e.runLoop(ctx, pc, t, host, vars)
	} else {
		result = e.runOne(ctx, pc, t, host, vars)
		delete(result, taskErrorKey)
	}
	hr.Status = statusOf(result)
	hr.Ignored = e.ignored(t, hr.Status, vars)
	// Ansible shows a result's diff with --diff, or when the task itself
	// runs in diff mode.
	hr.Diff = e.cfg.Diff || e.diffMode(pc, t, vars)
	if t.Register != "" {
		e.setFacts(host, map[string]any{t.Register: registered(result)})
	}
	noLog := e.noLog(pc, t, vars)
	if noLog {
		result = job.Censor(result, "changed", "failed", "skipped", "unreachable")
	}
	if t.Loop == nil && hr.Status != report.Unreachable && !isActionFail(result) && !e.isTaskTimeout(pc, t, result, vars) {
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

// runOne runs one execution of t (one loop item, or the task) with its when,
// until, changed_when and failed_when.
func (e *Engine) runOne(ctx context.Context, pc *playCtx, t *playbook.Task, host string, vars map[string]any) map[string]any {
	ok, msg := e.condEach(t.When, vars)
	if msg != "" {
		return taskError(withExcerpt(msg, t))
	}
	if !ok {
		return map[string]any{"changed": false, "skipped": true, "skip_reason": "Conditional result was False"}
	}
	if t.Until == nil && t.Retries == nil {
		return e.attempt(ctx, pc, t, host, vars)
	}
	if t.Module == "async_status" && t.Until != nil {
		argsAny, err := e.cfg.Render.Value(maps.Clone(t.Args), vars)
		if err != nil {
			return failure(fmt.Sprintf("The task includes an option with an undefined variable. The error was: %v", err))
		}
		args, _ := argsAny.(map[string]any)
		r := &hostRun{e: e, pc: pc, t: t, host: host}
		if o, ok := action.AsyncStatusUntil(ctx, r.call(vars, e.stripOmit(args), "async_status"), r); ok {
			if _, ok := o.Result["failed"]; !ok {
				o.Result["failed"] = false
			}
			return o.Result
		}
		return e.attempt(ctx, pc, t, host, vars)
	}
	retries, delay := e.retryBudget(t, vars)
	var result map[string]any
	base, _ := vars[execKey].(string)
	for n := 1; ; n++ {
		vars[execKey] = base
		result = e.attempt(ctx, pc, t, host, withExec(vars, fmt.Sprintf("a%d", n)))
		result["attempts"] = n
		done, err := e.untilHolds(t, vars, result)
		if err != nil {
			return taskError(err.Error())
		}
		if done {
			return result
		}
		if n > retries {
			break
		}
		e.report(func(r report.Reporter) { r.Retry(host, e.taskName(pc, t, host), retries-n+1) })
		if !action.Sleep(ctx, delay) {
			return failure(ctx.Err().Error())
		}
	}
	result["failed"] = true
	result["attempts"] = retries
	return result
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
		v[t.Register] = registered(result)
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
func (e *Engine) attempt(ctx context.Context, pc *playCtx, t *playbook.Task, host string, vars map[string]any) map[string]any {
	result := e.action(ctx, pc, t, host, vars)
	if truthy(result["unreachable"]) || truthy(result["skipped"]) {
		if _, ok := result["failed"]; !ok && !truthy(result["unreachable"]) {
			// A module that skipped itself (check mode) is not failed.
			result["failed"] = false
		}
		return result
	}
	if len(t.ChangedWhen) > 0 || len(t.FailedWhen) > 0 {
		v := vars
		if t.Register != "" {
			v = maps.Clone(vars)
			v[t.Register] = registered(result)
		}
		// A changed_when or failed_when that cannot be evaluated fails
		// the task, its message in changed_when_result or
		// failed_when_result, and the module's result stays.
		if len(t.ChangedWhen) > 0 {
			ok, msg := e.condEach(t.ChangedWhen, v)
			if msg != "" {
				result["failed"], result["changed_when_result"] = true, msg
				return result
			}
			result["changed"] = ok
		}
		if len(t.FailedWhen) > 0 {
			ok, msg := e.condEach(t.FailedWhen, v)
			if msg != "" {
				result["failed"], result["failed_when_result"] = true, msg
				return result
			}
			result["failed_when_result"] = ok
			result["failed"] = ok
		}
	}
	if _, ok := result["failed"]; !ok {
		result["failed"] = false
	}
	return result
}

// action renders the task's arguments and runs the module once.
func (e *Engine) action(ctx context.Context, pc *playCtx, t *playbook.Task, host string, vars map[string]any) map[string]any {
	info, ok := module.Lookup(t.Module)
	if !ok {
		return failure(fmt.Sprintf("couldn't resolve module/action '%s'", t.Module))
	}
	asyncSec, err := e.intOf(t.Async, vars)
	if err != nil {
		return failure(fmt.Sprintf("async: %v", err))
	}
	if asyncSec > 0 && !info.Async {
		return actionFail(ErrAsyncNotSupported.Error())
	}
	if asyncSec > 0 && e.checkMode(pc, t, vars) {
		return actionFail(checkAsyncMsg)
	}
	argsAny, err := e.cfg.Render.Value(maps.Clone(t.Args), vars)
	if err != nil {
		if _, ok := render.UndefinedMessage(err); ok {
			// Ansible raises it with the task as the error's object.
			return taskError(withExcerpt(argsMessage(err), t))
		}
		return taskError(argsMessage(err))
	}
	args, _ := argsAny.(map[string]any)
	args = e.stripOmit(args)
	switch info.Name {
	case "meta":
		return e.meta(pc, host, args)
	case "import_tasks", "include_tasks":
		return failure(info.Name + " cannot be used here")
	}
	f, ok := action.Lookup(info.Name)
	if !ok {
		return failure(fmt.Sprintf("the %s action is not supported by jetplay", info.Name))
	}
	r := &hostRun{e: e, pc: pc, t: t, host: host}
	c := r.call(vars, args, info.Name)
	if info.Kind == module.Host {
		// Ansible validates these keywords before the action runs.
		c.Async = asyncSec
		if t.Poll != nil {
			if c.Poll, err = e.intOf(t.Poll, vars); err != nil {
				return failure(fmt.Sprintf("poll: %v", err))
			}
		}
		if asyncSec == 0 {
			if c.Timeout, err = e.taskTimeout(pc, t, vars); err != nil {
				return failure(fmt.Sprintf("timeout: %v", err))
			}
		}
	}
	return f(ctx, c, r).Result
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

// registered is the value register stores: the result without internal
// keys (_ansible_*, _jetplay_*), also inside loop results, as Ansible's
// strip_internal_keys.
func registered(r map[string]any) map[string]any {
	out := make(map[string]any, len(r))
	for k, v := range r {
		if strings.HasPrefix(k, "_ansible") || strings.HasPrefix(k, "_jetplay") {
			continue
		}
		if k == "results" {
			if items, ok := v.([]any); ok {
				clean := make([]any, len(items))
				for i, it := range items {
					if m, ok := it.(map[string]any); ok {
						clean[i] = registered(m)
					} else {
						clean[i] = it
					}
				}
				v = clean
			}
		}
		out[k] = v
	}
	return out
}

func failure(msg string) map[string]any {
	return map[string]any{"failed": true, "changed": false, "msg": msg}
}

// actionFailTrace is the exception of an AnsibleActionFail raised outside
// an exception handler: Python's traceback.format_exc() with none active.
const actionFailTrace = "NoneType: None\n"

// actionFail is the result of an action refused before it ran (Ansible's
// AnsibleActionFail, e.g. async on an action without async support): it
// bypasses the task executor's result handling, so it carries an exception
// and no _ansible_no_log.
func actionFail(msg string) map[string]any {
	return map[string]any{"failed": true, "changed": false, "msg": msg, "exception": actionFailTrace}
}

// isTaskTimeout reports whether r is the result of t killed by its timeout
// keyword: Ansible raises that error past the task executor's result
// handling, so, like actionFail's, it carries no _ansible_no_log.
func (e *Engine) isTaskTimeout(pc *playCtx, t *playbook.Task, r map[string]any, vars map[string]any) bool {
	if r["failed"] != true {
		return false
	}
	n, err := e.taskTimeout(pc, t, vars)
	if err != nil || n <= 0 {
		return false
	}
	info, ok := module.Lookup(t.Module)
	return ok && r["msg"] == job.TimeoutMessage(info.Name, n)
}

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

// isActionFail reports whether r came from actionFail.
func isActionFail(r map[string]any) bool { return r["exception"] == actionFailTrace }

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
