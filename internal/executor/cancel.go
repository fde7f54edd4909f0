package executor

import (
	"context"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/job"
)

// held is a job this executor is running: its cancel function takes who
// asked.
type held struct {
	cancel context.CancelCauseFunc
}

// errCancelled is the cause of a job context cancelled on request.
type errCancelled struct{ by string }

func (e errCancelled) Error() string { return "cancelled by " + e.by }

// listenCancels answers cancel requests for the jobs this executor holds.
// Every executor receives every request; only the holder answers.
func (e *Executor) listenCancels() (*bus.Subscription, error) {
	return e.cfg.Bus.OnCancel(e.cfg.Name, func(id job.ID, by string) bool {
		v, ok := e.running.Load(id)
		if !ok {
			return false
		}
		v.(*held).cancel(errCancelled{by: by})
		e.log.Info().Str("job_id", string(id)).Str("by", by).Msg("cancel requested")
		return true
	})
}

// listenProbes answers "still mine" for the jobs this executor holds, so
// that an executor receiving a redelivery of a running job (a failover can
// redeliver a message whose lease was being kept) leaves it alone instead of
// declaring it lost.
func (e *Executor) listenProbes() (*bus.Subscription, error) {
	return e.cfg.Bus.OnProbe(e.cfg.Name, func(id job.ID) bool {
		_, ok := e.running.Load(id)
		return ok
	})
}

// holderAlive asks whether some executor still holds job id.
func (e *Executor) holderAlive(ctx context.Context, id job.ID) bool {
	return e.cfg.Bus.HolderAlive(ctx, id)
}
