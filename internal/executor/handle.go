package executor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/module"
)

// delivery is one delivered task message and what each step needs of it.
type delivery struct {
	msg     bus.Delivery
	task    job.Task
	attempt int
	// conn reaches the task's host, resolved once for the delivery.
	conn conn.Conn
	log  zerolog.Logger
}

// outcome is what a job's run came to: what record writes.
type outcome struct {
	// state is the job's final state.
	state job.State
	// result is the status record's result, censored for a no_log task.
	result map[string]any
	// reason explains the state ("" for none; a re-attached job keeps its
	// reason then).
	reason string
	// unreachable: the host could not be reached.
	unreachable bool
	// taskTimeout: the task's timeout keyword passed and the command was
	// killed (state Failed, Ansible's message in result).
	taskTimeout bool
	// handBack: the executor is stopping while the job runs on detached on
	// its host; nothing is recorded and the message goes back so that
	// another executor re-attaches to the job at once.
	handBack bool
	// started is when the job started running.
	started time.Time
	// from is the record the final write starts from: the claim's, or the
	// one that recorded the job's pid.
	from bus.Record
}

// handle runs one delivered task message to its end, in three steps:
//
//   - claim: move the record from queued to running under this
//     executor's name; a delivery that is not this executor's to run (the
//     job is final, held by a live executor, or made final by the claim)
//     or a claim that fails is answered there and ends the handling;
//   - run: run the module on the host and classify how it ended (its
//     result, a cancel request, the task's timeout keyword, an unreachable
//     host, another error, the executor stopping) into an outcome; a
//     detached job left running by a stopping executor is handed back;
//   - record: write the outcome as the final status (a compare-and-set
//     from the claimed record), remove what a detached job left on its
//     host, and ack.
func (e *Executor) handle(ctx context.Context, msg bus.Delivery) {
	d, ok := e.accept(ctx, msg)
	if !ok {
		return
	}
	// The lease is kept from here on: waiting for a host slot counts.
	stopBeat := e.heartbeat(msg)
	defer stopBeat()
	release, err := e.hostSlots(ctx, &d.task)
	if err != nil {
		_ = msg.NakWithDelay(0)
		return
	}
	defer release()
	d.conn = e.cfg.Dialer.Conn(d.task.Host, d.task.Target)
	claimed, ok := e.claim(ctx, d)
	if !ok {
		return
	}
	// Held until the final status is recorded: cancel requests and probes
	// find the job meanwhile.
	jctx, unhold := e.hold(ctx, d.task.JID, claimed.Status)
	defer unhold()
	out := e.run(ctx, jctx, d, claimed)
	if out.handBack {
		d.log.Info().Msg("stopping: handing the running detached job to another executor")
		_ = msg.Nak()
		return
	}
	e.record(ctx, d, out.from, out)
}

// accept decodes and checks a delivered message; one that cannot run is
// rejected (recorded Rejected and terminated) and ok is false.
func (e *Executor) accept(ctx context.Context, msg bus.Delivery) (d *delivery, ok bool) {
	attempt := msg.Deliveries()
	t, err := job.DecodeTask(msg.Data())
	log := e.log.With().Str("job_id", string(t.JID)).Str("host", t.Host).Int("attempt", attempt).Logger()
	if err != nil {
		e.reject(ctx, msg, t, err.Error(), log)
		return nil, false
	}
	info, ok := module.Lookup(t.Module)
	if !ok || info.Kind != module.Host {
		e.reject(ctx, msg, t, fmt.Sprintf("field module: %q is not a module an executor can run", t.Module), log)
		return nil, false
	}
	if err := module.CheckArgs(info.Name, t.Args); err != nil {
		e.reject(ctx, msg, t, fmt.Sprintf("field args: %v", err), log)
		return nil, false
	}
	if attempt > 1 {
		e.metrics.redeliveries.Add(1)
	}
	return &delivery{msg: msg, task: t, attempt: attempt, log: log}, true
}

