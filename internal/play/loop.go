package play

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/jetplay/jetplay/internal/action"
	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/render"
	"github.com/jetplay/jetplay/internal/report"
)

// runLoop runs t once per loop item and returns Ansible's loop result.
// Items of a poll: 0 async task are launched all at once; other items run
// one after another, as in Ansible.
func (r *hostRun) runLoop(ctx context.Context, vars map[string]any) map[string]any {
	e, pc, t, host := r.e, r.pc, r.t, r.host
	items, err := e.loopItems(t, vars)
	if err != nil {
		// Ansible's result of a loop that cannot be built has no changed.
		return map[string]any{"failed": true, "msg": err.Error(), "_ansible_no_log": e.noLog(pc, t, vars)}
	}
	lp := newItemLoop(t, items)
	results := make([]any, len(items))
	reports := make([]report.ItemResult, len(items))
	// taskErr marks the items whose run raised a task error (Fault TaskError):
	// it ends the loop and fails the task.
	taskErr := make([]bool, len(items))
	parallel := e.parallelItems(t, vars)
	// itemRun is the execution of item i (its jobs' idempotency keys).
	itemRun := func(i int) *hostRun { return r.sub(fmt.Sprintf("i%d", i)) }
	one := func(i int, item any) {
		iv := maps.Clone(vars)
		lv := lp.vars(i)
		maps.Copy(iv, lv)
		e.resolveItem(iv)
		if t.DelegateTo != "" {
			e.connectionVars(pc, t, iv) // the item's delegate (see magicTaskVars)
		}
		o := itemRun(i).runOne(ctx, iv)
		r := o.Result
		if o.Fault == action.TaskError {
			results[i], taskErr[i] = r, true
			return
		}
		maps.Copy(r, lv)
		shown := e.itemLabel(lp, i, iv)
		r["_ansible_item_label"] = shown
		asked, _ := r["_ansible_no_log"].(bool)
		r["_ansible_no_log"] = e.noLog(pc, t, iv) || asked
		results[i] = r
		st := statusOf(r)
		delegated := ""
		if t.DelegateTo != "" {
			// delegate_to is rendered per item ("{{ item }}").
			if d, err := e.cfg.Render.Template(t.DelegateTo, iv); err == nil {
				delegated = fmt.Sprint(d)
				if st != report.Skipped && st != report.Unreachable {
					r["_ansible_delegated_vars"] = e.delegatedVars(delegated)
				}
			}
		}
		reports[i] = report.ItemResult{Host: host, Status: st, Ignored: e.ignored(t, st, iv), Item: ansibleOrder(item), Label: lp.shownLabel(shown),
			Result: r, Diff: e.diffMode(pc, t, iv), Delegated: delegated}
		if !parallel {
			e.report(func(rep report.Reporter) { rep.Item(reports[i]) })
		}
	}
	if parallel {
		// Launch every item at once; report them in item order, as Ansible
		// prints them.
		var wg sync.WaitGroup
		for i, item := range items {
			wg.Add(1)
			go func() { defer wg.Done(); one(i, item) }()
		}
		wg.Wait()
		for i, ir := range reports {
			if taskErr[i] {
				break
			}
			e.report(func(rep report.Reporter) { rep.Item(ir) })
		}
	} else {
		for i, item := range items {
			if ctx.Err() != nil {
				break
			}
			if one(i, item); taskErr[i] {
				break
			}
		}
	}
	if i := slices.Index(taskErr, true); i >= 0 {
		r := results[i].(map[string]any)
		r["_ansible_no_log"] = e.noLog(pc, t, vars)
		return r
	}
	out := map[string]any{"changed": false, "msg": "All items completed", "results": results, "skipped": false}
	allSkipped := len(items) > 0
	for _, r := range results {
		m, _ := r.(map[string]any)
		if m == nil {
			continue
		}
		if truthy(m["changed"]) {
			out["changed"] = true
		}
		if truthy(m["failed"]) && !truthy(m["skipped"]) {
			out["failed"] = true
			out["msg"] = "One or more items failed"
		}
		if truthy(m["unreachable"]) {
			out["unreachable"] = true
		}
		if !truthy(m["skipped"]) {
			allSkipped = false
		}
	}
	if allSkipped || len(items) == 0 {
		out["skipped"] = true
		if len(items) == 0 {
			out["skipped_reason"] = "No items in the list"
			delete(out, "msg")
		} else {
			out["msg"] = "All items skipped"
		}
	}
	return out
}

// itemLoop is a task's loop_control over its items: the one set-up of
// the loop variables for tasks, include_tasks and include_role alike, as
// Ansible's TaskExecutor._run_loop and IncludedFile do it.
type itemLoop struct {
	items    []any
	loopVar  string // loop_control.loop_var, default item
	indexVar string // loop_control.index_var, if any
	label    any    // loop_control.label, nil when unset
	extended bool   // loop_control.extended: ansible_loop
}

func newItemLoop(t *playbook.Task, items []any) *itemLoop {
	l := &itemLoop{items: items, loopVar: "item"}
	if lc := t.LoopControl; lc != nil {
		if lc.LoopVar != "" {
			l.loopVar = lc.LoopVar
		}
		l.indexVar, l.extended = lc.IndexVar, lc.Extended
		if lc.Label != "" {
			l.label = lc.Label
		}
	}
	return l
}

