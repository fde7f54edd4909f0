package play

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/action"
	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/render"
	"github.com/jetplay/jetplay/internal/report"
	"github.com/jetplay/jetplay/internal/watcher"
)

// Config configures a run of one or more playbooks.
type Config struct {
	// Bus is where jobs are published and their status is read. Required.
	Bus *bus.Bus
	// Inventory holds the hosts. Required.
	Inventory *playbook.Inventory
	// Reporter is told what happens. Required.
	Reporter report.Reporter
	// Render renders templates. Default: render.New(), whose lookup('env')
	// sees no variable (cli passes an engine that reads the environment).
	Render *render.Engine
	// ExtraVars are -e variables: the highest precedence.
	ExtraVars map[string]any
	// Limit further restricts the hosts of every play (-l), as a host pattern.
	Limit string
	// Forks caps the (task, host) pairs in flight at once. Default 5, as
	// ansible-playbook.
	Forks int
	// Pool is the executor pool jobs go to. Default job.DefaultPool.
	Pool string
	// Run is the run id of every job. Default: a new one.
	Run job.RunID
	// Resume replays Run: jobs it submitted before (same task, host, item and
	// attempt) are waited on again instead of being published twice; only
	// what never was submitted runs. Requires Run.
	Resume bool
	// Verbosity is the -v count (debug's verbosity option compares with it).
	Verbosity int
	// Check runs every task in check mode (--check) unless its check_mode
	// says otherwise: modules report what they would change and change
	// nothing.
	Check bool
	// Diff shows what modules change (--diff) unless a task's diff keyword
	// says otherwise.
	Diff bool
	// Tags and SkipTags select tasks by tag (--tags, --skip-tags).
	Tags, SkipTags []string
	// ConfigFile is the ansible.cfg in use, an absolute path, for the
	// ansible_config_file variable. Default "": none (the variable is null).
	ConfigFile string
	// StartAt skips the tasks before the first one of this name
	// (--start-at-task).
	StartAt string
	// LoadTasks loads an include_tasks file. Default: playbook.LoadTasks
	// with the module registry and Decrypt.
	LoadTasks func(path string) ([]*playbook.Task, error)
	// Decrypt decrypts vault data met at run time: vars_files, include_vars
	// files, copy and template sources, include_tasks files (by the default
	// LoadTasks). Nil makes vault data fail with Ansible's "Attempting to
	// decrypt but no vault secrets found". The playbooks and inventory are
	// decrypted when they are loaded, by their own options.
	Decrypt playbook.DecryptFunc
	// Logger receives debug lines (zero value: discarded).
	Logger zerolog.Logger
}

// Engine runs plays. Create one per run with New.
type Engine struct {
	cfg   Config
	log   zerolog.Logger
	seq   *job.Sequence
	hub   *watcher.Hub
	forks chan struct{}
	omit  string

	repMu sync.Mutex // serialises Reporter calls and stats
	stats report.Stats

	hostsMu sync.Mutex
	hosts   map[string]*hostState
	dirty   map[string]bool // hosts whose facts changed since hostvars was refreshed

	// ids numbers plays and tasks for the report's ids.
	ids atomic.Int64

	// occurrences counts submissions per idempotency key stem, so that a task
	// that runs twice for a host (an include in two places) gets two keys.
	occMu       sync.Mutex
	occurrences map[string]int

	// startedAt: the --start-at-task task was reached, by the linear
	// strategy or by a host of an earlier free batch; atomic, as hosts of a
	// free batch read it from their goroutines (see selected).
	startedAt atomic.Bool

	// aborted: a play was stopped by any_errors_fatal or
	// max_fail_percentage (exit 2); stopRun: no further play runs (also when
	// every host of a batch failed).
	aborted, stopRun bool
	// hostsFailed: a host failed out of the recap (Outcome.HostsFailed);
	// guarded by repMu.
	hostsFailed bool

	// rescuable holds the tasks (block children) whose failure a rescue catches.
	rescuable sync.Map
}

