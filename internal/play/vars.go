package play

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/render"
)

// prepareVars computes each host's inventory and play variables, rendered,
// and the hostvars map every template sees.
func (e *Engine) prepareVars(pc *playCtx) error {
	inv := e.cfg.Inventory
	groups := inv.GroupsMap()
	pc.base = make(map[string]map[string]any, len(pc.hosts))
	pc.pending = map[string]map[string]any{}
	pc.hostvars = map[string]any{}
	playDir, _ := filepath.Abs(pc.book.Dir)
	invFile, invDir := inventorySource(inv)
	filesVars, err := e.varsFiles(pc)
	if err != nil {
		return err
	}
	e.prepareRoles(pc)
	// The host lists are built once and shared read-only by every host:
	// per-host copies would make a play's set-up quadratic in its hosts.
	groupsShared := groupsAny(groups)
	playHosts, allHosts := toAny(pc.hosts), toAny(pc.allHosts)
	runMagic := e.runMagicVars()
	for _, h := range pc.hosts {
		v := maps.Clone(inv.HostVars(h))
		if v == nil {
			v = map[string]any{}
		}
		maps.Copy(v, pc.play.Vars)
		maps.Copy(v, filesVars)
		v["inventory_hostname"] = h
		v["inventory_hostname_short"], _, _ = strings.Cut(h, ".")
		v["group_names"] = toAny(inv.GroupNames(h))
		v["groups"] = groupsShared
		v["play_hosts"] = playHosts
		v["ansible_play_hosts"] = playHosts
		v["ansible_play_hosts_all"] = allHosts
		v["ansible_play_batch"] = playHosts
		v["ansible_play_name"] = pc.play.Name
		v["playbook_dir"] = playDir
		v["inventory_file"], v["inventory_dir"] = invFile, invDir
		v["ansible_check_mode"] = e.cfg.Check
		v["ansible_diff_mode"] = e.cfg.Diff
		v["ansible_verbosity"] = e.cfg.Verbosity
		v["omit"] = e.omit
		maps.Copy(v, runMagic)
		maps.Copy(v, e.cfg.ExtraVars)
		v = e.withPlayRoles(pc, h, v)
		var src map[string]any // the templates as written
		for k, val := range v {
			if !magicVars[k] && hasTemplate(val) {
				if src == nil {
					src = map[string]any{}
				}
				src[k] = val
			}
		}
		e.resolve(v)
		// Every templated variable is rendered again per task (Ansible
		// templates a variable each time it is used): one built on a
		// registered result or a fact set since sees it.
		for k, val := range src {
			src[k] = pendingSource{val, v[k]}
		}
		if len(src) > 0 {
			pc.pending[h] = src
		}
		pc.base[h] = v
		pc.hostvars[h] = v
	}
	for _, h := range pc.hosts {
		// hostvars[h] is h's variables without hostvars itself, which
		// Ansible's does not hold either: a map that held itself would
		// make a deep walk of hostvars[h] (the in test, length, to_json)
		// recurse without end.
		pc.hostvars[h] = maps.Clone(pc.base[h])
		pc.base[h]["hostvars"] = pc.hostvars
	}
	// Hosts outside the play are in hostvars too, with their inventory
	// variables (rendered) and whatever they registered in earlier plays.
	for _, h := range inv.Hosts {
		if _, ok := pc.hostvars[h.Name]; ok {
			continue
		}
		v := maps.Clone(inv.HostVars(h.Name))
		if v == nil {
			v = map[string]any{}
		}
		v["inventory_hostname"] = h.Name
		v["group_names"] = toAny(inv.GroupNames(h.Name))
		maps.Copy(v, e.cfg.ExtraVars)
		e.resolve(v)
		pc.hostvars[h.Name] = v
	}
	pc.hostvarsBase = maps.Clone(pc.hostvars)
	e.hostsMu.Lock()
	for name, st := range e.hosts {
		if len(st.facts) > 0 {
			e.dirty[name] = true
		}
	}
	e.hostsMu.Unlock()
	e.refreshHostvars(pc)
	return nil
}

