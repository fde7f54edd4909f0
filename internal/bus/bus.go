package bus

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/job"
)

// Config says how the stream, consumer and bucket are made.
type Config struct {
	// Replicas is the replica count of the stream, the consumers and the
	// bucket: 1 on a single server, 3 in a 3-node cluster. Default 1.
	Replicas int
	// StatusTTL is how long a status record lives after its last write.
	// Default 7 days.
	StatusTTL time.Duration
	// History is how many revisions of a status record are kept (max 64).
	// Default 8.
	History int
	// AckWait is how long an executor may hold a task without a heartbeat
	// before it is redelivered. Default 30s.
	AckWait time.Duration
	// MaxDeliver is how many times a task is delivered before it is given up.
	// Default 5.
	MaxDeliver int
	// MaxAckPending caps the tasks held by all executors of a pool at once.
	// Default 10000.
	MaxAckPending int
	// MaxMsgs caps the tasks waiting in the stream; past it publishing fails.
	// Default 1,000,000.
	MaxMsgs int64
	// MaxAge drops a task nobody consumed after this long. Default 7 days.
	MaxAge time.Duration
	// Duplicates is the window in which a resent jid is stored once. Default 2m.
	Duplicates time.Duration
	// Logger receives warnings the bus recovers from (zero value: discarded).
	Logger zerolog.Logger
}

func (c Config) withDefaults() Config {
	c.Replicas = cmp.Or(c.Replicas, 1)
	c.StatusTTL = cmp.Or(c.StatusTTL, 7*24*time.Hour)
	c.History = cmp.Or(c.History, 8)
	c.AckWait = cmp.Or(c.AckWait, 30*time.Second)
	c.MaxDeliver = cmp.Or(c.MaxDeliver, 5)
	c.MaxAckPending = cmp.Or(c.MaxAckPending, 10000)
	c.MaxMsgs = cmp.Or(c.MaxMsgs, 1_000_000)
	c.MaxAge = cmp.Or(c.MaxAge, 7*24*time.Hour)
	c.Duplicates = cmp.Or(c.Duplicates, 2*time.Minute)
	return c
}

// Bus is an open connection to jetplay's stream and bucket.
type Bus struct {
	js     jetstream.JetStream
	kv     jetstream.KeyValue
	idem   jetstream.KeyValue
	stream jetstream.Stream
	cfg    Config
	log    zerolog.Logger
	// onRewatch, when set (by tests), is called each time a status watch
	// has been re-opened after a reconnect.
	onRewatch func()
}

// Open returns a Bus on jetplay's stream and buckets, creating those that do
// not exist yet. Existing ones are used as they are (only Setup changes
// them), so roles without the right to create or update streams (executors,
// watchers: docs/security.md) can open the bus.
func Open(ctx context.Context, js jetstream.JetStream, cfg Config) (*Bus, error) {
	return open(ctx, js, cfg, false)
}

// Setup is Open that also updates existing streams and buckets to cfg (an
// administrator's step, e.g. after changing replicas or TTLs).
func Setup(ctx context.Context, js jetstream.JetStream, cfg Config) (*Bus, error) {
	return open(ctx, js, cfg, true)
}

// OpenConn is Open on a NATS connection.
func OpenConn(ctx context.Context, nc *nats.Conn, cfg Config) (*Bus, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	return open(ctx, js, cfg, false)
}

// SetupConn is Setup on a NATS connection.
func SetupConn(ctx context.Context, nc *nats.Conn, cfg Config) (*Bus, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	return open(ctx, js, cfg, true)
}

// ClientOptions are the nats.go options of a jetplay connection named name:
// it reconnects without limit, every 250 ms, since the bus's retries and
// watches count on a connection that comes back after a node dies.
func ClientOptions(name string) []nats.Option {
	return []nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
	}
}

