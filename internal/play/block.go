package play

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

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
		if c.CheckMode == nil {
			c.CheckMode = b.CheckMode
		}
		if c.Diff == nil {
			c.Diff = b.Diff
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

// runInclude loads an include_tasks file per host (and per loop item) and
// runs its tasks on the hosts that included it. Loop items are included one
// after another; each host's tasks see its own loop variable.
func (e *Engine) runInclude(ctx context.Context, pc *playCtx, t *playbook.Task, hosts []string) error {
	rt := e.reportTask(pc, t, hosts[0])
	type instance struct {
		path, name string
		extra      map[string]any
		item       any
	}
	// per host, its include instances in order.
	perHost := map[string][]instance{}
	most := 0
	for _, h := range hosts {
		vars := e.varsFor(pc, t, h, nil)
		var itemVars []map[string]any
		var itemValues []any
		if t.Loop != nil {
			items, err := e.loopItems(t, vars)
			if err != nil {
				e.finishHost(rt, pc, t, h, report.HostResult{Host: h, Status: report.Failed, Result: failure(err.Error())})
				continue
			}
			loopVar := "item"
			if t.LoopControl != nil && t.LoopControl.LoopVar != "" {
				loopVar = t.LoopControl.LoopVar
			}
			for i, item := range items {
				itemValues = append(itemValues, item)
				x := map[string]any{loopVar: item, "ansible_loop_var": loopVar}
				if t.LoopControl != nil && t.LoopControl.IndexVar != "" {
					x[t.LoopControl.IndexVar] = i
				}
				itemVars = append(itemVars, x)
			}
		} else {
			itemVars = []map[string]any{nil}
		}
		for i, x := range itemVars {
			iv := vars
			if x != nil {
				iv = maps.Clone(vars)
				maps.Copy(iv, x)
			}
			ok, err := e.cond(t.When, iv)
			if err != nil || !ok {
				continue
			}
			raw := t.Args["_raw_params"]
			if f, ok := t.Args["file"]; ok {
				raw = f
			}
			v, err := e.cfg.Render.Template(fmt.Sprint(raw), iv)
			if err != nil {
				e.finishHost(rt, pc, t, h, report.HostResult{Host: h, Status: report.Failed, Result: failure(err.Error())})
				break
			}
			in := instance{path: includePath(fmt.Sprint(v), t.Pos.File, pc.book.Dir), name: fmt.Sprint(v), extra: x}
			if i < len(itemValues) {
				in.item = itemValues[i]
			}
			perHost[h] = append(perHost[h], in)
		}
		most = max(most, len(perHost[h]))
	}
	e.reportIncludes(rt, pc, t, hosts, most, func(h string, k int) (string, string, any, bool) {
		if k >= len(perHost[h]) {
			return "", "", nil, false
		}
		in := perHost[h][k]
		return in.path, in.name, in.item, true
	})
	for k := range most {
		byFile := map[string][]string{}
		var order []string
		for _, h := range hosts {
			if k >= len(perHost[h]) || e.host(h).failed {
				continue
			}
			in := perHost[h][k]
			if _, seen := byFile[in.path]; !seen {
				order = append(order, in.path)
			}
			byFile[in.path] = append(byFile[in.path], h)
		}
		for _, path := range order {
			tasks, err := e.cfg.LoadTasks(path)
			if err != nil {
				return fmt.Errorf("%s: include_tasks: %w", t.Pos, err)
			}
			tasks = playbook.WithRole(tasks, t.Role)
			for _, h := range byFile[path] {
				pc.pushExtra(h, perHost[h][k].extra)
			}
			wrapper := &playbook.Task{Vars: t.Vars, IgnoreErrors: t.IgnoreErrors, Become: t.Become, Environment: t.Environment}
			err = e.runTasks(ctx, pc, e.inherit(wrapper, tasks, e.isRescuable(t)), setOf(byFile[path]))
			for _, h := range byFile[path] {
				pc.popExtra(h)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// reportIncludes reports the include task: one "included:" line per file
// and item (hosts grouped), and per host its include result, counted once
// per included file as Ansible counts them.
func (e *Engine) reportIncludes(rt report.Task, pc *playCtx, t *playbook.Task, hosts []string, most int,
	instance func(h string, k int) (path, name string, item any, ok bool)) {
	loops := t.Loop != nil
	loopVar := "item"
	if t.LoopControl != nil && t.LoopControl.LoopVar != "" {
		loopVar = t.LoopControl.LoopVar
	}
	results := map[string][]any{}
	for k := range most {
		var order []string
		byPath := map[string][]string{}
		var item any
		for _, h := range hosts {
			path, name, it, ok := instance(h, k)
			if !ok {
				continue
			}
			item = it
			if _, seen := byPath[path]; !seen {
				order = append(order, path)
			}
			byPath[path] = append(byPath[path], h)
			r := map[string]any{"include": name, "include_args": map[string]any{}}
			if loops {
				r[loopVar], r["ansible_loop_var"], r["_ansible_item_label"] = it, loopVar, it
			}
			results[h] = append(results[h], r)
		}
		for _, path := range order {
			e.report(func(rep report.Reporter) { rep.Included(rt, path, byPath[path], item, loops) })
		}
	}
	for _, h := range hosts {
		rs := results[h]
		if len(rs) == 0 {
			continue
		}
		res := rs[0].(map[string]any)
		if loops {
			res = map[string]any{"changed": false, "msg": "All items completed", "results": rs}
		} else {
			res["changed"] = false
		}
		hr := report.HostResult{Host: h, Status: report.OK, Result: res, End: time.Now()}
		e.report(func(rep report.Reporter) {
			rep.HostResult(rt, hr)
			for range rs {
				e.stats.Add(hr)
			}
		})
	}
}

// pushExtra adds variables (an include's loop item) for host's tasks until
// popExtra.
func (pc *playCtx) pushExtra(host string, v map[string]any) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.extra == nil {
		pc.extra = map[string][]map[string]any{}
	}
	pc.extra[host] = append(pc.extra[host], v)
}

func (pc *playCtx) popExtra(host string) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if s := pc.extra[host]; len(s) > 0 {
		pc.extra[host] = s[:len(s)-1]
	}
}

// extraFor merges host's pushed variables, innermost last.
func (pc *playCtx) extraFor(host string) map[string]any {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if len(pc.extra[host]) == 0 {
		return nil
	}
	out := map[string]any{}
	for _, m := range pc.extra[host] {
		maps.Copy(out, m)
	}
	return out
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
