package play

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/job"
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

// lastSeq is the highest job number a run has used, deleted jobs included,
// so a resumed run never reuses a jid.
func lastSeq(ctx context.Context, b *bus.Bus, run job.RunID) (int, error) {
	w, err := b.KV().Watch(ctx, job.RunPattern(run), jetstream.IncludeHistory(), jetstream.MetaOnly())
	if err != nil {
		return 0, fmt.Errorf("resume %s: %w", run, err)
	}
	defer func() { _ = w.Stop() }()
	last := 0
	for e := range w.Updates() {
		if e == nil {
			break
		}
		last = max(last, job.ID(e.Key()).Seq())
	}
	return last, nil
}