// vars are the variables item i adds to the task's, which its result
// carries too: the loop variable and ansible_loop_var, the index_var and
// ansible_index_var, and with extended ansible_loop.
func (l *itemLoop) vars(i int) map[string]any {
	v := map[string]any{l.loopVar: l.items[i], "ansible_loop_var": l.loopVar}
	if l.indexVar != "" {
		v[l.indexVar], v["ansible_index_var"] = i, l.indexVar
	}
	if l.extended {
		// ansible_loop exists only with loop_control.extended, as in Ansible.
		n := len(l.items)
		ext := map[string]any{
			"index": i + 1, "index0": i, "first": i == 0, "last": i == n-1,
			"length": n, "revindex": n - i, "revindex0": n - i - 1,
			"allitems": l.items,
		}
		if i > 0 {
			ext["previtem"] = l.items[i-1]
		}
		if i < n-1 {
			ext["nextitem"] = l.items[i+1]
		}
		v["ansible_loop"] = ext
	}
	return v
}

// includeVars are the variables item i of an include_tasks or
// include_role gives the tasks it includes, as Ansible's IncludedFile
// passes them on: the loop variable, the index_var, ansible_loop and the
// item's label shown, but not ansible_loop_var nor ansible_index_var.
func (l *itemLoop) includeVars(i int, shown any) map[string]any {
	v := l.vars(i)
	delete(v, "ansible_loop_var")
	delete(v, "ansible_index_var")
	v["_ansible_item_label"] = shown
	return v
}

// itemLabel is how item i shows (_ansible_item_label): loop_control.label
// rendered in the item's variables iv, scalars as text; else the item.
func (e *Engine) itemLabel(l *itemLoop, i int, iv map[string]any) any {
	shown := ansibleOrder(l.items[i])
	if l.label != nil {
		if v, err := e.cfg.Render.Value(l.label, iv); err == nil {
			shown = labelString(v)
		}
	}
	return shown
}

// shownLabel is the report's Label of an item shown as shown: nil without
// a loop_control.label.
func (l *itemLoop) shownLabel(shown any) any {
	if l.label == nil {
		return nil
	}
	return shown
}

// parallelItems: a poll: 0 async task launches every item at once.
func (e *Engine) parallelItems(t *playbook.Task, vars map[string]any) bool {
	if t.Poll == nil || t.Async == nil || t.Until != nil {
		return false
	}
	a, err1 := e.intOf(t.Async, vars)
	p, err2 := e.intOf(t.Poll, vars)
	return err1 == nil && err2 == nil && a > 0 && p == 0
}

// loopItems renders the loop into its list of items.
func (e *Engine) loopItems(t *playbook.Task, vars map[string]any) ([]any, error) {
	v := t.Loop
	if s, ok := v.(string); ok {
		r, err := e.cfg.Render.Template(s, vars)
		if err != nil {
			return nil, fmt.Errorf("Invalid data passed to 'loop', it requires a list, got this instead: %s. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup. The error was: %v", s, err) //nolint:staticcheck // Ansible's message, word for word
		}
		v = r
	} else {
		r, err := e.cfg.Render.Value(v, vars)
		if err != nil {
			return nil, err
		}
		v = r
	}
	switch t.LoopKind {
	case "", "loop", "with_items", "with_list", "with_dict", "with_sequence":
	default:
		// Any other with_<lookup> is built by render; one it does not know
		// is an error, not a list of items.
		return render.WithLoop(t.LoopKind, render.LoopTerms(v))
	}
	switch x := v.(type) {
	case []any:
		if t.LoopKind == "with_items" {
			return flatten1(x), nil
		}
		return x, nil
	case nil:
		return nil, nil
	case string:
		if t.LoopKind == "with_items" || t.LoopKind == "with_list" {
			return []any{x}, nil
		}
	case map[string]any:
		if t.LoopKind == "with_dict" {
			out := []any{}
			for _, k := range sortedKeys(x) {
				out = append(out, map[string]any{"key": k, "value": x[k]})
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("Invalid data passed to 'loop', it requires a list, got this instead: %v. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup.", v) //nolint:staticcheck // Ansible's message, word for word
}

func flatten1(in []any) []any {
	out := make([]any, 0, len(in))
	for _, x := range in {
		if l, ok := x.([]any); ok {
			out = append(out, l...)
		} else {
			out = append(out, x)
		}
	}
	return out
}

// labelString is how Ansible records a rendered loop label: scalars as text.
func labelString(v any) any {
	switch x := v.(type) {
	case int, int64, float64:
		return fmt.Sprint(x)
	case bool:
		if x {
			return "True"
		}
		return "False"
	}
	return v
}

// launchOrder is the key order of a poll: 0 launch result as Ansible builds
// it; item dicts of that shape print in this order.
var launchOrder = []string{"failed", "started", "finished", "ansible_job_id", "results_file", "changed", "ansible_facts", "item", "ansible_loop_var"}

// ansibleOrder gives a registered launch result (the item of a looped
// async_status) Ansible's key order for display; other items are unchanged.
func ansibleOrder(item any) any {
	m, ok := item.(map[string]any)
	if !ok {
		return item
	}
	if _, ok := m["ansible_job_id"]; !ok {
		return item
	}
	if _, ok := m["started"]; !ok {
		return item
	}
	d := make(report.Dict, 0, len(m))
	seen := map[string]bool{}
	for _, k := range launchOrder {
		if v, ok := m[k]; ok {
			d = append(d, report.KV{Key: k, Value: v})
			seen[k] = true
		}
	}
	for _, k := range sortedKeys(m) {
		if !seen[k] && !strings.HasPrefix(k, "_ansible") {
			d = append(d, report.KV{Key: k, Value: m[k]})
		}
	}
	return d
}
