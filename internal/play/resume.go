package play

import (
	"fmt"

	"github.com/jetplay/jetplay/internal/playbook"
)

// execKey is the vars key under which the engine notes which execution of a
// task is under way (loop item, until attempt), for idempotency keys.
const execKey = "_jetplay_exec"

// idempotencyKey names one job of the run: the task (by position), the host,
// the loop item and attempt, and how many times that combination ran before.
// Replaying the same playbook for the same run yields the same keys.
func (e *Engine) idempotencyKey(t *playbook.Task, host string, vars map[string]any) string {
	pos := t.Pos.String()
	if pos == "" {
		pos = "name:" + t.Name
	}
	stem := fmt.Sprintf("%s|%s|%s|%v", e.cfg.Run, pos, host, vars[execKey])
	e.occMu.Lock()
	e.occurrences[stem]++
	n := e.occurrences[stem]
	e.occMu.Unlock()
	return fmt.Sprintf("play|%s|%d", stem, n)
}

// withExec returns vars noting one more level of execution (item, attempt).
func withExec(vars map[string]any, part string) map[string]any {
	prev, _ := vars[execKey].(string)
	vars[execKey] = prev + "/" + part
	return vars
}
