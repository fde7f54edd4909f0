package play

import (
	"github.com/jetplay/jetplay/internal/playbook"
)

// checkAsyncMsg is Ansible's refusal of a task with async in check mode.
const checkAsyncMsg = "check mode and async cannot be used on same task."

// checkMode reports whether t runs in check mode on a host: its check_mode
// (a block's is inherited), else the play's, else --check.
func (e *Engine) checkMode(pc *playCtx, t *playbook.Task, vars map[string]any) bool {
	return e.taskMode(t.CheckMode, pc.play.CheckMode, e.cfg.Check, vars)
}

// diffMode reports whether t's module returns and shows its diff: its
// diff keyword, else the play's, else --diff.
func (e *Engine) diffMode(pc *playCtx, t *playbook.Task, vars map[string]any) bool {
	return e.taskMode(t.Diff, pc.play.Diff, e.cfg.Diff, vars)
}

func (e *Engine) taskMode(task, play any, global bool, vars map[string]any) bool {
	for _, v := range []any{task, play} {
		if v != nil {
			b, err := e.boolish(v, vars)
			if err == nil {
				return b
			}
		}
	}
	return global
}
