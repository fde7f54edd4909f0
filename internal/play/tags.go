package play

import (
	"slices"

	"github.com/jetplay/jetplay/internal/playbook"
)

// tagSelected applies --tags and --skip-tags to a task whose own and
// inherited tags are tags, with Ansible's rules (Taggable.evaluate_tags):
// "always" runs unless skipped by name, "never" runs only when asked for by
// name, "all", "tagged" and "untagged" are the special selectors.
func tagSelected(tags, only, skip []string) bool {
	has := map[string]bool{}
	for _, t := range tags {
		has[t] = true
	}
	if len(has) == 0 {
		has["untagged"] = true
	}
	in := func(list []string, t string) bool { return slices.Contains(list, t) }
	disjoint := func(list []string) bool {
		for _, t := range list {
			if has[t] {
				return false
			}
		}
		return true
	}
	tagged := !has["untagged"]
	run := true
	if len(only) > 0 {
		run = false
		switch {
		case has["always"]:
			run = true
		case in(only, "all") && !has["never"]:
			run = true
		case !disjoint(only):
			run = true
		case in(only, "tagged") && tagged && !has["never"]:
			run = true
		}
	}
	if run && len(skip) > 0 {
		switch {
		case in(skip, "all"):
			if !has["always"] || in(skip, "always") {
				run = false
			}
		case !disjoint(skip):
			run = false
		case in(skip, "tagged") && tagged:
			run = false
		}
	}
	return run
}

// selected reports whether t runs on hosts under the run's tag selection
// and --start-at-task.
func (e *Engine) selected(pc *playCtx, t *playbook.Task, hosts []string) bool {
	if e.cfg.StartAt != "" && !e.reachedStart(pc, t, hosts) {
		return false
	}
	if len(e.cfg.Tags) == 0 && len(e.cfg.SkipTags) == 0 {
		return true
	}
	tags := append(slices.Clone(pc.play.Tags), t.Tags...)
	return tagSelected(tags, e.cfg.Tags, e.cfg.SkipTags)
}

// reachedStart reports whether hosts are at or past the --start-at-task
// task when t comes up, and notes it when t is that task. The linear
// strategy looks for it once for all hosts (they meet the same tasks).
// Under strategy free hosts holds the one host of the goroutine that runs
// its tasks, and each host looks for the task on its own, as Ansible's play
// iterator does per host: a host that reached it does not let a slower host
// run the tasks before it. runFree sets startedAt when the batch ends.
func (e *Engine) reachedStart(pc *playCtx, t *playbook.Task, hosts []string) bool {
	if e.startedAt.Load() {
		return true
	}
	found := t.Module != "" && t.Name == e.cfg.StartAt
	if !pc.free {
		if found {
			e.startedAt.Store(true)
		}
		return found
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.started == nil {
		pc.started = map[string]bool{}
	}
	all := true
	for _, h := range hosts {
		if found {
			pc.started[h] = true
		}
		all = all && pc.started[h]
	}
	return all
}