// hostState is what a host carries from task to task and play to play.
type hostState struct {
	name string
	// facts are set_fact values and registered results: they outlive a play.
	facts map[string]any
	// failed and unreachable remove the host from the rest of the run;
	// ended: meta end_host for the current play. They are atomic: the
	// goroutine that runs a task on the host sets them (under strategy free
	// the host's own goroutine) while other hosts' goroutines read them
	// (ansible_play_hosts, max_fail_percentage, meta end_batch).
	failed, unreachable, ended atomic.Bool
}

// New checks cfg and opens the run's status watch.
func New(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.Bus == nil || cfg.Inventory == nil || cfg.Reporter == nil {
		return nil, errors.New("play: Bus, Inventory and Reporter are required")
	}
	cfg.Render = cmp.Or(cfg.Render, render.New())
	cfg.Forks = max(cfg.Forks, 0)
	cfg.Forks = cmp.Or(cfg.Forks, 5)
	cfg.Pool = cmp.Or(cfg.Pool, job.DefaultPool)
	if cfg.Run == "" {
		cfg.Run = job.NewRunID()
	}
	if cfg.LoadTasks == nil {
		decrypt := cfg.Decrypt
		cfg.LoadTasks = func(path string) ([]*playbook.Task, error) {
			opts := ModuleOptions()
			opts.Decrypt = decrypt
			return playbook.LoadTasks(path, opts)
		}
	}
	seq := job.NewSequence(cfg.Run)
	if cfg.Resume {
		if !cfg.Run.Valid() {
			return nil, fmt.Errorf("resume: %q is not a run id", cfg.Run)
		}
		last, err := cfg.Bus.LastSeq(ctx, cfg.Run)
		if err != nil {
			return nil, fmt.Errorf("resume %s: %w", cfg.Run, err)
		}
		seq = job.NewSequenceAfter(cfg.Run, last)
	}
	hub, err := watcher.NewHub(ctx, watcher.HubConfig{
		Source: cfg.Bus, Patterns: []string{job.RunPattern(cfg.Run)}, Logger: cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	return &Engine{
		cfg: cfg, log: cfg.Logger.With().Str("component", "play").Str("run", string(cfg.Run)).Logger(),
		seq: seq, hub: hub, forks: make(chan struct{}, cfg.Forks), occurrences: map[string]int{},
		omit:  "__omit_place_holder__" + string(cfg.Run),
		stats: report.Stats{}, hosts: map[string]*hostState{}, dirty: map[string]bool{},
	}, nil
}

// Close stops the run's watch.
func (e *Engine) Close() { e.hub.Stop() }

// RunID is the run every job of this engine belongs to.
func (e *Engine) RunID() job.RunID { return e.cfg.Run }

// Outcome is how a run ended.
type Outcome struct {
	// Stats is the recap.
	Stats report.Stats
	// Aborted: a play was stopped for every host (any_errors_fatal,
	// max_fail_percentage, or a serial batch in which every host failed).
	Aborted bool
	// HostsFailed: a host failed without a result in the recap (an
	// include_role whose role could not be loaded), which makes
	// ansible-playbook exit 2 all the same.
	HostsFailed bool
}

// ExitCode is ansible-playbook's exit code for the outcome.
func (o Outcome) ExitCode() int {
	if o.Aborted {
		return report.ExitFailed
	}
	if code := report.ExitCode(o.Stats); code != 0 || !o.HostsFailed {
		return code
	}
	return report.ExitFailed
}

// Run runs the playbooks in order and returns the outcome. An error means
// the run could not go on (a broken include, the bus gone), not that a host
// failed.
func Run(ctx context.Context, cfg Config, books ...*playbook.Playbook) (Outcome, error) {
	if len(books) == 0 {
		return Outcome{}, ErrNoPlaybook
	}
	e, err := New(ctx, cfg)
	if err != nil {
		return Outcome{}, err
	}
	defer e.Close()
	return e.Run(ctx, books...)
}

// Run runs the playbooks and finishes the report.
func (e *Engine) Run(ctx context.Context, books ...*playbook.Playbook) (Outcome, error) {
	var runErr error
	for _, b := range books {
		// group_vars/ and host_vars/ beside the playbook.
		if err := e.cfg.Inventory.LoadPlaybookVars(b.Dir); err != nil {
			runErr = err
			break
		}
		for _, p := range b.Plays {
			if err := e.runPlay(ctx, b, p); err != nil {
				runErr = err
				break
			}
			if e.stopRun {
				break
			}
		}
		if e.stopRun {
			break
		}
		if runErr != nil {
			break
		}
	}
	e.repMu.Lock()
	defer e.repMu.Unlock()
	if err := e.cfg.Reporter.Finish(e.stats); err != nil && runErr == nil {
		runErr = err
	}
	return Outcome{Stats: e.stats, Aborted: e.aborted, HostsFailed: e.hostsFailed}, runErr
}

func (e *Engine) host(name string) *hostState {
	e.hostsMu.Lock()
	defer e.hostsMu.Unlock()
	h := e.hosts[name]
	if h == nil {
		h = &hostState{name: name, facts: map[string]any{}}
		e.hosts[name] = h
	}
	return h
}

// playCtx is what every task of one play shares.
type playCtx struct {
	book     *playbook.Playbook
	play     *playbook.Play
	hosts    []string // the play's hosts, in inventory order
	allHosts []string // every host the play matched (ansible_play_hosts_all)
	// active is ansible_play_hosts: the hosts still running, as of the
	// current task.
	active   []any
	batch    []string                  // the serial batch being run
	base     map[string]map[string]any // host → inventory+play vars, rendered
	hostvars map[string]any
	// hostvarsBase is each host's variables without its facts.
	hostvarsBase map[string]any
	// pending: host → the templated variables of base, as written and as
	// rendered at the play's start (varsFor renders them again per task).
	pending map[string]map[string]any

	mu       sync.Mutex
	end      bool                               // meta: end_play, or an abort: no more tasks in this play
	aborted  string                             // why the play was stopped for every host
	notified map[*playbook.Task]map[string]bool // handler → hosts that notified it
	extra    map[string][]map[string]any        // host → variables of the includes it is in
	// free: strategy free, every host runs its tasks on its own.
	free    bool
	taskIDs map[string]string // free: report id per task
	roles   *roleState        // the play's roles (roles.go)
	// started: free, the hosts that reached the --start-at-task task in
	// this batch (each looks for it on its own).
	started map[string]bool
}

func (e *Engine) runPlay(ctx context.Context, b *playbook.Playbook, p *playbook.Play) error {
	pattern := p.Hosts
	hosts, err := e.cfg.Inventory.Match(pattern)
	if err != nil {
		return fmt.Errorf("%s: hosts: %w", p.Pos, err)
	}
	if e.cfg.Limit != "" {
		limited, err := e.cfg.Inventory.Match(e.cfg.Limit)
		if err != nil {
			return fmt.Errorf("--limit: %w", err)
		}
		keep := setOf(limited)
		hosts = filter(hosts, func(h string) bool { return keep[h] })
	}
	if hosts, err = orderHosts(hosts, p.Order); err != nil {
		return fmt.Errorf("%s: %w", p.Pos, err)
	}
	// Ansible starts the play again for each serial batch: one PLAY
	// banner and one json play entry per batch, under the same play id.
	playID := e.newID("play")
	playStart := func() {
		name := cmp.Or(p.Name, pattern)
		e.report(func(r report.Reporter) {
			r.PlayStart(report.Play{Name: name, ID: playID, Start: time.Now(), Path: posPath(p.Pos), Strategy: p.Strategy})
		})
	}
	matched := hosts
	hosts = filter(hosts, func(h string) bool {
		st := e.host(h)
		st.ended.Store(false)
		return !st.failed.Load() && !st.unreachable.Load()
	})
	if len(hosts) == 0 {
		playStart()
		e.report(func(r report.Reporter) { r.NoHostsMatched(pattern); r.PlayEnd() })
		return nil
	}
	pc := &playCtx{book: b, play: p, hosts: hosts, allHosts: matched, free: p.Strategy == "free"}
	switch p.Strategy {
	case "", "linear", "free":
	default:
		return fmt.Errorf("%s: strategy %q is not supported (use linear or free)", p.Pos, p.Strategy)
	}
	if err := e.prepareVars(pc); err != nil {
		return err
	}
	batches, err := e.batches(hosts, p.Serial, pc.base[hosts[0]])
	if err != nil {
		return fmt.Errorf("%s: %w", p.Pos, err)
	}
	for _, batch := range batches {
		if err := e.runBatch(ctx, pc, batch, playStart); err != nil || pc.aborted != "" || pc.ended() || allFailed(e, batch) {
			return err
		}
	}
	return nil
}

// runBatch runs the play on one serial batch, between a play start and end
// of the reporters. It stops the run (e.aborted, e.stopRun) when the batch
// aborts it or every host of the batch failed.
func (e *Engine) runBatch(ctx context.Context, pc *playCtx, batch []string, playStart func()) error {
	playStart()
	defer e.report(func(r report.Reporter) { r.PlayEnd() })
	p := pc.play
	pc.batch = batch
	shared := toAny(batch)
	for _, h := range batch {
		pc.base[h]["ansible_play_batch"] = shared
	}
	only := setOf(batch)
	if gatherFacts(p) {
		e.gatherFacts(ctx, pc, only)
	}
	if pc.free {
		if err := e.runFree(ctx, pc, batch); err != nil {
			return err
		}
	} else {
		for _, list := range [][]*playbook.Task{p.PreTasks, p.Tasks, p.PostTasks} {
			if err := e.runTasks(ctx, pc, list, only); err != nil {
				return err
			}
			if pc.ended() {
				break
			}
			if err := e.flushHandlers(ctx, pc, only); err != nil {
				return err
			}
		}
	}
	switch {
	case pc.aborted != "":
		// any_errors_fatal, max_fail_percentage: the run stops, exit 2.
		e.aborted, e.stopRun = true, true
	case pc.ended():
		// meta: end_play
	case allFailed(e, batch):
		// Every host of the batch failed or is unreachable: Ansible
		// stops the run (its exit code stays the recap's).
		e.stopRun = true
	}
	return nil
}

// allFailed reports whether every host of batch failed or is unreachable.
func allFailed(e *Engine, batch []string) bool {
	for _, h := range batch {
		if st := e.host(h); !st.failed.Load() && !st.unreachable.Load() {
			return false
		}
	}
	return true
}

func gatherFacts(p *playbook.Play) bool { return p.GatherFacts == nil || *p.GatherFacts }

// activeHosts are the play's hosts still running tasks.
func (e *Engine) activeHosts(pc *playCtx, only map[string]bool) []string {
	return filter(pc.hosts, func(h string) bool {
		st := e.host(h)
		return !st.failed.Load() && !st.unreachable.Load() && !st.ended.Load() && (only == nil || only[h])
	})
}

// runTasks runs tasks in order, each on every active host (linear strategy).
// only, when set, restricts the hosts (an include's hosts).
func (e *Engine) runTasks(ctx context.Context, pc *playCtx, tasks []*playbook.Task, only map[string]bool) error {
	for _, t := range tasks {
		if err := ctx.Err(); err != nil {
			return err
		}
		if pc.ended() {
			return nil
		}
		hosts := e.activeHosts(pc, only)
		if len(hosts) == 0 {
			return nil
		}
		if len(t.Block) > 0 || t.Module == "" {
			// A block's children carry its tags (inherit); select them there.
			if err := e.runBlock(ctx, pc, t, hosts); err != nil {
				return err
			}
			continue
		}
		if isRoleComplete(t) {
			pc.roleComplete(t, hosts)
			continue
		}
		if hosts = pc.roleHosts(t, hosts); len(hosts) == 0 {
			continue // the role already ran on these hosts
		}
		if !e.selected(pc, t, hosts) {
			continue
		}
		if t.Module == "include_role" {
			if err := e.runIncludeRole(ctx, pc, t, hosts); err != nil {
				return err
			}
			continue
		}
		if t.Module == "include_tasks" {
			if err := e.runInclude(ctx, pc, t, hosts); err != nil {
				return err
			}
			continue
		}
		if t.Module == "meta" {
			if err := e.runMeta(ctx, pc, t, hosts, only); err != nil {
				return err
			}
			continue
		}
		e.runTaskOnHosts(ctx, pc, t, hosts, false)
	}
	return nil
}

// runTaskOnHosts runs one task on hosts at once (at most Forks at a time) and
// reports each host's result as it finishes.
func (e *Engine) runTaskOnHosts(ctx context.Context, pc *playCtx, t *playbook.Task, hosts []string, handler bool) {
	rt := e.reportTask(pc, t, hosts[0])
	rt.Handler = handler
	e.report(func(r report.Reporter) { r.TaskStart(rt) })
	all := hosts
	if !pc.free {
		// Between tasks nothing reads hostvars; under the free strategy
		// hosts run tasks at once, so it keeps the play's start snapshot.
		e.refreshHostvars(pc)
	}
	pc.mu.Lock()
	pc.active = toAny(e.activeHosts(pc, nil))
	pc.mu.Unlock()
	once, _ := e.boolish(t.RunOnce, nil)
	if t.Module == "pause" {
		once = true // pause runs once for the play, as Ansible's
	}
	if once {
		hosts = hosts[:1]
	}
	throttle := make(chan struct{}, e.throttle(pc, t, len(hosts)))
	var failedNow atomic.Bool
	var wg sync.WaitGroup
	for _, h := range hosts {
		select {
		case throttle <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		select {
		case e.forks <- struct{}{}:
		case <-ctx.Done():
			<-throttle
			wg.Wait()
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-e.forks; <-throttle }()
			res := e.runHostTask(ctx, pc, t, h)
			if once {
				// run_once: every host of the batch gets the registered
				// result, and the facts of set_fact and include_vars.
				facts, _ := res.Result["ansible_facts"].(map[string]any)
				if t.Module != "set_fact" && t.Module != "include_vars" || truthy(res.Result["skipped"]) {
					facts = nil
				}
				for _, other := range all[1:] {
					if t.Register != "" {
						e.setFacts(other, map[string]any{t.Register: action.Registered(res.Result)})
					}
					if len(facts) > 0 {
						e.setFacts(other, facts)
					}
				}
			}
			if res.Status == report.Failed && !res.Ignored || res.Status == report.Unreachable && !res.Ignored {
				failedNow.Store(true)
			}
			e.finishHost(rt, pc, t, h, res)
		}()
	}
	wg.Wait()
	e.checkAbort(pc, t, failedNow.Load())
}

// throttle is the task's (or play's) cap on hosts at once; n when unset.
func (e *Engine) throttle(pc *playCtx, t *playbook.Task, n int) int {
	for _, v := range []any{t.Throttle, pc.play.Throttle} {
		if v == nil {
			continue
		}
		if k, err := e.intOf(v, nil); err == nil && k > 0 {
			return min(k, max(n, 1))
		}
	}
	return max(n, 1)
}

// finishHost records and reports one host's result of a task.
func (e *Engine) finishHost(rt report.Task, pc *playCtx, t *playbook.Task, host string, res report.HostResult) {
	st := e.host(host)
	pc.noteRoleRun(t, host, res.Status)
	switch {
	case res.Status == report.Changed && len(t.Notify) > 0:
		pc.notify(t.Notify, host)
	case res.Status == report.Failed && !res.Ignored:
		st.failed.Store(true)
	case res.Status == report.Unreachable && !res.Ignored:
		st.unreachable.Store(true)
	}
	res.End = time.Now()
	if t.Module == "meta" {
		// Ansible reports meta tasks without host results, except an
		// end_host that its when skipped.
		if res.Status != report.Skipped || !strings.Contains(fmt.Sprint(t.Args["_raw_params"]), "end_host") {
			return
		}
		res.Result["skip_reason"] = "end_host conditional evaluated to False, continuing execution for " + host
	}
	rescued := res.Status == report.Failed && !res.Ignored && e.isRescuable(t)
	e.report(func(r report.Reporter) {
		r.HostResult(rt, res)
		if rescued {
			e.stats.Rescue(host)
			return
		}
		e.stats.Add(res)
	})
	if rescued {
		e.setFacts(host, map[string]any{"ansible_failed_result": action.Registered(res.Result),
			"ansible_failed_task": map[string]any{"name": rt.Name, "action": t.Module}})
	}
}

// report calls the reporter under the engine's lock.
func (e *Engine) report(fn func(report.Reporter)) {
	e.repMu.Lock()
	defer e.repMu.Unlock()
	fn(e.cfg.Reporter)
}

// errorDisplay is a reporter that prints Ansible's "ERROR! msg" for an
// error that fails hosts without ending the run (Display.error).
type errorDisplay interface{ Error(msg string) }

// displayError prints msg through the reporter, when it can.
func (e *Engine) displayError(msg string) {
	e.report(func(r report.Reporter) {
		if d, ok := r.(errorDisplay); ok {
			d.Error(msg)
		}
	})
}

// plainTaskName is the task's own name, rendered (taskName adds the role).
func (e *Engine) plainTaskName(pc *playCtx, t *playbook.Task, host string) string {
	if t.Name == "" {
		return t.ActionName()
	}
	if !render.IsTemplate(t.Name) {
		return t.Name
	}
	// Ansible renders the name with the play's and the include's variables,
	// and in a role with the role's defaults and vars.
	vars := e.withExtra(e.taskBase(pc, t, host))
	if x := pc.extraFor(host); x != nil {
		vars = maps.Clone(vars)
		maps.Copy(vars, x)
	}
	v, err := e.cfg.Render.Template(t.Name, vars)
	if err != nil {
		return t.Name
	}
	return fmt.Sprint(v)
}

func filter(in []string, keep func(string) bool) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// newID is a report id unique within the run: <run>-<kind><n>.
func (e *Engine) newID(kind string) string {
	return fmt.Sprintf("%s-%s%d", e.cfg.Run, kind, e.ids.Add(1))
}

// reportTask describes task t for the reporter.
func (e *Engine) reportTask(pc *playCtx, t *playbook.Task, host string) report.Task {
	id := ""
	if pc.free {
		// Hosts run the same task at different times: one id for all of
		// them, so the report merges their results.
		pc.mu.Lock()
		key := t.Pos.String() + "|" + t.Name
		if pc.taskIDs == nil {
			pc.taskIDs = map[string]string{}
		}
		if id = pc.taskIDs[key]; id == "" {
			id = e.newID("task")
			pc.taskIDs[key] = id
		}
		pc.mu.Unlock()
	} else {
		id = e.newID("task")
	}
	return report.Task{Name: e.taskName(pc, t, host), Action: cmp.Or(t.Action, t.Module), ID: id, Start: time.Now(), Path: posPath(t.Pos)}
}

// posPath is a position as Ansible's callbacks show it: absolute file:line.
func posPath(p playbook.Pos) string {
	if p.File == "" {
		return ""
	}
	f, err := filepath.Abs(p.File)
	if err != nil {
		f = p.File
	}
	if p.Line == 0 {
		return f
	}
	return fmt.Sprintf("%s:%d", f, p.Line)
}

// runFree is the free strategy: every host of the batch goes through the
// play's tasks on its own, so a slow host does not hold up the others. The
// forks still cap the (task, host) pairs in flight.
func (e *Engine) runFree(ctx context.Context, pc *playCtx, batch []string) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for _, h := range batch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			only := map[string]bool{h: true}
			for _, list := range [][]*playbook.Task{pc.play.PreTasks, pc.play.Tasks, pc.play.PostTasks} {
				err := e.runTasks(ctx, pc, list, only)
				if err == nil && !pc.ended() {
					err = e.flushHandlers(ctx, pc, only)
				}
				if err != nil {
					mu.Lock()
					first = cmp.Or(first, err)
					mu.Unlock()
					return
				}
				if pc.ended() {
					return
				}
			}
		}()
	}
	wg.Wait()
	pc.mu.Lock()
	if len(pc.started) > 0 {
		// Later plays and batches do not look for the task again.
		e.startedAt.Store(true)
	}
	pc.mu.Unlock()
	e.refreshHostvars(pc)
	return first
}
