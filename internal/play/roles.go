package play

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"sync"
	"time"

	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/report"
)

// roleState is what a play knows of its roles at run time.
type roleState struct {
	// defaults and vars are the defaults and role vars of every role of the
	// play (Ansible's play.roles), merged: every task sees them.
	defaults, vars map[string]any
	// upper is each host's variables above role defaults and below role
	// vars (inventory, play vars, vars_files, magic, extra vars),
	// unrendered; a role's task puts its own role's defaults under them.
	upper map[string]map[string]any

	mu sync.Mutex
	// ran: hosts that ran a task of the role (ok, changed or failed);
	// done: hosts for which the role completed, whose later occurrences of
	// the role do not run unless it allows duplicates.
	ran, done map[*playbook.Role]map[string]bool
	// handlers are those of roles included at run time.
	handlers []*playbook.Task
	// pubDefaults and pubVars are those of roles included with public: yes
	// so far: from then on every task sees them, as the play's roles'.
	pubDefaults, pubVars map[string]any
}

// addPublic makes an included role's defaults and vars visible to the rest
// of the play.
func (rs *roleState) addPublic(r *playbook.Role) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	d, v := maps.Clone(rs.pubDefaults), maps.Clone(rs.pubVars)
	if d == nil {
		d, v = map[string]any{}, map[string]any{}
	}
	maps.Copy(d, r.DefaultVars(nil))
	maps.Copy(v, r.AllVars(nil))
	rs.pubDefaults, rs.pubVars = d, v
}

// prepareRoles computes the play-level role variables.
func (e *Engine) prepareRoles(pc *playCtx) {
	rs := &roleState{defaults: map[string]any{}, vars: map[string]any{}, upper: map[string]map[string]any{},
		ran: map[*playbook.Role]map[string]bool{}, done: map[*playbook.Role]map[string]bool{}}
	for _, r := range pc.play.Roles {
		maps.Copy(rs.defaults, r.DefaultVars(nil))
		maps.Copy(rs.vars, r.AllVars(nil))
	}
	pc.roles = rs
}

// roleNames are the play's role magic variables: ansible_play_role_names
// (and role_names), ansible_dependent_role_names and ansible_role_names.
func roleNames(p *playbook.Play) map[string]any {
	play := make([]any, 0, len(p.Roles))
	deps := map[string]bool{}
	all := map[string]bool{}
	for _, r := range p.Roles {
		play = append(play, r.Name)
		all[r.Name] = true
		for _, d := range r.AllDeps() {
			deps[d.Name] = true
			all[d.Name] = true
		}
	}
	return map[string]any{"ansible_play_role_names": play, "role_names": play,
		"ansible_dependent_role_names": toAny(sortedKeys(deps)), "ansible_role_names": toAny(sortedKeys(all))}
}

// withPlayRoles puts a host's variables between the play's role defaults
// (under them) and role vars (over them, under extra vars), and keeps them
// for the tasks of roles (roleBase). v is unrendered.
func (e *Engine) withPlayRoles(pc *playCtx, host string, v map[string]any) map[string]any {
	maps.Copy(v, roleNames(pc.play))
	if len(pc.play.Roles) == 0 {
		return v
	}
	pc.roles.mu.Lock()
	pc.roles.upper[host] = maps.Clone(v)
	pc.roles.mu.Unlock()
	out := maps.Clone(pc.roles.defaults)
	maps.Copy(out, v)
	maps.Copy(out, pc.roles.vars)
	maps.Copy(out, e.cfg.ExtraVars)
	return out
}

