package executor

import (
	"context"
	"encoding/json"
	"strings"

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
