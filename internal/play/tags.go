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

// selected reports whether t runs under the run's tag selection and
// --start-at-task.
func (e *Engine) selected(pc *playCtx, t *playbook.Task) bool {
	if e.cfg.StartAt != "" && !e.startedAt {
		if t.Module == "" || t.Name != e.cfg.StartAt {
			return false
		}
		e.startedAt = true
	}
	if len(e.cfg.Tags) == 0 && len(e.cfg.SkipTags) == 0 {
		return true
	}
	tags := append(slices.Clone(pc.play.Tags), t.Tags...)
	return tagSelected(tags, e.cfg.Tags, e.cfg.SkipTags)
}
