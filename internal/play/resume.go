package play

import (
	"fmt"

	"github.com/jetplay/jetplay/internal/playbook"
)

// idempotencyKey names one job of the run: the task (by position), the host,
// the execution path (loop item, until attempt, job of the action: hostRun's
// exec) and how many times that combination ran before. Replaying the same
// playbook for the same run yields the same keys.
func (e *Engine) idempotencyKey(t *playbook.Task, host, exec string) string {
	pos := t.Pos.String()
	if pos == "" {
		pos = "name:" + t.Name
	}
	if exec == "" {
		// The path of a task without loop or until, as keys of runs
		// started before it was typed spell it.
		exec = "<nil>"
	}
	stem := fmt.Sprintf("%s|%s|%s|%s", e.cfg.Run, pos, host, exec)
	e.occMu.Lock()
	e.occurrences[stem]++
	n := e.occurrences[stem]
	e.occMu.Unlock()
	return fmt.Sprintf("play|%s|%d", stem, n)
}
