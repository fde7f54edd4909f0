package play

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/job"
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
