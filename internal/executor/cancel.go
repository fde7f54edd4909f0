package executor

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

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
func (e *Executor) listenCancels() (*nats.Subscription, error) {
	nc := e.cfg.Bus.JetStream().Conn()
	return nc.Subscribe(job.CancelSubjectPrefix+".>", func(m *nats.Msg) {
		id := job.ID(strings.TrimPrefix(m.Subject, job.CancelSubjectPrefix+"."))
		v, ok := e.running.Load(id)
		if !ok {
			return
		}
		var req bus.CancelRequest
		_ = json.Unmarshal(m.Data, &req)
		if req.By == "" {
			req.By = "unknown"
		}
		h := v.(*held)
		h.cancel(errCancelled{by: req.By})
		e.log.Info().Str("job_id", string(id)).Str("by", req.By).Msg("cancel requested")
		data, _ := json.Marshal(bus.CancelReply{Executor: e.cfg.Name, Held: true})
		_ = m.Respond(data)
	})
}

// listenProbes answers "still mine" for the jobs this executor holds, so
// that an executor receiving a redelivery of a running job (a failover can
// redeliver a message whose lease was being kept) leaves it alone instead of
// declaring it lost.
func (e *Executor) listenProbes() (*nats.Subscription, error) {
	nc := e.cfg.Bus.JetStream().Conn()
	return nc.Subscribe(job.ProbeSubjectPrefix+".>", func(m *nats.Msg) {
		id := job.ID(strings.TrimPrefix(m.Subject, job.ProbeSubjectPrefix+"."))
		if _, ok := e.running.Load(id); ok {
			_ = m.Respond([]byte(e.cfg.Name))
		}
	})
}

// holderAlive asks whether some executor still holds job id.
func (e *Executor) holderAlive(ctx context.Context, id job.ID) bool {
	nc := e.cfg.Bus.JetStream().Conn()
	for range 3 {
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := nc.RequestWithContext(rctx, job.ProbeSubject(id), nil)
		cancel()
		if err == nil {
			return true
		}
		if errors.Is(err, nats.ErrNoResponders) || ctx.Err() != nil {
			return false
		}
	}
	return false
}
