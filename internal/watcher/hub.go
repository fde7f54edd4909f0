package watcher

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/job"
)

// Update is one status change of a job, with the KV revision it was written at.
type Update struct {
	Status   job.Status
	Revision uint64
	// Seq counts the updates this hub has seen for the job (1 = first).
	Seq int
}

// Hub keeps one KV watch on a set of keys and tells waiters about every
// change. It remembers the latest status of each job it has seen, so a wait
// that starts after the job finished returns at once. It keeps each record
// as the bytes it arrived as and decodes it when a waiter or Latest looks
// at it: a run of 10,000 jobs keeps 10,000 small byte slices rather than
// 10,000 decoded results, and the watch's goroutine decodes nothing.
type Hub struct {
	kv     jetstream.KeyValue
	log    zerolog.Logger
	cancel context.CancelFunc
	done   chan struct{}

	patterns []string
	conn     *nats.Conn
	lastRev  uint64 // owned by loop

	mu      sync.Mutex
	latest  map[job.ID]record
	waiters map[job.ID]map[*waiter]struct{}
	err     error
	ready   chan struct{}
}

type waiter struct{ wake chan struct{} }

// record is the latest entry of a key, undecoded.
type record struct {
	value    []byte // the status record's JSON; nil: deleted or purged
	revision uint64
	seq      int
}

// update decodes r for job id.
func (r record) update(id job.ID) (Update, error) {
	u := Update{Revision: r.revision, Seq: r.seq, Status: job.Status{JID: id}}
	if r.value == nil {
		return u, nil // a deleted or purged record (or one that aged out): the job is gone
	}
	st, err := job.DecodeStatus(r.value)
	if err != nil {
		return u, err
	}
	u.Status = st
	return u, nil
}

// HubConfig configures a Hub.
type HubConfig struct {
	// KV is the status bucket. Required.
	KV jetstream.KeyValue
	// Patterns are the keys to watch (jids or run patterns such as
	// job.RunPattern(run)); empty means every key.
	Patterns []string
	// Conn, when set, is the connection the KV lives on: after a reconnect
	// (a node died) the hub re-creates its watch from the last revision it
	// saw, at once, instead of waiting for the old watch to notice.
	Conn *nats.Conn
	// Logger receives debug lines (zero value: discarded).
	Logger zerolog.Logger
}

// Option adjusts a HubConfig (for WaitAll).
type Option func(*HubConfig)

// WithConn sets HubConfig.Conn.
func WithConn(nc *nats.Conn) Option { return func(c *HubConfig) { c.Conn = nc } }