func open(ctx context.Context, js jetstream.JetStream, cfg Config, update bool) (*Bus, error) {
	cfg = cfg.withDefaults()
	sc := jetstream.StreamConfig{
		Name:        job.StreamName,
		Description: "jetplay task messages, one per (task, host)",
		Subjects:    job.StreamSubjects(),
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Replicas:    cfg.Replicas,
		MaxMsgs:     cfg.MaxMsgs,
		MaxAge:      cfg.MaxAge,
		MaxMsgSize:  job.MaxTaskBytes,
		Discard:     jetstream.DiscardNew,
		Duplicates:  cfg.Duplicates,
	}
	var st jetstream.Stream
	err := retry(ctx, js.Conn(), func(octx context.Context) error {
		var err error
		st, err = js.Stream(octx, job.StreamName)
		switch {
		case errors.Is(err, jetstream.ErrStreamNotFound):
			st, err = js.CreateStream(octx, sc)
			if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
				st, err = js.Stream(octx, job.StreamName) // created meanwhile
			}
		case err == nil && update:
			st, err = js.UpdateStream(octx, sc)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open stream %s: %w", job.StreamName, err)
	}
	if err := openOutputStream(ctx, js, cfg, update); err != nil {
		return nil, err
	}
	if info, err := st.Info(ctx); err == nil {
		// Use the settings in force, whoever created the stream.
		cfg.Duplicates = info.Config.Duplicates
	}
	kv, err := openKV(ctx, js, update, jetstream.KeyValueConfig{
		Bucket:      job.BucketName,
		Description: "jetplay job status records, keyed by jid",
		History:     uint8(cfg.History),
		TTL:         cfg.StatusTTL,
		Storage:     jetstream.FileStorage,
		Replicas:    cfg.Replicas,
	})
	if err != nil {
		return nil, err
	}
	idem, err := openKV(ctx, js, update, jetstream.KeyValueConfig{
		Bucket:      job.IdempotencyBucket,
		Description: "jetplay idempotency keys → jid",
		History:     1,
		TTL:         cfg.StatusTTL,
		Storage:     jetstream.FileStorage,
		Replicas:    cfg.Replicas,
	})
	if err != nil {
		return nil, err
	}
	log := cfg.Logger.With().Str("component", "bus").Logger()
	return &Bus{js: js, kv: kv, idem: idem, stream: st, cfg: cfg, log: log}, nil
}

func openKV(ctx context.Context, js jetstream.JetStream, update bool, c jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	var kv jetstream.KeyValue
	err := retry(ctx, js.Conn(), func(octx context.Context) error {
		var err error
		kv, err = js.KeyValue(octx, c.Bucket)
		switch {
		case errors.Is(err, jetstream.ErrBucketNotFound):
			kv, err = js.CreateKeyValue(octx, c)
			if errors.Is(err, jetstream.ErrBucketExists) {
				kv, err = js.KeyValue(octx, c.Bucket)
			}
		case err == nil && update:
			kv, err = js.UpdateKeyValue(octx, c)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open bucket %s: %w", c.Bucket, err)
	}
	return kv, nil
}

// Config returns the settings in force (defaults filled in).
func (b *Bus) Config() Config { return b.cfg }

// KV is the status bucket, for tests and tools: jetplay's own packages use
// the Bus's methods.
func (b *Bus) KV() jetstream.KeyValue { return b.kv }

// JetStream is the JetStream context the bus was opened with, for tests and
// tools: jetplay's own packages use the Bus's methods.
func (b *Bus) JetStream() jetstream.JetStream { return b.js }

// Submit records the job as queued and publishes its task with Nats-Msg-Id
// set to the jid, so a resend is stored once, and with the queued record's
// revision (job.QueuedRevisionHeader), so the claim needs no read. If the publish fails the job
// is recorded as lost, so it never stays queued forever. A jid that already
// has a record fails with ErrExists.
func (b *Bus) Submit(ctx context.Context, t *job.Task) error {
	if t.V == 0 {
		t.V = job.Version
	}
	if t.Submitted.IsZero() {
		t.Submitted = time.Now().UTC()
	}
	data, err := t.Encode()
	if err != nil {
		return err
	}
	st := job.NewQueued(t, t.Submitted)
	rev, err := b.create(ctx, st)
	if err != nil {
		return fmt.Errorf("record job %s: %w", t.JID, err)
	}
	msg := nats.NewMsg(job.TaskSubject(t.Pool))
	msg.Data = data
	msg.Header.Set(job.QueuedRevisionHeader, strconv.FormatUint(rev, 10))
	err = retry(ctx, b.js.Conn(), func(octx context.Context) error {
		_, err := b.js.PublishMsg(octx, msg, jetstream.WithMsgID(string(t.JID)))
		return err
	})
	if err != nil {
		reason := fmt.Sprintf("publish failed: %v", err)
		_, _ = b.Update(context.WithoutCancel(ctx), t.JID, func(s job.Status) (job.Status, error) {
			s.Reason = reason
			return s.Move(job.Lost, time.Now())
		})
		return fmt.Errorf("publish job %s: %w", t.JID, err)
	}
	return nil
}

// create writes a job's first record. A write whose answer was lost (a node
// died) is retried; finding the record then means the first try landed.
func (b *Bus) create(ctx context.Context, st job.Status) (uint64, error) {
	data, err := st.Encode()
	if err != nil {
		return 0, err
	}
	var rev uint64
	tries := 0
	err = retry(ctx, b.js.Conn(), func(octx context.Context) error {
		tries++
		var err error
		rev, err = b.kv.Create(octx, job.StatusKey(st.JID), data)
		if errors.Is(err, jetstream.ErrKeyExists) && tries > 1 {
			if e, gerr := b.kv.Get(octx, job.StatusKey(st.JID)); gerr == nil && bytes.Equal(e.Value(), data) {
				rev, err = e.Revision(), nil
			}
		}
		return err
	})
	if errors.Is(err, jetstream.ErrKeyExists) {
		return 0, fmt.Errorf("%w: %w", ErrExists, err)
	}
	return rev, err
}

// QueuedRecord is the record Submit created for t, as told by the task
// message's job.QueuedRevisionHeader; ok is false when the header is absent
// or malformed. It is a starting point for UpdateFrom, which checks it with
// the compare-and-set and reads the stored record if it has moved on.
func QueuedRecord(t *job.Task, h nats.Header) (rec Record, ok bool) {
	rev, err := strconv.ParseUint(h.Get(job.QueuedRevisionHeader), 10, 64)
	if err != nil || rev == 0 {
		return Record{}, false
	}
	return Record{Status: job.NewQueued(t, t.Submitted), Revision: rev}, true
}

// Create writes the first record of a job; it fails with ErrExists if the
// job has one.
func (b *Bus) Create(ctx context.Context, st job.Status) (uint64, error) { return b.create(ctx, st) }

// Status reads a job's current record and its revision.
func (b *Bus) Status(ctx context.Context, id job.ID) (job.Status, uint64, error) {
	var e jetstream.KeyValueEntry
	err := retry(ctx, b.js.Conn(), func(octx context.Context) error {
		var err error
		e, err = b.kv.Get(octx, job.StatusKey(id))
		return err
	})
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return job.Status{}, 0, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return job.Status{}, 0, fmt.Errorf("read status %s: %w", id, err)
	}
	st, err := job.DecodeStatus(e.Value())
	return st, e.Revision(), err
}

// DeleteStatus deletes job id's status record (async_status mode=cleanup):
// watches see the deletion (a job.StatusEntry without a Value) and Status
// then fails with ErrNotFound. Deleting a record that does not exist is no
// error.
func (b *Bus) DeleteStatus(ctx context.Context, id job.ID) error {
	err := retry(ctx, b.js.Conn(), func(octx context.Context) error {
		return b.kv.Delete(octx, job.StatusKey(id))
	})
	if err != nil {
		return fmt.Errorf("delete status %s: %w", id, err)
	}
	return nil
}

// Record is a job's status record with the KV revision it was read or
// written at.
type Record struct {
	Status   job.Status
	Revision uint64
}

// Update applies fn to the job's current record and writes the result with
// compare-and-set, re-reading and re-applying on a lost race. fn may return
// ErrUnchanged to write nothing (Update then returns the current record and
// ErrUnchanged) or any other error to abort.
//
// A write whose answer is lost (the node holding the request died) is
// retried from a fresh read until ctx ends: the read shows whether the
// write landed, so fn must recognise a record it already wrote (the status
// CAS makes that safe). A record not found right after it was created (a
// replica a moment behind) is read again a few times.
func (b *Bus) Update(ctx context.Context, id job.ID, fn func(job.Status) (job.Status, error)) (job.Status, error) {
	rec, err := b.update(ctx, id, Record{}, fn)
	return rec.Status, err
}

// UpdateFrom is Update starting from a record the caller holds (what its
// last UpdateFrom returned): fn sees it and the first compare-and-set uses
// its revision, so a record nobody changed since is written without a read.
// If the record moved on meanwhile, or fn returns an error for the caller's
// copy, it reads the stored record and applies fn to that, as Update. A zero
// from reads first. It returns the record as written (or as stored, with
// fn's error).
func (b *Bus) UpdateFrom(ctx context.Context, id job.ID, from Record, fn func(job.Status) (job.Status, error)) (Record, error) {
	return b.update(ctx, id, from, fn)
}

func (b *Bus) update(ctx context.Context, id job.ID, have Record, fn func(job.Status) (job.Status, error)) (Record, error) {
	notFound := 0
	for conflicts := 0; conflicts < 50; {
		cur, rev := have.Status, have.Revision
		known := rev != 0
		have = Record{} // the caller's copy serves the first try only
		if !known {
			var err error
			cur, rev, err = b.Status(ctx, id)
			if errors.Is(err, ErrNotFound) && notFound < 3 && ctx.Err() == nil {
				notFound++
				sleep(ctx, time.Duration(notFound)*100*time.Millisecond)
				continue
			}
			if err != nil {
				return Record{Status: cur, Revision: rev}, err
			}
		}
		next, err := fn(cur)
		if err != nil && known {
			continue // decided on the caller's copy: decide on the stored one
		}
		if err != nil {
			return Record{Status: cur, Revision: rev}, err
		}
		data, err := next.Encode()
		if err != nil {
			return Record{Status: cur, Revision: rev}, err
		}
		before := lastError(b.js.Conn())
		octx, cancel := context.WithTimeout(ctx, opTimeout)
		nrev, err := b.kv.Update(octx, job.StatusKey(id), data, rev)
		cancel()
		switch {
		case err == nil:
			return Record{Status: next, Revision: nrev}, nil
		case errors.Is(err, jetstream.ErrKeyRevisionMismatch):
			conflicts++
		case transient(ctx, err):
			if denied := permissionDenied(b.js.Conn(), before); denied != nil {
				return Record{Status: cur, Revision: rev}, fmt.Errorf("write status %s: %w: %w", id, denied, err)
			}
			sleep(ctx, 100*time.Millisecond)
		default:
			return Record{Status: cur, Revision: rev}, fmt.Errorf("write status %s: %w", id, err)
		}
	}
	return Record{}, fmt.Errorf("%w: %s", ErrConflict, id)
}
