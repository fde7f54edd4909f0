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
		wasFailed[h] = e.host(h).failed.Load()
	}
	rescuable := len(b.Rescue) > 0
	if err := e.runTasks(ctx, pc, e.inherit(b, b.Block, rescuable), only); err != nil {
		return err
	}
	if rescuable {
		var failed []string
		for _, h := range entered {
			if st := e.host(h); st.failed.Load() && !wasFailed[h] {
				st.failed.Store(false)
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
			if st.unreachable.Load() {
				continue
			}
			if st.failed.Load() && !wasFailed[h] {
				st.failed.Store(false)
				defer st.failed.Store(true)
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
		if c.Connection == "" {
			c.Connection = b.Connection
		}
		if c.Timeout == nil {
			c.Timeout = b.Timeout
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

// includeFile is one file an include_tasks task includes, with the loop
// variables it is included with, for the hosts that include it the same way
// (Ansible's IncludedFile).
type includeFile struct {
	path, name string
	// key tells two inclusions apart: the path and the loop variables.
	key string
	// item is how the loop item shows in "included: ... => (item=...)".
	item  any
	extra map[string]any // per host, see extras
	hosts []string
	// extras are each host's loop variables.
	extras map[string]map[string]any
}

// runInclude runs an include_tasks task as Ansible's linear strategy does:
// every host's result first (an include skipped by when, per host or per
// loop item, is reported like any skipped task), then one "included:" per
// file and loop variables with the hosts that include it that way, and
// each of them runs in that order on its hosts, each host seeing its own
// loop variable.
func (e *Engine) runInclude(ctx context.Context, pc *playCtx, t *playbook.Task, hosts []string) error {
	rt := e.reportTask(pc, t, hosts[0])
	var files []*includeFile
	// add puts host's inclusion into the first equal file that does not
	// have the host yet, as IncludedFile.process_include_results does.
	add := func(h string, in *includeFile) {
		for _, f := range files {
			if f.key == in.key && !slices.Contains(f.hosts, h) {
				f.hosts = append(f.hosts, h)
				f.extras[h] = in.extra
				return
			}
		}
		in.hosts, in.extras = []string{h}, map[string]map[string]any{h: in.extra}
		files = append(files, in)
	}
	for _, h := range hosts {
		vars := e.varsFor(pc, t, h, nil)
		if t.Loop == nil {
			// A when that cannot be evaluated includes the file, as in
			// Ansible: its tasks inherit the when and fail on it there.
			ok, err := e.cond(t.When, vars)
			switch {
			case err == nil && !ok:
				e.finishHost(rt, pc, t, h, report.HostResult{Host: h, Status: report.Skipped, Result: map[string]any{
					"changed": false, "skipped": true, "skip_reason": "Conditional result was False", "_ansible_no_log": e.noLog(pc, t, vars)}})
			default:
				in, err := e.includeOf(pc, t, vars, nil)
				if err != nil {
					e.finishHost(rt, pc, t, h, report.HostResult{Host: h, Status: report.Failed, Result: failure(err.Error())})
					continue
				}
				add(h, in)
				e.report(func(r report.Reporter) {
					r.HostResult(rt, report.HostResult{Host: h, Status: report.OK, End: time.Now(),
						Result: map[string]any{"changed": false, "include": in.name, "include_args": includeArgs(t)}})
				})
			}
			continue
		}
		items, err := e.loopItems(t, vars)
		if err != nil {
			e.finishHost(rt, pc, t, h, report.HostResult{Host: h, Status: report.Failed, Result: failure(err.Error())})
			continue
		}
		if len(items) == 0 {
			e.finishHost(rt, pc, t, h, report.HostResult{Host: h, Status: report.Skipped, Result: map[string]any{
				"changed": false, "skipped": true, "skipped_reason": "No items in the list", "results": []any{}}})
			continue
		}
		var results []any
		var included []*includeFile
		failed := false
		lp := newItemLoop(t, items)
		for i, item := range items {
			r := lp.vars(i)
			iv := maps.Clone(vars)
			maps.Copy(iv, r)
			shown := e.itemLabel(lp, i, iv)
			r["_ansible_item_label"] = shown
			ok, err := e.cond(t.When, iv)
			switch {
			case err == nil && !ok:
				maps.Copy(r, map[string]any{"changed": false, "skipped": true, "skip_reason": "Conditional result was False",
					"_ansible_no_log": e.noLog(pc, t, iv)})
			default:
				in, err := e.includeOf(pc, t, iv, lp.includeVars(i, shown))
				if err != nil {
					maps.Copy(r, failure(err.Error()))
					break
				}
				in.item = shown
				included = append(included, in)
				r["include"], r["include_args"] = in.name, includeArgs(t)
			}
			results = append(results, r)
			if st := statusOf(r); st != report.OK {
				failed = failed || st == report.Failed
				ir := report.ItemResult{Task: rt, Host: h, Status: st, Item: ansibleOrder(item), Label: lp.shownLabel(shown), Result: r}
				e.report(func(rep report.Reporter) { rep.Item(ir) })
			}
		}
		res := map[string]any{"changed": false, "msg": "All items completed", "results": results}
		switch {
		case failed:
			res["failed"], res["msg"] = true, "One or more items failed"
			e.finishHost(rt, pc, t, h, report.HostResult{Host: h, Status: report.Failed, Result: res})
			continue
		case len(included) == 0:
			res["skipped"], res["msg"] = true, "All items skipped"
			e.finishHost(rt, pc, t, h, report.HostResult{Host: h, Status: report.Skipped, Result: res})
			continue
		}
		for _, in := range included {
			add(h, in)
		}
		e.report(func(r report.Reporter) {
			r.HostResult(rt, report.HostResult{Host: h, Status: report.OK, Result: res, End: time.Now()})
		})
	}
	for _, f := range files {
		shown := f.path
		if abs, err := filepath.Abs(f.path); err == nil {
			shown = abs // Ansible prints the included file's absolute path
		}
		e.report(func(r report.Reporter) {
			r.Included(rt, shown, f.hosts, f.item, t.Loop != nil)
			for _, h := range f.hosts {
				// Ansible counts each included file once per host.
				e.stats.Add(report.HostResult{Host: h, Status: report.OK})
			}
		})
	}
	for _, f := range files {
		hosts := filter(f.hosts, func(h string) bool { return !e.host(h).failed.Load() })
		if len(hosts) == 0 {
			continue
		}
		tasks, err := e.cfg.LoadTasks(f.path)
		if err != nil {
			return fmt.Errorf("%s: include_tasks: %w", t.Pos, err)
		}
		tasks = playbook.WithRole(tasks, t.Role)
		for _, h := range hosts {
			pc.pushExtra(h, f.extras[h])
		}
		// The included tasks inherit the include's when (evaluated again
		// for each of them) and its other keywords.
		wrapper := &playbook.Task{When: t.When, Vars: t.Vars, IgnoreErrors: t.IgnoreErrors, Become: t.Become, Environment: t.Environment}
		err = e.runTasks(ctx, pc, e.inherit(wrapper, tasks, e.isRescuable(t)), setOf(hosts))
		for _, h := range hosts {
			pc.popExtra(h)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// includeOf is the file an include_tasks task includes with vars: its
// file (or free-form) argument rendered and resolved. extra are the loop
// variables, which tell inclusions of the same file apart.
func (e *Engine) includeOf(pc *playCtx, t *playbook.Task, vars, extra map[string]any) (*includeFile, error) {
	raw := t.Args["_raw_params"]
	if f, ok := t.Args["file"]; ok {
		raw = f
	}
	v, err := e.cfg.Render.Template(fmt.Sprint(raw), vars)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprint(v)
	path := includePath(name, t.Pos.File, pc.book.Dir)
	return &includeFile{path: path, name: name, key: fmt.Sprintf("%s\x00%v", path, extra), extra: extra}, nil
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

// includeArgs is an include result's include_args: an old include's
// arguments besides its file name, as written (Ansible shows them
// unrendered); none for include_tasks.
func includeArgs(t *playbook.Task) map[string]any {
	out := map[string]any{}
	if t.ActionName() != "include" && t.ActionName() != "ansible.builtin.include" && t.ActionName() != "ansible.legacy.include" {
		return out
	}
	for k, v := range t.Args {
		if k != "_raw_params" && k != "file" {
			out[k] = v
		}
	}
	return out
}