// NewHub opens the watch and returns once the current values have been read,
// so Latest is complete for the watched keys.
func NewHub(ctx context.Context, cfg HubConfig) (*Hub, error) {
	if cfg.KV == nil {
		return nil, errors.New("watcher: KV is required")
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	h := &Hub{
		kv: cfg.KV, log: cfg.Logger.With().Str("component", "watcher").Logger(),
		cancel: cancel, done: make(chan struct{}), ready: make(chan struct{}),
		latest: map[job.ID]record{}, waiters: map[job.ID]map[*waiter]struct{}{},
		patterns: cfg.Patterns, conn: cfg.Conn,
	}
	w, err := h.watch(wctx, 0)
	if err != nil {
		cancel()
		return nil, err
	}
	go h.loop(wctx, w)
	select {
	case <-h.ready:
		return h, nil
	case <-ctx.Done():
		h.Stop()
		return nil, ctx.Err()
	}
}

// watch opens the KV watch, from revision from on (0: current values first).
func (h *Hub) watch(ctx context.Context, from uint64) (jetstream.KeyWatcher, error) {
	var opts []jetstream.WatchOpt
	if from > 0 {
		opts = append(opts, jetstream.ResumeFromRevision(from))
	}
	var (
		w   jetstream.KeyWatcher
		err error
	)
	switch len(h.patterns) {
	case 0:
		w, err = h.kv.WatchAll(ctx, opts...)
	case 1:
		w, err = h.kv.Watch(ctx, h.patterns[0], opts...)
	default:
		w, err = h.kv.WatchFiltered(ctx, h.patterns, opts...)
	}
	if err != nil {
		return nil, fmt.Errorf("watch %v: %w", h.patterns, err)
	}
	return w, nil
}

func (h *Hub) loop(ctx context.Context, w jetstream.KeyWatcher) {
	defer close(h.done)
	defer func() { _ = w.Stop() }()
	readyOnce := sync.OnceFunc(func() { close(h.ready) })
	defer readyOnce()
	var reconnected chan nats.Status
	if h.conn != nil {
		reconnected = h.conn.StatusChanged(nats.CONNECTED)
		defer h.conn.RemoveStatusListener(reconnected)
	}
	for {
		select {
		case <-ctx.Done():
			h.fail(ErrClosed)
			return
		case <-reconnected:
			// The watch's consumer may have lived on the node that died:
			// start a new one right after the last revision seen.
			nw, err := h.watch(ctx, h.lastRev+1)
			if err != nil {
				h.log.Warn().Err(err).Msg("re-creating the watch after a reconnect failed; keeping the old one")
				continue
			}
			_ = w.Stop()
			w = nw
		case e, ok := <-w.Updates():
			if !ok {
				h.fail(ErrClosed)
				return
			}
			if e == nil {
				readyOnce()
				continue
			}
			if e.Revision() <= h.lastRev {
				continue // already seen (a re-created watch may overlap)
			}
			h.lastRev = e.Revision()
			h.apply(e)
		}
	}
}

func (h *Hub) apply(e jetstream.KeyValueEntry) {
	id := job.ID(e.Key())
	r := record{revision: e.Revision()}
	if e.Operation() == jetstream.KeyValuePut {
		r.value = e.Value()
	}
	h.mu.Lock()
	r.seq = h.latest[id].seq + 1
	h.latest[id] = r
	for w := range h.waiters[id] {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
	h.mu.Unlock()
}

func (h *Hub) fail(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err == nil {
		h.err = err
	}
	for _, ws := range h.waiters {
		for w := range ws {
			select {
			case w.wake <- struct{}{}:
			default:
			}
		}
	}
}

// Latest returns the last update seen for id; false when none was seen,
// the record was deleted, or it cannot be decoded.
func (h *Hub) Latest(id job.ID) (Update, bool) {
	h.mu.Lock()
	r, ok := h.latest[id]
	h.mu.Unlock()
	if !ok {
		return Update{}, false
	}
	u, err := r.update(id)
	return u, err == nil && u.Status.State != ""
}

// Cond decides whether a wait is over. It sees every update the hub delivers
// (intermediate states may be skipped when they follow each other faster than
// the waiter runs; the latest state is never skipped).
type Cond func(u Update) (bool, error)

// Final is the condition "the job reached a final state".
func Final(u Update) (bool, error) { return u.Status.State.Final(), nil }

// Wait blocks until cond holds for job id, ctx is done, or the hub stops.
// It returns the update that satisfied cond; on ctx.Done it returns the last
// update seen (if any) with ctx.Err().
func (h *Hub) Wait(ctx context.Context, id job.ID, cond Cond) (Update, error) {
	w := &waiter{wake: make(chan struct{}, 1)}
	h.mu.Lock()
	if h.waiters[id] == nil {
		h.waiters[id] = map[*waiter]struct{}{}
	}
	h.waiters[id][w] = struct{}{}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.waiters[id], w)
		if len(h.waiters[id]) == 0 {
			delete(h.waiters, id)
		}
		h.mu.Unlock()
	}()
	var (
		seen int
		u    Update // the last update decoded
	)
	for {
		h.mu.Lock()
		r, have := h.latest[id]
		herr := h.err
		h.mu.Unlock()
		if have && r.seq != seen {
			seen = r.seq
			next, err := r.update(id)
			switch {
			case err != nil:
				h.log.Warn().Err(err).Str("job_id", string(id)).Msg("skipping undecodable status record")
			case next.Status.State == "":
				return next, fmt.Errorf("%w: %s", ErrDeleted, id)
			default:
				u = next
				ok, err := cond(u)
				if err != nil || ok {
					return u, err
				}
			}
		}
		if herr != nil {
			return u, herr
		}
		select {
		case <-w.wake:
		case <-ctx.Done():
			return u, ctx.Err()
		}
	}
}

// Stop ends the watch and waits for its goroutine. It is safe to call twice.
func (h *Hub) Stop() {
	h.cancel()
	<-h.done
}