// refreshHostvars gives hostvars a new snapshot of each host whose facts
// changed since the last task: its base variables and its facts. Snapshots
// are never changed after they are made, so templates read them while other
// hosts register new values. It runs between tasks.
func (e *Engine) refreshHostvars(pc *playCtx) {
	e.hostsMu.Lock()
	defer e.hostsMu.Unlock()
	for name := range e.dirty {
		base, ok := pc.hostvarsBase[name].(map[string]any)
		if !ok {
			continue
		}
		snap := maps.Clone(base)
		if st := e.hosts[name]; st != nil {
			maps.Copy(snap, st.facts)
		}
		pc.hostvars[name] = snap
		delete(e.dirty, name)
	}
}

// varsFiles loads the play's vars_files (paths may be templates of play and
// extra vars), relative to the playbook's directory.
func (e *Engine) varsFiles(pc *playCtx) (map[string]any, error) {
	out := map[string]any{}
	base := maps.Clone(pc.play.Vars)
	if base == nil {
		base = map[string]any{}
	}
	maps.Copy(base, e.cfg.ExtraVars)
	for _, f := range pc.play.VarsFiles {
		name := f
		if render.IsTemplate(f) {
			v, err := e.cfg.Render.Template(f, base)
			if err != nil {
				return nil, fmt.Errorf("%s: vars_files %q: %w", pc.play.Pos, f, err)
			}
			name = fmt.Sprint(v)
		}
		if !filepath.IsAbs(name) {
			name = filepath.Join(pc.book.Dir, name)
		}
		vars, err := playbook.LoadVars(name, e.cfg.Decrypt)
		if err != nil {
			return nil, err
		}
		maps.Copy(out, vars)
	}
	return out, nil
}

// resolve renders the templated values of vars against vars itself, a few
// passes deep, as Ansible resolves variables that refer to each other.
// A value waits while it names another variable that is still a template,
// so that c: "{{ [b | int] }}" sees b: "{{ a + 1 }}" rendered, whatever the
// map order; when every remaining value waits (a cycle, or a name that only
// looks like a reference) they are rendered in any order. Values that cannot
// be rendered yet stay as they are; using them reports the error where it
// matters.
func (e *Engine) resolve(vars map[string]any) {
	for range 8 {
		changed, waiting := e.resolvePass(vars, true)
		if !changed && waiting {
			changed, _ = e.resolvePass(vars, false)
		}
		if !changed {
			return
		}
	}
}

// resolvePass renders each templated value of vars once; with ordered, a
// value that names a variable still holding a template waits (waiting).
func (e *Engine) resolvePass(vars map[string]any, ordered bool) (changed, waiting bool) {
	for k, v := range vars {
		if magicVars[k] || !hasTemplate(v) {
			continue
		}
		if ordered && namesPending(v, k, vars, 8) {
			waiting = true
			continue
		}
		out, err := e.cfg.Render.Value(v, vars)
		if err != nil {
			continue
		}
		vars[k] = out
		changed = true
	}
	return changed, waiting
}

// identRE matches the names a template may refer to.
var identRE = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// namesPending reports whether a template string in v (looking depth levels
// deep) names a variable of vars, other than self, whose value is still a
// template.
func namesPending(v any, self string, vars map[string]any, depth int) bool {
	if depth == 0 {
		return false
	}
	switch x := v.(type) {
	case string:
		if !render.IsTemplate(x) {
			return false
		}
		for _, name := range identRE.FindAllString(x, -1) {
			if name != self && !magicVars[name] && hasTemplate(vars[name]) {
				return true
			}
		}
	case []any:
		for _, y := range x {
			if namesPending(y, self, vars, depth-1) {
				return true
			}
		}
	case map[string]any:
		for k, y := range x {
			if k != "hostvars" && namesPending(y, self, vars, depth-1) {
				return true
			}
		}
	}
	return false
}

// magicVars are the engine's own variables: never templates, and some are
// large shared lists, so resolve does not look into them.
var magicVars = map[string]bool{
	"hostvars": true, "groups": true, "group_names": true, "play_hosts": true,
	"ansible_play_hosts": true, "ansible_play_hosts_all": true, "ansible_play_batch": true,
	"omit": true, "inventory_hostname": true, "playbook_dir": true,
}

// hasTemplate reports whether v holds a template string, looking at most a
// few levels deep (vars may refer to shared maps such as hostvars).
func hasTemplate(v any) bool { return hasTemplateDepth(v, 8) }

