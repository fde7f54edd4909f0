package play

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/report"
)

// metaSkip is, for each meta action that honours when, what Ansible appends
// to "<action> conditional evaluated to False" when the condition is false
// (%s is the host).
var metaSkip = map[string]string{
	"flush_handlers":    ", not running handlers for %s",
	"clear_facts":       ", not clearing facts and fact cache for %s",
	"clear_host_errors": ", not clearing host error state for %s",
	"end_batch":         ", continuing current batch",
	"end_play":          ", continuing play",
	"end_host":          ", continuing execution for %s",
}

// metaPerHost are the meta actions the linear strategy runs for every host;
// the others run once, for the first host.
var metaPerHost = map[string]bool{
	"noop": true, "reset_connection": true, "end_host": true, "role_complete": true, "flush_handlers": true,
}

// runMeta runs a meta task the way Ansible's linear strategy does: not as a
// module but in the strategy, host by host (once for the actions that act
// on the whole play), each time with its own task start. A host whose when
// is false gets a skipped result; no other result is reported, and none is
// counted in the recap. only, when set, restricts the hosts a flush runs
// handlers for.
func (e *Engine) runMeta(ctx context.Context, pc *playCtx, t *playbook.Task, hosts []string, only map[string]bool) error {
	action := strings.TrimSpace(fmt.Sprint(t.Args["_raw_params"]))
	if !validMeta(action) {
		return fmt.Errorf("%s: invalid meta action requested: %s", t.Pos, action)
	}
	if !metaPerHost[action] {
		hosts = hosts[:1]
	}
	_, conditional := metaSkip[action]
	if !conditional && len(t.When) > 0 {
		e.report(func(r report.Reporter) { r.Warning(action + " task does not support when conditional") })
	}
	var flush []string
	for _, h := range hosts {
		rt := e.reportTask(pc, t, h)
		e.report(func(r report.Reporter) { r.TaskStart(rt) })
		if conditional {
			vars := e.varsFor(pc, t, h, nil)
			ok, err := e.cond(t.When, vars)
			if err != nil {
				return fmt.Errorf("%s: the conditional check '%s' failed: %w", t.Pos, condText(t.When), err)
			}
			if !ok {
				e.metaSkipped(rt, action, h)
				continue
			}
		}
		if e.applyMeta(pc, action, h) {
			flush = append(flush, h)
		}
	}
	if len(flush) == 0 {
		return nil
	}
	hostsOnly := setOf(flush)
	if only != nil {
		for h := range hostsOnly {
			if !only[h] {
				delete(hostsOnly, h)
			}
		}
	}
	return e.flushHandlers(ctx, pc, hostsOnly)
}

// metaSkipped reports a meta task skipped by its when on host: the result
// Ansible's strategy builds itself (msg, skipped, skip_reason; no
// _ansible_no_log, no changed), which its stats never count.
func (e *Engine) metaSkipped(rt report.Task, action, host string) {
	reason := action + " conditional evaluated to False"
	if s := metaSkip[action]; strings.Contains(s, "%s") {
		reason += fmt.Sprintf(s, host)
	} else {
		reason += s
	}
	msg := action
	if action == "end_host" {
		msg = "end_host conditional evaluated to false, continuing execution for " + host
	}
	hr := report.HostResult{Host: host, Status: report.Skipped, End: time.Now(),
		Result: map[string]any{"msg": msg, "skipped": true, "skip_reason": reason}}
	e.report(func(r report.Reporter) { r.HostResult(rt, hr) })
}

// validMeta reports whether action is a meta action (Ansible's set).
func validMeta(action string) bool {
	_, conditional := metaSkip[action]
	return conditional || metaPerHost[action] || action == "refresh_inventory"
}

// applyMeta carries out meta action for host, as Ansible's strategy does:
// end_host ends the host's play, end_batch the batch's, end_play the play;
// clear_facts clears the facts of every host of the play and
// clear_host_errors their failed and unreachable states; noop,
// reset_connection, refresh_inventory and role_complete do nothing here.
// It returns true for flush_handlers: the caller decides what a flush runs.
func (e *Engine) applyMeta(pc *playCtx, action, host string) (flush bool) {
	switch action {
	case "flush_handlers":
		return true
	case "end_host":
		e.host(host).ended.Store(true)
	case "end_play":
		pc.mu.Lock()
		pc.end = true
		pc.mu.Unlock()
	case "end_batch":
		for _, b := range pc.batch {
			e.host(b).ended.Store(true)
		}
	case "clear_facts":
		e.hostsMu.Lock()
		for _, name := range pc.allHosts {
			if st := e.hosts[name]; st != nil {
				st.facts = map[string]any{}
				e.dirty[name] = true
			}
		}
		e.hostsMu.Unlock()
	case "clear_host_errors":
		for _, name := range pc.allHosts {
			st := e.host(name)
			st.failed.Store(false)
			st.unreachable.Store(false)
		}
	}
	return false
}

// meta runs a meta task that reaches the action dispatch instead of
// runMeta (a handler): the same actions (applyMeta), with a result; a
// flush_handlers there flushes nothing.
func (e *Engine) meta(pc *playCtx, host string, args map[string]any) map[string]any {
	action := strings.TrimSpace(fmt.Sprint(args["_raw_params"]))
	if !validMeta(action) {
		return failure(fmt.Sprintf("invalid meta action requested: %s", action))
	}
	e.applyMeta(pc, action, host)
	return map[string]any{"changed": false, "skipped": false}
}
