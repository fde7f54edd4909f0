package play

import (
	"context"
	"fmt"
	"strings"

	"github.com/jetplay/jetplay/internal/playbook"
)

// notify records that host notified the handlers (names or listen topics).
func (pc *playCtx) notify(names []string, host string) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.notified == nil {
		pc.notified = map[string]map[string]bool{}
	}
	for _, n := range names {
		if pc.notified[n] == nil {
			pc.notified[n] = map[string]bool{}
		}
		pc.notified[n][host] = true
	}
}

// takeNotified returns and clears the hosts that notified handler h (by its
// name or one of its listen topics).
func (pc *playCtx) takeNotified(h *playbook.Task) map[string]bool {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	out := map[string]bool{}
	for _, key := range handlerKeys(h) {
		for host := range pc.notified[key] {
			out[host] = true
		}
	}
	return out
}

// clearNotified forgets every notification of the handlers in names.
func (pc *playCtx) clearNotified(keys []string) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	for _, k := range keys {
		delete(pc.notified, k)
	}
}

// flushHandlers runs the notified handlers, in the order the play defines
// them, each on the hosts that notified it and are still running (all of
// them with force_handlers), then forgets the notifications.
func (e *Engine) flushHandlers(ctx context.Context, pc *playCtx, only map[string]bool) error {
	var used []string
	for _, h := range pc.handlers() {
		hosts := pc.takeNotified(h)
		used = append(used, handlerKeys(h)...)
		var run []string
		for _, name := range pc.hosts {
			if !hosts[name] || (only != nil && !only[name]) {
				continue
			}
			st := e.host(name)
			if (st.failed || st.unreachable) && !pc.play.ForceHandlers {
				continue
			}
			run = append(run, name)
		}
		if len(run) == 0 {
			continue
		}
		if h.Module == "include_tasks" || len(h.Block) > 0 {
			if err := e.runTasks(ctx, pc, []*playbook.Task{h}, setOf(run)); err != nil {
				return fmt.Errorf("handler %s: %w", h.Name, err)
			}
			continue
		}
		e.runTaskOnHosts(ctx, pc, h, run, true)
	}
	pc.clearNotified(used)
	return nil
}

// isFlushHandlers reports whether t is meta: flush_handlers.
func isFlushHandlers(t *playbook.Task) bool {
	if t.Module != "meta" {
		return false
	}
	raw, _ := t.Args["_raw_params"].(string)
	return strings.TrimSpace(raw) == "flush_handlers"
}