// taskBase is what varsFor starts from: the host's play variables, and for
// a role's task, its role's defaults over the play's and its role vars.
func (e *Engine) taskBase(pc *playCtx, t *playbook.Task, host string) map[string]any {
	if pc.roles == nil {
		return pc.base[host]
	}
	pc.roles.mu.Lock()
	upper := pc.roles.upper[host]
	pubDefaults, pubVars := pc.roles.pubDefaults, pc.roles.pubVars
	pc.roles.mu.Unlock()
	if t.Role == nil {
		if pubDefaults == nil {
			return pc.base[host]
		}
		v := maps.Clone(pubDefaults)
		maps.Copy(v, pc.base[host])
		maps.Copy(v, pubVars)
		return v
	}
	if upper == nil {
		upper = pc.base[host] // a role included in a play without roles
	}
	v := make(map[string]any, len(upper)+len(pc.roles.defaults)+len(t.Role.Defaults)+len(t.Role.Vars)+4)
	maps.Copy(v, pubDefaults)
	maps.Copy(v, pc.roles.defaults)
	maps.Copy(v, t.Role.Defaults)
	maps.Copy(v, upper)
	maps.Copy(v, pc.roles.vars)
	maps.Copy(v, pubVars)
	maps.Copy(v, t.Role.Vars)
	v["hostvars"] = pc.hostvars
	return v
}

// roleTaskVars adds what a role's task sees above facts: role params and
// include params.
func roleTaskVars(v map[string]any, t *playbook.Task) {
	if t.Role == nil {
		return
	}
	maps.Copy(v, t.Role.Params)
	maps.Copy(v, t.Role.Include)
}

// magicTaskVars sets the variables Ansible sets per task, over everything:
// role_name, role_path and ansible_role_name in a role, and
// ansible_search_path (where relative files are looked up); and, when no
// layer sets it, ansible_connection: the connection the task uses, as
// Ansible's play context adds it (ssh, or for a delegated task the
// delegate's, local for the implicit localhost).
func (e *Engine) magicTaskVars(pc *playCtx, v map[string]any, t *playbook.Task) {
	if r := t.Role; r != nil && r.Role != nil {
		v["role_name"], v["role_path"], v["ansible_role_name"] = r.Role.Name, r.Role.Path, r.Role.Name
	}
	v["ansible_search_path"] = toAny(t.Role.SearchPath(t.Pos.File, pc.book.Dir))
	if t.DelegateTo != "" && t.LoopKind != "" {
		// delegate_to may name the item: runLoop adds them per item.
		return
	}
	e.connectionVars(pc, t, v)
}

// connectionVars adds the connection's variables where v does not set
// them, as Ansible's PlayContext.update_vars does: ansible_connection,
// and the address as ansible_host and ansible_ssh_host (the delegate's for
// a delegated task, else the host's ansible_host or ansible_ssh_host, else
// its inventory name, 127.0.0.1 for the implicit localhost).
func (e *Engine) connectionVars(pc *playCtx, t *playbook.Task, v map[string]any) {
	_, hasConn := v["ansible_connection"]
	_, hasHost := v["ansible_host"]
	_, hasSSHHost := v["ansible_ssh_host"]
	if hasConn && hasHost && hasSSHHost {
		return
	}
	var delegated map[string]any
	if t.DelegateTo != "" {
		if d, err := e.cfg.Render.Template(t.DelegateTo, v); err == nil {
			delegated = e.delegatedVars(fmt.Sprint(d))
		}
	}
	if !hasConn {
		conn := any(job.ConnSSH)
		if c := e.connectionKeyword(pc, t, v); c != "" {
			conn = c
		}
		if c, ok := delegated["ansible_connection"]; ok {
			conn = c
		}
		v["ansible_connection"] = conn
	}
	addr := v["inventory_hostname"]
	if name, _ := addr.(string); e.cfg.Inventory.Hosts[name] == nil {
		addr = "127.0.0.1" // the implicit localhost's address
	}
	switch {
	case delegated != nil:
		addr = delegated["ansible_host"]
	case hasHost:
		addr = v["ansible_host"]
	case hasSSHHost:
		addr = v["ansible_ssh_host"]
	}
	if !hasHost {
		v["ansible_host"] = addr
	}
	if !hasSSHHost {
		v["ansible_ssh_host"] = addr
	}
}

