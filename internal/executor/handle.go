package executor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/module"
)

// handle runs one delivered task message to its end.
func (e *Executor) handle(ctx context.Context, msg jetstream.Msg) {
	attempt := 1
	if md, err := msg.Metadata(); err == nil {
		attempt = int(md.NumDelivered)
	}
	t, err := job.DecodeTask(msg.Data())
	log := e.log.With().Str("job_id", string(t.JID)).Str("host", t.Host).Int("attempt", attempt).Logger()
	if err != nil {
		e.reject(ctx, msg, t, err.Error(), log)
		return
	}
	info, ok := module.Lookup(t.Module)
	if !ok || info.Kind != module.Host {
		e.reject(ctx, msg, t, fmt.Sprintf("field module: %q is not a module an executor can run", t.Module), log)
		return
	}
	if err := module.CheckArgs(info.Name, t.Args); err != nil {
		e.reject(ctx, msg, t, fmt.Sprintf("field args: %v", err), log)
		return
	}
	if attempt > 1 {
		e.metrics.redeliveries.Add(1)
	}

	// The lease is kept from here on: waiting for a host slot counts.
	stopBeat := e.heartbeat(msg)
	defer stopBeat()
	release, err := e.hostSlots(ctx, &t)
	if err != nil {
		_ = msg.NakWithDelay(0)
		return
	}
	defer release()

	// The job's connection, resolved once for this delivery.
	c := e.cfg.Dialer.Conn(t.Host, t.Target)
	claimed, err := e.claim(ctx, &t, msg.Headers(), c, attempt)
	st := claimed.Status
	switch {
	case errors.Is(err, errFinal):
		log.Debug().Msg("job already final; acking leftover delivery")
		_ = msg.Ack()
		// Its executor may have died between the final write and removing
		// the job's directory on the host: remove it now (idempotent).
		e.forget(ctx, &t, c, log)
		return
	case errors.Is(err, errHeld), errors.Is(err, errHeldElsewhere):
		// The holder keeps the lease and acks when it is done.
		log.Debug().Msg("job is running in a live executor; leaving the duplicate delivery to it")
		return
	case err != nil:
		e.retryOrGiveUp(ctx, msg, &t, attempt, fmt.Sprintf("claim failed: %v", err), log)
		return
	}
	if st.State != job.Running {
		// The claim turned the job into a final state (a stale running job
		// nobody can re-attach to, or a cancel that came first).
		_ = msg.Ack()
		return
	}
	jctx, cancelJob := context.WithCancelCause(ctx)
	defer cancelJob(nil)
	e.running.Store(t.JID, &held{cancel: cancelJob})
	defer e.running.Delete(t.JID)
	if st.CancelRequestedBy != "" {
		cancelJob(errCancelled{by: st.CancelRequestedBy})
	}
	log.Debug().Str("module", t.Module).Msg("job started")

	e.metrics.running.Add(1)
	started := time.Now()
	timeout := t.Timeout
	if t.Async > 0 {
		timeout = 0 // an async job's deadline is Async
	}
	stopTimeout := startTaskTimeout(t.Module, timeout, cancelJob)
	res, runErr := e.run(jctx, &t, c)
	stopTimeout()
	e.metrics.running.Add(-1)
	var cancelled errCancelled
	var timedOut errTaskTimeout
	switch {
	case errors.As(context.Cause(jctx), &cancelled):
		res, runErr = module.Result{Values: e.cancelled(ctx, &t, c, res.Values, cancelled, log)}, nil
	case errors.As(context.Cause(jctx), &timedOut):
		res, runErr = module.Result{Values: timeoutResult(timedOut)}, nil
	}
	result := res.Values

	if runErr != nil && ctx.Err() != nil && e.canReattach(&t, c) {
		// Stopping: the detached job keeps running on its host. Hand the
		// message back so another executor re-attaches to it at once.
		log.Info().Msg("stopping: handing the running detached job to another executor")
		_ = msg.Nak()
		return
	}
	final := finalState(res, runErr)
	if cancelled.by != "" {
		final = job.Cancelled
	}
	reason := ""
	switch {
	case cancelled.by != "":
		reason = cancelled.Error()
	case runErr != nil && errors.Is(runErr, conn.ErrUnreachable):
		reason = "unreachable: " + runErr.Error()
		result = map[string]any{"unreachable": true, "changed": false, "msg": runErr.Error()}
	case runErr != nil && ctx.Err() != nil:
		final = job.Cancelled
		reason = fmt.Sprintf("executor %s stopped before the job finished", e.cfg.Name)
		if result == nil {
			result = map[string]any{"failed": true, "changed": false, "msg": reason}
		}
	case runErr != nil:
		reason = runErr.Error()
		result = map[string]any{"failed": true, "changed": false, "msg": runErr.Error()}
	}
	if t.NoLog {
		result = job.Censor(result, censorKeep...)
		if runErr != nil && reason == runErr.Error() {
			// An error may quote the command or its output: no_log
			// keeps it out of the record as it keeps the result out.
			reason = "failed: " + job.NoLogMessage
		}
	}
	// The outcome is known: keep trying to record it (through a failover:
	// the heartbeat keeps the lease meanwhile) rather than give the job up.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalWriteTimeout)
	defer cancel()
	// From the claimed record: unless something changed it meanwhile (a
	// cancel request), the write needs no read.
	_, err = e.cfg.Bus.UpdateFrom(wctx, t.JID, claimed, func(cur job.Status) (job.Status, error) {
		if cur.State.Final() {
			return cur, bus.ErrUnchanged
		}
		next, err := cur.Move(final, time.Now())
		if err != nil {
			return cur, err
		}
		next.Result = result
		if reason != "" || !strings.HasPrefix(next.Reason, "re-attached") {
			next.Reason = reason // a re-attached job keeps saying so
		}
		next.Unreachable = runErr != nil && errors.Is(runErr, conn.ErrUnreachable)
		return next, nil
	})
	if err != nil && !errors.Is(err, bus.ErrUnchanged) {
		// The outcome is known but not recorded: keep the message so that a
		// later delivery records the job (as lost: its command is not re-run).
		e.retryOrGiveUp(ctx, msg, &t, attempt, fmt.Sprintf("final status write failed: %v", err), log)
		return
	}
	e.metrics.finish(final, time.Since(started))
	// Remove the job's directory before the ack: if this executor dies in
	// between, the redelivery finds the job final and removes it again.
	e.forget(wctx, &t, c, log)
	if err := ack(wctx, msg); err != nil {
		log.Warn().Err(err).Msg("ack failed; a redelivery will find the job final")
	}
	log.Debug().Str("state", string(final)).Msg("job finished")
}