func hasTemplateDepth(v any, depth int) bool {
	if depth == 0 {
		return false
	}
	switch x := v.(type) {
	case string:
		return render.IsTemplate(x)
	case []any:
		for _, y := range x {
			if hasTemplateDepth(y, depth-1) {
				return true
			}
		}
	case map[string]any:
		for k, y := range x {
			if k != "hostvars" && hasTemplateDepth(y, depth-1) {
				return true
			}
		}
	}
	return false
}

// varsFor is what a task's templates see on host: inventory and play vars,
// task vars, the host's facts and registered results, extra vars.
func (e *Engine) varsFor(pc *playCtx, t *playbook.Task, host string, extra map[string]any) map[string]any {
	base := e.taskBase(pc, t, host)
	st := e.host(host)
	v := make(map[string]any, len(base)+len(t.Vars)+len(st.facts)+len(extra)+4)
	maps.Copy(v, base)
	pending := pc.pending[host]
	var restored []string
	if pending != nil {
		restored = restorePending(v, pending)
	}
	maps.Copy(v, t.Vars)
	e.hostsMu.Lock()
	maps.Copy(v, st.facts)
	e.hostsMu.Unlock()
	roleTaskVars(v, t)
	maps.Copy(v, pc.extraFor(host))
	maps.Copy(v, extra)
	pc.mu.Lock()
	if pc.active != nil {
		v["ansible_play_hosts"], v["play_hosts"] = pc.active, pc.active
	}
	pc.mu.Unlock()
	maps.Copy(v, e.cfg.ExtraVars)
	e.magicTaskVars(pc, v, t)
	if len(t.Vars) > 0 || t.Role != nil {
		e.resolve(v)
		e.markUnresolved(v)
	} else if len(restored) > 0 {
		e.resolvePending(v, pending, restored)
	}
	return v
}

// pendingSource is a templated play variable: as written, and as it was
// rendered at the play's start (the play's base).
type pendingSource struct{ written, base any }

// restorePending puts back, in a task's variables copied from the play's
// base, the templated play variables as written, so that the task renders
// them with the host's current variables; it returns their names. It runs
// before the task's higher layers (task vars, facts, extra vars) are
// copied over them, which then win as they should.
func restorePending(vars map[string]any, pending map[string]any) []string {
	restored := make([]string, 0, len(pending))
	for k, p := range pending {
		ps := p.(pendingSource)
		if cur, ok := vars[k]; ok && sameValue(cur, ps.base) {
			vars[k] = ps.written
			restored = append(restored, k)
		}
	}
	return restored
}

// sameValue reports whether a is b as the play's base holds it (not a
// value of another layer, such as a role var of the same name): strings by
// value, lists and maps by identity.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any, map[string]any:
		ra, rb := reflect.ValueOf(a), reflect.ValueOf(b)
		return ra.Kind() == rb.Kind() && ra.UnsafePointer() == rb.UnsafePointer() && ra.Len() == rb.Len()
	}
	return reflect.DeepEqual(a, b)
}

// resolvePending renders the restored play variables with the task's
// variables: one whose template still uses an undefined value becomes a
// render.Unresolved (default() applies, `is defined` is false), as Ansible's
// lazy variables; one that renders takes its value. A value that renders to
// a template (it names another restored variable) waits for the next pass.
// A variable set since (a fact, extra vars) is left alone.
func (e *Engine) resolvePending(vars map[string]any, pending map[string]any, restored []string) {
	names := restored
	// What still renders only to a template ({% raw %}) keeps the play
	// start's rendering.
	defer func() {
		for _, k := range restored {
			if ps := pending[k].(pendingSource); reflect.DeepEqual(vars[k], ps.written) {
				vars[k] = ps.base
			}
		}
	}()
	ordered := true
	for range 2 * min(len(names), 8) {
		changed, waiting := false, false
		for _, k := range names {
			src, ok := vars[k]
			if !ok || !hasTemplate(src) || !sameValue(src, pending[k].(pendingSource).written) {
				continue
			}
			// A value naming another variable still a template waits
			// for it (c: "{{ [b | int] }}" after b: "{{ a + 1 }}").
			if ordered && namesPending(src, k, vars, 8) {
				waiting = true
				continue
			}
			out, err := e.cfg.Render.Value(src, vars)
			if err != nil {
				if u, ok := render.NewUnresolved(src, err); ok {
					vars[k], changed = u, true
				}
				continue
			}
			if !hasTemplate(out) {
				vars[k], changed = out, true
			}
		}
		switch {
		case changed:
			ordered = true
		case waiting && ordered:
			ordered = false // a cycle: render in any order
		default:
			return
		}
	}
}