// roleHosts drops the hosts for which t's role already completed, unless
// the role allows duplicates (handlers are not affected).
func (pc *playCtx) roleHosts(t *playbook.Task, hosts []string) []string {
	if t.Role == nil || t.Role.Role == nil || t.Role.Role.AllowDuplicates || pc.roles == nil {
		return hosts
	}
	pc.roles.mu.Lock()
	defer pc.roles.mu.Unlock()
	done := pc.roles.done[t.Role.Role]
	if len(done) == 0 {
		return hosts
	}
	return filter(hosts, func(h string) bool { return !done[h] })
}

// noteRoleRun records that host ran a task of t's role (a result that was
// neither skipped nor unreachable).
func (pc *playCtx) noteRoleRun(t *playbook.Task, host string, st report.Status) {
	if t.Role == nil || t.Role.Role == nil || pc.roles == nil || st == report.Skipped || st == report.Unreachable {
		return
	}
	pc.roles.mu.Lock()
	defer pc.roles.mu.Unlock()
	m := pc.roles.ran[t.Role.Role]
	if m == nil {
		m = map[string]bool{}
		pc.roles.ran[t.Role.Role] = m
	}
	m[host] = true
}

// roleComplete is the implicit "meta: role_complete" at the end of a
// role: the role is done for the hosts that ran a task of it.
func (pc *playCtx) roleComplete(t *playbook.Task, hosts []string) {
	if t.Role == nil || t.Role.Role == nil || pc.roles == nil {
		return
	}
	pc.roles.mu.Lock()
	defer pc.roles.mu.Unlock()
	r := t.Role.Role
	for _, h := range hosts {
		if pc.roles.ran[r][h] {
			if pc.roles.done[r] == nil {
				pc.roles.done[r] = map[string]bool{}
			}
			pc.roles.done[r][h] = true
		}
	}
}

// isRoleComplete reports whether t is the implicit end of a role.
func isRoleComplete(t *playbook.Task) bool {
	return t.Implicit && t.Module == "meta" && t.Args["_raw_params"] == "role_complete"
}

// handlers are the play's handlers, then those of roles included so far.
func (pc *playCtx) handlers() []*playbook.Task {
	if pc.roles == nil {
		return pc.play.Handlers
	}
	pc.roles.mu.Lock()
	defer pc.roles.mu.Unlock()
	if len(pc.roles.handlers) == 0 {
		return pc.play.Handlers
	}
	return append(append([]*playbook.Task(nil), pc.play.Handlers...), pc.roles.handlers...)
}

// taskName is the task's name as Ansible shows it: rendered, and
// "role : name" for a role's task; an unnamed include_role shows
// "include_role : <role>".
func (e *Engine) taskName(pc *playCtx, t *playbook.Task, host string) string {
	name := e.plainTaskName(pc, t, host)
	switch {
	case t.Module == "include_role":
		if t.Name == "" {
			return t.Module + " : " + fmt.Sprint(includeRoleName(t))
		}
		return name
	case t.Role.Name() != "":
		return t.Role.Name() + " : " + name
	}
	return name
}

// includeRoleName is the role an include_role task names, as written.
func includeRoleName(t *playbook.Task) any {
	if n, ok := t.Args["name"]; ok {
		return n
	}
	return t.Args["role"]
}

