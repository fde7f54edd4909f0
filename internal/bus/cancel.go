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

// Subscription is a subscription an On method started.
type Subscription struct{ sub *nats.Subscription }

// Stop ends the subscription. A second Stop does nothing.
func (s *Subscription) Stop() { _ = s.sub.Unsubscribe() }

// OnCancel answers the cancel requests Cancel sends, for every job: cancel
// is called with the job and who asked ("unknown" when the request names
// nobody) and reports whether this executor holds the job (and stopped it).
// Only a holder answers, with a CancelReply naming executor; every executor
// hears every request, so the requester gets the holder's answer or none
// (ErrNoHolder). cancel runs on the connection's delivery goroutine: it
// must not block.
func (b *Bus) OnCancel(executor string, cancel func(id job.ID, by string) (held bool)) (*Subscription, error) {
	reply, err := json.Marshal(CancelReply{Executor: executor, Held: true})
	if err != nil {
		return nil, err
	}
	sub, err := b.js.Conn().Subscribe(job.CancelSubjects(), func(m *nats.Msg) {
		id, ok := job.SubjectJob(job.CancelSubjectPrefix, m.Subject)
		if !ok {
			return
		}
		var req CancelRequest
		_ = json.Unmarshal(m.Data, &req)
		if req.By == "" {
			req.By = "unknown"
		}
		if cancel(id, req.By) {
			_ = m.Respond(reply)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("subscribe %s: %w", job.CancelSubjects(), err)
	}
	return &Subscription{sub}, nil
}

// OnProbe answers HolderAlive, for every job that holds reports as held,
// with executor's name. holds runs on the connection's delivery goroutine:
// it must not block.
func (b *Bus) OnProbe(executor string, holds func(id job.ID) bool) (*Subscription, error) {
	sub, err := b.js.Conn().Subscribe(job.ProbeSubjects(), func(m *nats.Msg) {
		if id, ok := job.SubjectJob(job.ProbeSubjectPrefix, m.Subject); ok && holds(id) {
			_ = m.Respond([]byte(executor))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("subscribe %s: %w", job.ProbeSubjects(), err)
	}
	return &Subscription{sub}, nil
}

// HolderAlive asks whether some executor still holds job id (one that
// answers OnProbe for it): up to 3 tries of 1 s each. It is false when no
// executor answers, when nobody listens on probes at all, and when ctx ends.
func (b *Bus) HolderAlive(ctx context.Context, id job.ID) bool {
	nc := b.js.Conn()
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