// claim moves the job from queued to running under this executor's name and
// returns the record it wrote (or found). When the message says at which
// revision its queued record was created, the claim starts from that record
// and reads only if it has moved on.
func (e *Executor) claim(ctx context.Context, t *job.Task, h nats.Header, c conn.Conn, attempt int) (bus.Record, error) {
	now := time.Now()
	probed := false
	move := func(cur job.Status) (job.Status, error) {
		switch {
		case cur.State.Final():
			return cur, errFinal
		case cur.State == job.Running:
			if _, mine := e.running.Load(t.JID); mine {
				return cur, errHeld
			}
			if cur.Executor == e.cfg.Name && cur.Attempt == attempt {
				// This very claim landed, but its answer was lost (a node
				// died): the record is ours.
				return cur, errOwnClaim
			}
			if !probed {
				probed = true
				if e.holderAlive(ctx, t.JID) {
					return cur, errHeldElsewhere
				}
			}
			if e.canReattach(t, c) {
				// A detached job outlives its executor: take it over; running
				// the module again re-attaches to the job on the host (its job
				// directory is the start-once guard) instead of starting it.
				next, err := cur.Move(job.Running, now)
				next.Reason = fmt.Sprintf("re-attached by %s after %s stopped holding the job", e.cfg.Name, cur.Executor)
				next.Executor, next.Attempt = e.cfg.Name, attempt
				return next, err
			}
			// A previous delivery started the job and its executor is gone (or
			// this one restarted). The command may have run: never start it
			// again.
			next, err := cur.Move(job.Lost, now)
			next.Reason = fmt.Sprintf("executor %s stopped holding the job while it was running; not started again", cur.Executor)
			next.Result = map[string]any{"failed": true, "changed": false, "msg": next.Reason}
			return next, err
		}
		next, err := cur.Move(job.Running, now)
		next.Executor, next.Attempt = e.cfg.Name, attempt
		return next, err
	}
	from, _ := bus.QueuedRecord(t, h)
	rec, err := e.cfg.Bus.UpdateFrom(ctx, t.JID, from, move)
	if errors.Is(err, errOwnClaim) {
		return rec, nil
	}
	if errors.Is(err, bus.ErrNotFound) {
		// A producer that published without recording the job first.
		q := job.NewQueued(t, t.Submitted)
		if _, cerr := e.cfg.Bus.Create(ctx, q); cerr != nil && !errors.Is(cerr, jetstream.ErrKeyExists) {
			return rec, cerr
		}
		rec, err = e.cfg.Bus.UpdateFrom(ctx, t.JID, bus.Record{}, move)
		if errors.Is(err, errOwnClaim) {
			return rec, nil
		}
	}
	return rec, err
}

