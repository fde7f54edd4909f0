package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/jetplay/jetplay/internal/job"
)

// CancelRequest is the body of a message on job.CancelSubject(jid).
type CancelRequest struct {
	// By names who asked (user@host, a service name).
	By string `json:"by"`
}

// CancelReply is an executor's answer to a CancelRequest.
type CancelReply struct {
	Executor string `json:"executor"`
	Held     bool   `json:"held"`
}

// ErrNoHolder means no executor answered a cancel request for a running job.
var ErrNoHolder = errors.New("no executor acknowledged the cancel")

// Cancel stops a job. A queued job is recorded cancelled at once and never
// starts; a running job is marked (cancel_requested_by) and its executor is
// asked on job.CancelSubject to kill it, which then records cancelled; a
// final job is left as it is. It returns the record as it stands.
func (b *Bus) Cancel(ctx context.Context, id job.ID, by string) (job.Status, error) {
	reason := "cancelled by " + by
	st, err := b.Update(ctx, id, func(cur job.Status) (job.Status, error) {
		switch {
		case cur.State.Final():
			return cur, ErrUnchanged
		case cur.State == job.Queued:
			next, err := cur.Move(job.Cancelled, time.Now())
			next.Reason = reason
			next.Result = map[string]any{"failed": true, "changed": false, "msg": reason}
			return next, err
		}
		next := cur
		next.CancelRequestedBy = by
		return next, nil
	})
	if errors.Is(err, ErrUnchanged) {
		return st, nil
	}
	if err != nil || st.State != job.Running {
		return st, err
	}
	data, _ := json.Marshal(CancelRequest{By: by})
	// The record turns running when the executor's claim is written, a
	// moment before the executor registers the job as held: a request in
	// between goes unanswered. Ask again (5 tries, 1 s each) rather than
	// wait 5 s once.
	var msg *nats.Msg
	for try := range 5 {
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		msg, err = b.js.Conn().RequestWithContext(rctx, job.CancelSubject(id), data)
		cancel()
		if err == nil || ctx.Err() != nil || try == 4 {
			break
		}
	}
	if err != nil {
		return st, fmt.Errorf("%w: %s: %v", ErrNoHolder, id, err)
	}
	var reply CancelReply
	if err := json.Unmarshal(msg.Data, &reply); err != nil || !reply.Held {
		return st, fmt.Errorf("%w: %s", ErrNoHolder, id)
	}
	return st, nil
}
