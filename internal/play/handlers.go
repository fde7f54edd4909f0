package play

import (
	"context"
	"fmt"
	"slices"

	"github.com/jetplay/jetplay/internal/playbook"
)

// notify records that host notified handlers: by name, the last handler
// of that name (or "role : name") loaded so far, as Ansible picks it, and
// every handler that listens to it.
func (pc *playCtx) notify(names []string, host string) {
	hs := pc.handlers()
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.notified == nil {
		pc.notified = map[*playbook.Task]map[string]bool{}
	}
	mark := func(h *playbook.Task) {
		if pc.notified[h] == nil {
			pc.notified[h] = map[string]bool{}
		}
		pc.notified[h][host] = true
	}
	for _, n := range names {
		for i := len(hs) - 1; i >= 0; i-- {
			if h := hs[i]; h.Name != "" && (h.Name == n || h.Role.Name()+" : "+h.Name == n) {
				mark(h)
				break
			}
		}
		for _, h := range hs {
			if slices.Contains(h.Listen, n) {
				mark(h)
			}
		}
	}
}

// takeNotified returns and forgets the hosts that notified handler h, of
// those in only (all when nil).
func (pc *playCtx) takeNotified(h *playbook.Task, only map[string]bool) map[string]bool {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	out := map[string]bool{}
	for host := range pc.notified[h] {
		if only == nil || only[host] {
			out[host] = true
			delete(pc.notified[h], host)
		}
	}
	return out
}

// flushHandlers runs the notified handlers, in the order the play defines
// them, each on the hosts that notified it and are still running (all of
// them with force_handlers), then forgets the notifications.
func (e *Engine) flushHandlers(ctx context.Context, pc *playCtx, only map[string]bool) error {
	for _, h := range pc.handlers() {
		hosts := pc.takeNotified(h, only)
		var run []string
		for _, name := range pc.hosts {
			if !hosts[name] || (only != nil && !only[name]) {
				continue
			}
			st := e.host(name)
			if (st.failed.Load() || st.unreachable.Load()) && !pc.play.ForceHandlers {
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
	return nil
}