// claim takes the delivered job for this executor (see claimRecord) and
// returns the record it wrote. ok is false when the delivery is not this
// executor's to run; claim has then answered the message: acked the
// leftover delivery of a final job, left a duplicate to the job's live
// holder, backed off (or given up) after a failed claim, or acked a job
// the claim itself made final.
func (e *Executor) claim(ctx context.Context, d *delivery) (claimed bus.Record, ok bool) {
	claimed, err := e.claimRecord(ctx, &d.task, d.msg, d.conn, d.attempt)
	switch {
	case errors.Is(err, errFinal):
		d.log.Debug().Msg("job already final; acking leftover delivery")
		_ = d.msg.Ack()
		// Its executor may have died between the final write and removing
		// the job's directory on the host: remove it now (idempotent).
		e.forget(ctx, &d.task, d.conn, d.log)
		return claimed, false
	case errors.Is(err, errHeld), errors.Is(err, errHeldElsewhere):
		// The holder keeps the lease and acks when it is done.
		d.log.Debug().Msg("job is running in a live executor; leaving the duplicate delivery to it")
		return claimed, false
	case err != nil:
		e.retryOrGiveUp(ctx, d.msg, &d.task, d.attempt, fmt.Sprintf("claim failed: %v", err), d.log)
		return claimed, false
	}
	if claimed.Status.State != job.Running {
		// The claim turned the job into a final state (a stale running job
		// nobody can re-attach to, or a cancel that came first).
		_ = d.msg.Ack()
		return claimed, false
	}
	return claimed, true
}

// claimRecord moves the job from queued to running under this executor's
// name and returns the record it wrote (or found). When the message says
// at which revision its queued record was created, the claim starts from
// that record and reads only if it has moved on.
func (e *Executor) claimRecord(ctx context.Context, t *job.Task, msg bus.Delivery, c conn.Conn, attempt int) (bus.Record, error) {
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
	from, _ := msg.QueuedRecord(t)
	rec, err := e.cfg.Bus.UpdateFrom(ctx, t.JID, from, move)
	if errors.Is(err, errOwnClaim) {
		return rec, nil
	}
	if errors.Is(err, bus.ErrNotFound) {
		// A producer that published without recording the job first.
		q := job.NewQueued(t, t.Submitted)
		if _, cerr := e.cfg.Bus.Create(ctx, q); cerr != nil && !errors.Is(cerr, bus.ErrExists) {
			return rec, cerr
		}
		rec, err = e.cfg.Bus.UpdateFrom(ctx, t.JID, bus.Record{}, move)
		if errors.Is(err, errOwnClaim) {
			return rec, nil
		}
	}
	return rec, err
}

// hold registers job id as held by this executor, so that cancel requests
// and probes find it, until the returned unhold is called. The returned
// context ends on a cancel request (cause errCancelled), at once when the
// claimed record st already asks for one.
func (e *Executor) hold(ctx context.Context, id job.ID, st job.Status) (jctx context.Context, unhold func()) {
	jctx, cancelJob := context.WithCancelCause(ctx)
	e.running.Store(id, &held{cancel: cancelJob})
	if st.CancelRequestedBy != "" {
		cancelJob(errCancelled{by: st.CancelRequestedBy})
	}
	return jctx, func() {
		e.running.Delete(id)
		cancelJob(nil)
	}
}

// run runs the claimed job's module on its host and classifies how it
// ended. ctx is the executor's job context (it ends when the executor
// stops), jctx the held job's (it also ends on a cancel request); the
// task's timeout keyword ends the run's own context below jctx. claimed is
// the record the claim wrote; an async job's pid is recorded from it once
// its process exists (see pidRecorder).
func (e *Executor) run(ctx, jctx context.Context, d *delivery, claimed bus.Record) outcome {
	t := &d.task
	d.log.Debug().Str("module", t.Module).Msg("job started")
	e.metrics.running.Add(1)
	started := time.Now()
	timeout := t.Timeout
	if t.Async > 0 {
		timeout = 0 // an async job's deadline is Async
	}
	rctx, stop := context.WithCancelCause(jctx)
	defer stop(nil)
	stopTimeout := startTaskTimeout(t.Module, timeout, stop)
	var pids *pidRecorder
	if t.Async > 0 {
		pids = e.recordPID(ctx, d, claimed)
	}
	res, err := e.runModule(rctx, t, d.conn, pids, !reattached(claimed.Status))
	stopTimeout()
	from := claimed
	if pids != nil {
		from = pids.stop()
	}
	e.metrics.running.Add(-1)
	out := e.classify(ctx, d, res, err, context.Cause(rctx))
	out.started, out.from = started, from
	return out
}