// markUnresolved replaces each value of vars whose template still uses an
// undefined value with a render.Unresolved: templates see it as undefined
// (default() applies), as Ansible's lazy variables, instead of the
// template's text.
func (e *Engine) markUnresolved(vars map[string]any) {
	for k, v := range vars {
		if magicVars[k] || !hasTemplate(v) {
			continue
		}
		if _, err := e.cfg.Render.Value(v, vars); err != nil {
			if u, ok := render.NewUnresolved(v, err); ok {
				vars[k] = u
			}
		}
	}
}

// resolveItem renders again, in the vars of one loop item, the values that
// could not be rendered without it (a task var naming the item).
func (e *Engine) resolveItem(vars map[string]any) {
	again := false
	for k, v := range vars {
		if u, ok := v.(*render.Unresolved); ok {
			vars[k], again = u.Source, true
		}
	}
	if again {
		e.resolve(vars)
		e.markUnresolved(vars)
	}
}

func (e *Engine) withExtra(v map[string]any) map[string]any {
	if len(e.cfg.ExtraVars) == 0 {
		return v
	}
	out := maps.Clone(v)
	maps.Copy(out, e.cfg.ExtraVars)
	return out
}

// setFacts stores values that outlive the task (set_fact, register).
func (e *Engine) setFacts(host string, facts map[string]any) {
	st := e.host(host)
	e.hostsMu.Lock()
	st.facts = maps.Clone(st.facts)
	maps.Copy(st.facts, facts)
	e.dirty[host] = true
	e.hostsMu.Unlock()
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func groupsAny(g map[string][]string) map[string]any {
	out := make(map[string]any, len(g))
	for k, v := range g {
		out[k] = toAny(v)
	}
	return out
}

// AnsibleVersion is the ansible-core release whose behaviour jetplay
// follows (the version the differential corpus compares with), as the
// ansible_version variable gives it.
const AnsibleVersion = "2.14.18"

// runMagicVars are the magic variables that are the same for every host of
// the run, as ansible-core 2.14 sets them: ansible_version,
// ansible_config_file (null without one), ansible_forks, ansible_run_tags
// (["all"] without --tags), ansible_skip_tags and ansible_inventory_sources
// (absolute paths). The maps and lists are shared read-only.
func (e *Engine) runMagicVars() map[string]any {
	parts := strings.SplitN(AnsibleVersion, ".", 3)
	num := make([]int, 3)
	for i, p := range parts {
		num[i], _ = strconv.Atoi(p)
	}
	var cfgFile any
	if e.cfg.ConfigFile != "" {
		cfgFile = e.cfg.ConfigFile
	}
	runTags := toAny(e.cfg.Tags)
	if len(runTags) == 0 {
		runTags = []any{"all"}
	}
	sources := make([]any, 0, len(e.cfg.Inventory.Specs))
	for _, s := range e.cfg.Inventory.Specs {
		if _, err := os.Stat(s); err == nil {
			s, _ = filepath.Abs(s)
		}
		sources = append(sources, s)
	}
	return map[string]any{
		"ansible_version": map[string]any{"string": AnsibleVersion, "full": AnsibleVersion,
			"major": num[0], "minor": num[1], "revision": num[2]},
		"ansible_config_file":       cfgFile,
		"ansible_forks":             e.cfg.Forks,
		"ansible_run_tags":          runTags,
		"ansible_skip_tags":         toAny(e.cfg.SkipTags),
		"ansible_inventory_sources": sources,
	}
}

// inventorySource is inventory_file and inventory_dir: the first inventory
// file read (nil for a host list).
func inventorySource(inv *playbook.Inventory) (file, dir any) {
	for _, s := range inv.Sources {
		if st, err := os.Stat(s); err == nil {
			abs, _ := filepath.Abs(s)
			if st.IsDir() {
				return abs, abs
			}
			return abs, filepath.Dir(abs)
		}
	}
	return nil, nil
}