// runIncludeRole runs an include_role task: per host (and loop item) its
// when, then the role's tasks on the hosts that included it, item after
// item. Its result is {include_args} per host, not counted in the recap.
func (e *Engine) runIncludeRole(ctx context.Context, pc *playCtx, t *playbook.Task, hosts []string) error {
	rt := e.reportTask(pc, t, hosts[0])
	e.report(func(r report.Reporter) { r.TaskStart(rt) })
	type instance struct {
		args  map[string]any
		extra map[string]any // the variables the role's tasks get from the loop item
		key   string
	}
	perHost := map[string][]instance{}
	skipped := map[string]bool{}
	// itemResults: a loop's item results per host, in item order; failed:
	// the host's inclusion failed.
	itemResults, failed := map[string][]any{}, map[string]bool{}
	most := 0
	for _, h := range hosts {
		vars := e.varsFor(pc, t, h, nil)
		itemVars := []map[string]any{nil}
		var lp *itemLoop
		if t.Loop != nil {
			items, err := e.loopItems(t, vars)
			if err != nil {
				e.finishInclude(rt, pc, t, h, report.HostResult{Host: h, Status: report.Failed, Result: failure(err.Error())})
				continue
			}
			if len(items) == 0 {
				e.finishInclude(rt, pc, t, h, report.HostResult{Host: h, Status: report.Skipped, Result: map[string]any{
					"changed": false, "skipped": true, "skipped_reason": "No items in the list", "results": []any{}}})
				continue
			}
			lp, itemVars = newItemLoop(t, items), nil
			for i := range items {
				itemVars = append(itemVars, lp.vars(i))
			}
		}
		for i, x := range itemVars {
			iv := vars
			if x != nil {
				iv = maps.Clone(vars)
				maps.Copy(iv, x)
			}
			ok, msg := e.condEach(t.When, iv)
			if msg != "" {
				// Ansible's task executor: the message names the failing
				// entry, with the excerpt of the task; no changed key.
				e.finishInclude(rt, pc, t, h, report.HostResult{Host: h, Status: report.Failed,
					Result: map[string]any{"failed": true, "msg": withExcerpt(msg, t), "_ansible_no_log": false}})
				failed[h] = true
				break
			}
			if !ok {
				if lp == nil {
					skipped[h] = true
					continue
				}
				// A skipped item is shown at once and kept in the results.
				shown := e.itemLabel(lp, i, iv)
				maps.Copy(x, map[string]any{"_ansible_item_label": shown, "changed": false, "skipped": true,
					"skip_reason": "Conditional result was False", "_ansible_no_log": e.noLog(pc, t, iv)})
				itemResults[h] = append(itemResults[h], x)
				ir := report.ItemResult{Task: rt, Host: h, Status: report.Skipped, Item: ansibleOrder(lp.items[i]),
					Label: lp.shownLabel(shown), Result: x}
				e.report(func(rep report.Reporter) { rep.Item(ir) })
				continue
			}
			argsAny, err := e.cfg.Render.Value(maps.Clone(t.Args), iv)
			if u, ok := undefinedText(err); ok {
				// Ansible templates the arguments when it loads the
				// included role, outside any host's task: the error
				// ends the run (exit 1).
				return errors.New(u)
			}
			if err != nil {
				e.finishInclude(rt, pc, t, h, report.HostResult{Host: h, Status: report.Failed,
					Result: failure(argsMessage(err))})
				failed[h] = true
				break
			}
			args, _ := argsAny.(map[string]any)
			in := instance{args: args, key: fmt.Sprint(sortedPairs(args))}
			if lp != nil {
				// The item's result: its loop variables and label, and the
				// task's arguments as written.
				shown := e.itemLabel(lp, i, iv)
				in.extra = lp.includeVars(i, shown)
				maps.Copy(x, map[string]any{"_ansible_item_label": shown, "include_args": maps.Clone(t.Args)})
				itemResults[h] = append(itemResults[h], x)
			}
			perHost[h] = append(perHost[h], in)
		}
		most = max(most, len(perHost[h]))
	}
	// Results: skipped hosts, then each host's include_args (the task's
	// arguments as written: Ansible's task executor copies them untemplated).
	for _, h := range hosts {
		switch {
		case skipped[h]:
			e.finishInclude(rt, pc, t, h, report.HostResult{Host: h, Status: report.Skipped,
				Result: map[string]any{"changed": false, "skipped": true, "skip_reason": "Conditional result was False", "_ansible_no_log": false}})
		case len(perHost[h]) > 0 && t.Loop == nil:
			e.finishInclude(rt, pc, t, h, report.HostResult{Host: h, Status: report.OK,
				Result: map[string]any{"changed": false, "include_args": maps.Clone(t.Args)}})
		case len(perHost[h]) > 0:
			e.finishInclude(rt, pc, t, h, report.HostResult{Host: h, Status: report.OK,
				Result: map[string]any{"changed": false, "msg": "All items completed", "results": itemResults[h]}})
		case len(itemResults[h]) > 0 && !failed[h]:
			// Every item skipped: counted in the recap, as Ansible's.
			e.finishInclude(rt, pc, t, h, report.HostResult{Host: h, Status: report.Skipped,
				Result: map[string]any{"changed": false, "msg": "All items skipped", "results": itemResults[h], "skipped": true}})
		}
	}
	for k := range most {
		byKey := map[string][]string{}
		var order []string
		for _, h := range hosts {
			if k >= len(perHost[h]) || e.host(h).failed.Load() {
				continue
			}
			in := perHost[h][k]
			if _, seen := byKey[in.key]; !seen {
				order = append(order, in.key)
			}
			byKey[in.key] = append(byKey[in.key], h)
		}
		for _, key := range order {
			group := byKey[key]
			in := perHost[group[0]][k]
			tasks, handlers, role, err := pc.play.IncludeRole(t, in.args)
			var pe *playbook.Error
			if errors.As(err, &pe) {
				// Ansible's strategy displays the error and fails the
				// hosts of the inclusion, out of the recap; the play
				// goes on with the others.
				e.displayError(withExcerpt(pe.Msg, t))
				for _, h := range group {
					e.host(h).failed.Store(true)
				}
				e.repMu.Lock()
				e.hostsFailed = true
				e.repMu.Unlock()
				continue
			}
			if err != nil {
				return fmt.Errorf("include_role: %w", err)
			}
			if public, _ := e.boolish(in.args["public"], nil); public {
				pc.roles.addPublic(role)
			}
			if len(handlers) > 0 {
				pc.roles.mu.Lock()
				pc.roles.handlers = append(pc.roles.handlers, handlers...)
				pc.roles.mu.Unlock()
			}
			wrapper, err := e.includeWrapper(t, in.args)
			if err != nil {
				return err
			}
			for _, h := range group {
				pc.pushExtra(h, perHost[h][k].extra)
			}
			err = e.runTasks(ctx, pc, e.inherit(wrapper, tasks, e.isRescuable(t)), setOf(group))
			for _, h := range group {
				pc.popExtra(h)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// includeWrapper is the block an include_role's tasks run in: the
// include's own keywords that its tasks inherit, and apply's.
func (e *Engine) includeWrapper(t *playbook.Task, args map[string]any) (*playbook.Task, error) {
	w := &playbook.Task{IgnoreErrors: t.IgnoreErrors, IgnoreUnreachable: t.IgnoreUnreachable, Become: t.Become,
		BecomeUser: t.BecomeUser, BecomeMethod: t.BecomeMethod, Environment: t.Environment, NoLog: t.NoLog,
		DelegateTo: t.DelegateTo, Pos: t.Pos}
	apply, ok := args["apply"].(map[string]any)
	if !ok || len(apply) == 0 {
		return w, nil
	}
	b, err := playbook.KeywordBlock(apply, t.Pos)
	if err != nil {
		return nil, fmt.Errorf("%s: include_role apply: %w", t.Pos, err)
	}
	if b.IgnoreErrors == nil {
		b.IgnoreErrors = w.IgnoreErrors
	}
	if b.Become == nil {
		b.Become = w.Become
	}
	if b.Environment == nil {
		b.Environment = w.Environment
	}
	return b, nil
}

// finishInclude reports an include_role's result for one host: it is not
// counted in the recap unless skipped or failed.
func (e *Engine) finishInclude(rt report.Task, pc *playCtx, t *playbook.Task, host string, hr report.HostResult) {
	if hr.Status == report.Failed {
		if e.ignoredInclude(t) {
			hr.Ignored = true
		} else {
			e.host(host).failed.Store(true)
		}
	}
	hr.End = time.Now()
	e.report(func(r report.Reporter) {
		r.HostResult(rt, hr)
		if hr.Status != report.OK {
			e.stats.Add(hr)
		}
	})
}

func (e *Engine) ignoredInclude(t *playbook.Task) bool {
	b, _ := e.boolish(t.IgnoreErrors, nil)
	return b
}

// sortedPairs is a stable rendering of args, to group hosts that include
// the same role the same way.
func sortedPairs(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%s=%v", k, m[k])
	}
	return out
}
