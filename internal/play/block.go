package play

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/report"
)

// runBlock runs a block's tasks; hosts that fail in it run its rescue tasks
// (and count as rescued, not failed, as in Ansible), and every host that
// entered it runs its always tasks.
func (e *Engine) runBlock(ctx context.Context, pc *playCtx, b *playbook.Task, hosts []string) error {
	// The block's when is inherited by each of its tasks (inherit), which
	// then report skipped, as in Ansible.
	entered := hosts
	only := setOf(entered)
	wasFailed := map[string]bool{}
	for _, h := range entered {
		wasFailed[h] = e.host(h).failed
	}
	rescuable := len(b.Rescue) > 0
	if err := e.runTasks(ctx, pc, e.inherit(b, b.Block, rescuable), only); err != nil {
		return err
	}
	if rescuable {
		var failed []string
		for _, h := range entered {
			if st := e.host(h); st.failed && !wasFailed[h] {
				st.failed = false
				failed = append(failed, h)
			}
		}
		if len(failed) > 0 {
			if err := e.runTasks(ctx, pc, e.inherit(b, b.Rescue, false), setOf(failed)); err != nil {
				return err
			}
		}
	}
	if len(b.Always) > 0 {
		// always runs for hosts that failed in the block too.
		var again []string
		for _, h := range entered {
			st := e.host(h)
			if st.unreachable {
				continue
			}
			if st.failed && !wasFailed[h] {
				st.failed = false
				defer func() { st.failed = true }()
			}
			again = append(again, h)
		}
		if err := e.runTasks(ctx, pc, e.inherit(b, b.Always, false), setOf(again)); err != nil {
			return err
		}
	}
	return nil
}

// inherit gives a block's children the block's keywords.
func (e *Engine) inherit(b *playbook.Task, tasks []*playbook.Task, rescuable bool) []*playbook.Task {
	out := make([]*playbook.Task, len(tasks))
	for i, t := range tasks {
		c := *t
		if len(b.When) > 0 {
			c.When = append(slices.Clone(b.When), t.When...)
		}
		if len(b.Vars) > 0 {
			v := maps.Clone(b.Vars)
			maps.Copy(v, t.Vars)
			c.Vars = v
		}
		if len(b.Environment) > 0 {
			v := maps.Clone(b.Environment)
			maps.Copy(v, t.Environment)
			c.Environment = v
		}
		if c.IgnoreErrors == nil {
			c.IgnoreErrors = b.IgnoreErrors
		}
		if c.IgnoreUnreachable == nil {
			c.IgnoreUnreachable = b.IgnoreUnreachable
		}
		if c.NoLog == nil {
			c.NoLog = b.NoLog
		}
		if c.Become == nil {
			c.Become = b.Become
		}
		if c.BecomeUser == "" {
			c.BecomeUser = b.BecomeUser
		}
		if c.BecomeMethod == "" {
			c.BecomeMethod = b.BecomeMethod
		}
		if c.DelegateTo == "" {
			c.DelegateTo = b.DelegateTo
		}
		if len(b.Tags) > 0 {
			c.Tags = append(slices.Clone(b.Tags), t.Tags...)
		}
		out[i] = &c
		if rescuable || e.isRescuable(t) {
			e.rescuable.Store(&c, true)
		}
	}
	return out
}

// runInclude loads an include_tasks file per host and runs its tasks on the
// hosts that included it.
func (e *Engine) runInclude(ctx context.Context, pc *playCtx, t *playbook.Task, hosts []string) error {
	rt := e.reportTask(pc, t, hosts[0])
	byFile := map[string][]string{}
	var order []string
	for _, h := range hosts {
		vars := e.varsFor(pc, t, h, nil)
		ok, err := e.cond(t.When, vars)
		if err != nil || !ok {
			continue
		}
		raw := t.Args["_raw_params"]
		if f, ok := t.Args["file"]; ok {
			raw = f
		}
		v, err := e.cfg.Render.Template(fmt.Sprint(raw), vars)
		if err != nil {
			e.finishHost(rt, pc, t, h, report.HostResult{Host: h, Status: report.Failed, Result: failure(err.Error())})
			continue
		}
		path := includePath(fmt.Sprint(v), t.Pos.File, pc.book.Dir)
		if _, seen := byFile[path]; !seen {
			order = append(order, path)
		}
		byFile[path] = append(byFile[path], h)
	}
	for _, path := range order {
		tasks, err := e.cfg.LoadTasks(path)
		if err != nil {
			return fmt.Errorf("%s: include_tasks: %w", t.Pos, err)
		}
		wrapper := &playbook.Task{Vars: t.Vars, IgnoreErrors: t.IgnoreErrors, Become: t.Become, Environment: t.Environment}
		if err := e.runTasks(ctx, pc, e.inherit(wrapper, tasks, e.isRescuable(t)), setOf(byFile[path])); err != nil {
			return err
		}
	}
	return nil
}

func setOf(hosts []string) map[string]bool {
	m := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		m[h] = true
	}
	return m
}

// isRescuable reports whether a failure of t is caught by an enclosing
// block's rescue.
func (e *Engine) isRescuable(t *playbook.Task) bool {
	_, ok := e.rescuable.Load(t)
	return ok
}

// includePath resolves an include_tasks file as Ansible does: relative to the
// including file's directory, then to the playbook's.
func includePath(name, from, bookDir string) string {
	if filepath.IsAbs(name) {
		return name
	}
	if from != "" {
		p := filepath.Join(filepath.Dir(from), name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return filepath.Join(bookDir, name)
}