// reattached reports whether the claimed record st took over a detached job
// that an earlier executor started (see claimRecord).
func reattached(st job.Status) bool { return strings.HasPrefix(st.Reason, "re-attached") }

// pidWriteTimeout bounds the write of a job's pid.
const pidWriteTimeout = 10 * time.Second

// pidRecorder writes an async job's pid on its running record once the
// connection says the job's process exists (conn.Command.Started): a
// poll: 0 launch answers once it sees it. The write runs off the
// connection's goroutine, which the callback must not block.
type pidRecorder struct {
	pid   chan int // capacity 1
	stopc chan struct{}
	done  chan struct{}
	// rec is the record written (or found) by the pid write, else the
	// claim's; read it after done.
	rec bus.Record
}

// recordPID starts the pid write of the job claimed as claimed.
func (e *Executor) recordPID(ctx context.Context, d *delivery, claimed bus.Record) *pidRecorder {
	r := &pidRecorder{pid: make(chan int, 1), stopc: make(chan struct{}), done: make(chan struct{}), rec: claimed}
	go func() {
		defer close(r.done)
		var pid int
		select {
		case pid = <-r.pid:
		case <-r.stopc:
			return
		}
		d.log.Debug().Int("pid", pid).Msg("job's process started on its host")
		// The job runs on: record its pid even if the executor is stopping.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pidWriteTimeout)
		defer cancel()
		rec, err := e.cfg.Bus.UpdateFrom(wctx, d.task.JID, claimed, func(cur job.Status) (job.Status, error) {
			if cur.State != job.Running || cur.Executor != e.cfg.Name || cur.PID == pid {
				return cur, bus.ErrUnchanged
			}
			cur.PID = pid
			return cur, nil
		})
		switch {
		case err == nil, errors.Is(err, bus.ErrUnchanged) && rec.Revision != 0:
			r.rec = rec
		case !errors.Is(err, bus.ErrUnchanged):
			d.log.Warn().Err(err).Msg("could not record the job's pid")
		}
	}()
	return r
}

// started is the conn.Command.Started callback.
func (r *pidRecorder) started(pid int) {
	select {
	case r.pid <- pid:
	default:
	}
}

// stop ends the recorder once the job's run has returned, waiting for a
// write under way, and returns the record the final write starts from.
func (r *pidRecorder) stop() bus.Record {
	close(r.stopc)
	<-r.done
	return r.rec
}

// classify turns a module run into the job's outcome, by what ended it:
// the cause of the run's context (a cancel request, the task's timeout
// keyword), the executor stopping, an unreachable host, another error, or
// the module's own result.
func (e *Executor) classify(ctx context.Context, d *delivery, res module.Result, err, cause error) outcome {
	t := &d.task
	var out outcome
	var cancelled errCancelled
	var timedOut errTaskTimeout
	switch {
	case errors.As(cause, &cancelled):
		out = outcome{state: job.Cancelled, reason: cancelled.Error(),
			result: e.cancelled(ctx, t, d.conn, res.Values, cancelled, d.log)}
	case errors.As(cause, &timedOut):
		out = outcome{state: job.Failed, result: timeoutResult(timedOut), taskTimeout: true}
	case err != nil && ctx.Err() != nil && e.canReattach(t, d.conn):
		// Stopping: the detached job keeps running on its host.
		return outcome{handBack: true}
	case errors.Is(err, conn.ErrUnreachable):
		out = outcome{state: job.Failed, reason: "unreachable: " + err.Error(), unreachable: true,
			result: map[string]any{"unreachable": true, "changed": false, "msg": err.Error()}}
	case err != nil && ctx.Err() != nil:
		reason := fmt.Sprintf("executor %s stopped before the job finished", e.cfg.Name)
		out = outcome{state: job.Cancelled, reason: reason,
			result: map[string]any{"failed": true, "changed": false, "msg": reason}}
	case err != nil:
		out = outcome{state: job.Failed, reason: err.Error(),
			result: map[string]any{"failed": true, "changed": false, "msg": err.Error()}}
		if t.NoLog {
			// An error may quote the command or its output: no_log
			// keeps it out of the record as it keeps the result out.
			out.reason = "failed: " + job.NoLogMessage
		}
	default:
		out = outcome{state: finalState(res), result: res.Values}
	}
	if t.NoLog {
		out.result = job.Censor(out.result, censorKeep...)
	}
	return out
}