// run executes the module on the task's host.
func (e *Executor) run(ctx context.Context, t *job.Task, c conn.Conn) (module.Result, error) {
	opt := module.Options{
		Async:        time.Duration(t.Async) * time.Second,
		Detach:       t.Async > 0,
		JobID:        string(t.JID),
		Become:       t.Target.Become,
		BecomeUser:   t.Target.BecomeUser,
		BecomeMethod: t.Target.BecomeMethod,
		Env:          t.Env,
		Check:        t.Check,
		Diff:         t.Diff,
	}
	if t.Target.Become && e.cfg.Secrets != nil {
		opt.BecomePassword = e.cfg.Secrets.BecomePassword(t.Host)
	}
	if !t.NoLog {
		pump := newOutputPump(t.JID, e.cfg.Bus.PublishOutput)
		defer pump.close()
		opt.Output = pump.write
	}
	res, err := module.Run(ctx, c, t.Module, t.Args, opt)
	if res.Values != nil {
		truncateOutput(res.Values)
	}
	return res, err
}

// cancelled kills what is left of a cancelled job on its host (a detached
// job survives its wait being cancelled) and returns its final result.
func (e *Executor) cancelled(ctx context.Context, t *job.Task, c conn.Conn, result map[string]any, why errCancelled, log zerolog.Logger) map[string]any {
	if t.Async > 0 {
		if k, ok := c.(conn.Killer); ok {
			kctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if err := k.Kill(kctx, string(t.JID), conn.DefaultGrace); err != nil {
				log.Warn().Err(err).Msg("could not kill the cancelled job on its host")
			}
		}
	}
	out := map[string]any{"failed": true, "changed": false, "msg": why.Error()}
	for _, k := range []string{"rc", "stdout", "stderr", "cmd", "start", "end", "delta"} {
		if v, ok := result[k]; ok {
			out[k] = v
		}
	}
	return out
}

// hostSlots waits for the task's host to have room: Config.HostLimit jobs
// at once, and Config.PackageLimit for package-manager modules.
func (e *Executor) hostSlots(ctx context.Context, t *job.Task) (func(), error) {
	key := t.Host + "\x00" + t.Target.Address
	all, err := e.limits.acquire(ctx, key+"\x00all", e.cfg.HostLimit)
	if err != nil {
		return nil, err
	}
	if !packageModules[t.Module] {
		return all, nil
	}
	pkg, err := e.limits.acquire(ctx, key+"\x00pkg", e.cfg.PackageLimit)
	if err != nil {
		all()
		return nil, err
	}
	return func() { pkg(); all() }, nil
}

// retryOrGiveUp backs off a delivery that hit a transient fault, or, on the
// last delivery the consumer allows, records the job as lost with the reason
// and terminates the message, so it never stays queued or running forever.
func (e *Executor) retryOrGiveUp(ctx context.Context, msg jetstream.Msg, t *job.Task, attempt int, reason string, log zerolog.Logger) {
	max := e.maxDeliver
	if max <= 0 || attempt < max {
		log.Warn().Str("reason", reason).Msg("will retry")
		_ = msg.NakWithDelay(backoff(attempt))
		return
	}
	why := fmt.Sprintf("gave up after %d deliveries: %s", attempt, reason)
	log.Error().Str("reason", why).Msg("giving up on the job")
	e.giveUp(ctx, t.JID, why)
	_ = msg.TermWithReason(why)
}

// giveUp records a job that will not be delivered again as lost.
func (e *Executor) giveUp(ctx context.Context, id job.ID, why string) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, err := e.cfg.Bus.Update(wctx, id, func(cur job.Status) (job.Status, error) {
		if cur.State.Final() {
			return cur, bus.ErrUnchanged
		}
		next, err := cur.Move(job.Lost, time.Now())
		next.Reason = why
		next.Result = map[string]any{"failed": true, "changed": false, "msg": why}
		return next, err
	})
	if err != nil && !errors.Is(err, bus.ErrUnchanged) {
		e.log.Error().Err(err).Str("job_id", string(id)).Msg("could not record a job given up")
	}
}

// canReattach reports whether t is a detached job whose connection can
// re-attach to it on its host.
func (e *Executor) canReattach(t *job.Task, c conn.Conn) bool {
	if t.Async <= 0 {
		return false
	}
	_, ok := c.(conn.Attacher)
	return ok
}

// forget removes what a detached job left on its host, now that its final
// status is stored.
func (e *Executor) forget(ctx context.Context, t *job.Task, c conn.Conn, log zerolog.Logger) {
	if t.Async <= 0 {
		return
	}
	f, ok := c.(conn.Forgetter)
	if !ok {
		return
	}
	if err := f.Forget(ctx, string(t.JID)); err != nil {
		log.Warn().Err(err).Msg("could not remove the job directory on the host")
	}
}

// reject records a final Rejected state for a message that cannot run and
// terminates it so it is never delivered again.
func (e *Executor) reject(ctx context.Context, msg jetstream.Msg, t job.Task, reason string, log zerolog.Logger) {
	log.Warn().Str("reason", reason).Msg("rejecting task message")
	e.metrics.rejected.Add(1)
	if _, err := job.ParseID(string(t.JID)); err == nil {
		_, err := e.cfg.Bus.Update(ctx, t.JID, func(cur job.Status) (job.Status, error) {
			if cur.State.Final() {
				return cur, bus.ErrUnchanged
			}
			next, err := cur.Move(job.Rejected, time.Now())
			next.Reason = reason
			next.Result = map[string]any{"failed": true, "changed": false, "msg": reason}
			return next, err
		})
		if errors.Is(err, bus.ErrNotFound) {
			st := job.Status{V: job.Version, JID: t.JID, Run: t.JID.Run(), Host: t.Host, State: job.Queued, Queued: time.Now().UTC()}
			st, _ = st.Move(job.Rejected, time.Now())
			st.Reason = reason
			st.Result = map[string]any{"failed": true, "changed": false, "msg": reason}
			_, err = e.cfg.Bus.Create(ctx, st)
		}
		if err != nil && !errors.Is(err, bus.ErrUnchanged) {
			log.Error().Err(err).Msg("could not record the rejection")
		}
	}
	_ = msg.TermWithReason(reason)
}

// heartbeat extends the message's lease until the returned func is called
// (every Config.Heartbeat, with the other jobs' leases: see leases).
func (e *Executor) heartbeat(msg jetstream.Msg) (stop func()) {
	ls := e.leases.add(msg)
	return func() { e.leases.remove(ls) }
}

// finalState is the state of a job whose module run came to res and err.
func finalState(res module.Result, err error) job.State {
	switch {
	case err != nil:
		return job.Failed
	case res.TimedOut:
		// The job outlived its async deadline and was killed.
		return job.TimedOut
	case res.Failed():
		return job.Failed
	}
	return job.Succeeded
}

// censorKeep are the keys of a no_log result the status record keeps: what
// the play engine decides the task's status by.
var censorKeep = []string{"changed", "failed", "rc", "unreachable", "skipped", "finished"}

func backoff(attempt int) time.Duration {
	d := time.Duration(attempt) * time.Second
	return min(d, 30*time.Second)
}

// finalWriteTimeout bounds the retries of a final status write.
const finalWriteTimeout = 2 * time.Minute

// ack double-acks msg, retrying an answer lost in a failover a few times.
func ack(ctx context.Context, msg jetstream.Msg) error {
	var err error
	for range 5 {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err = msg.DoubleAck(actx)
		cancel()
		if err == nil || ctx.Err() != nil {
			return err
		}
	}
	return err
}