// runModule executes the module on the task's host. pids, when set, gets
// the main command's pid once it runs; fresh says the job was never
// started before (see conn.Command.Fresh).
func (e *Executor) runModule(ctx context.Context, t *job.Task, c conn.Conn, pids *pidRecorder, fresh bool) (module.Result, error) {
	opt := module.Options{
		Async:        time.Duration(t.Async) * time.Second,
		Detach:       t.Async > 0,
		JobID:        string(t.JID),
		Fresh:        fresh,
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
	if pids != nil {
		opt.Started = pids.started
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

// finalState is the state of a job whose module returned res.
func finalState(res module.Result) job.State {
	switch {
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

// record writes the outcome as the job's final status, removes what a
// detached job left on its host and acks the message. A final write that
// fails keeps the message, so that a later delivery records the job (as
// lost: its command is not run again).
func (e *Executor) record(ctx context.Context, d *delivery, claimed bus.Record, out outcome) {
	t := &d.task
	// The outcome is known: keep trying to record it (through a failover:
	// the heartbeat keeps the lease meanwhile) rather than give the job up.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalWriteTimeout)
	defer cancel()
	// From the claimed record: unless something changed it meanwhile (a
	// cancel request), the write needs no read.
	_, err := e.cfg.Bus.UpdateFrom(wctx, t.JID, claimed, func(cur job.Status) (job.Status, error) {
		if cur.State.Final() {
			return cur, bus.ErrUnchanged
		}
		next, err := cur.Move(out.state, time.Now())
		if err != nil {
			return cur, err
		}
		next.Result = out.result
		if out.reason != "" || !strings.HasPrefix(next.Reason, "re-attached") {
			next.Reason = out.reason // a re-attached job keeps saying so
		}
		next.Unreachable = out.unreachable
		next.TaskTimeout = out.taskTimeout
		return next, nil
	})
	if err != nil && !errors.Is(err, bus.ErrUnchanged) {
		e.retryOrGiveUp(ctx, d.msg, t, d.attempt, fmt.Sprintf("final status write failed: %v", err), d.log)
		return
	}
	e.metrics.finish(out.state, time.Since(out.started))
	// Remove the job's directory before the ack: if this executor dies in
	// between, the redelivery finds the job final and removes it again.
	e.forget(wctx, t, d.conn, d.log)
	if err := ack(wctx, d.msg); err != nil {
		d.log.Warn().Err(err).Msg("ack failed; a redelivery will find the job final")
	}
	d.log.Debug().Str("state", string(out.state)).Msg("job finished")
}

// finalWriteTimeout bounds the retries of a final status write.
const finalWriteTimeout = 2 * time.Minute

// ack double-acks msg, retrying an answer lost in a failover a few times.
func ack(ctx context.Context, msg bus.Delivery) error {
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
func (e *Executor) retryOrGiveUp(ctx context.Context, msg bus.Delivery, t *job.Task, attempt int, reason string, log zerolog.Logger) {
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
func (e *Executor) reject(ctx context.Context, msg bus.Delivery, t job.Task, reason string, log zerolog.Logger) {
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
func (e *Executor) heartbeat(msg bus.Delivery) (stop func()) {
	ls := e.leases.add(msg)
	return func() { e.leases.remove(ls) }
}

func backoff(attempt int) time.Duration {
	d := time.Duration(attempt) * time.Second
	return min(d, 30*time.Second)
}
