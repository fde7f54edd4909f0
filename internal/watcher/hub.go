package watcher

import (
	"context"
	"errors"
	"fmt"
	"sync"

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

// Source is where a Hub gets status records from: *bus.Bus implements it.
type Source interface {
	// WatchStatus watches the status records whose keys match patterns
	// (none: every record): the current record of each key, then one nil
	// entry, then every later change, in revision order and each once,
	// until ctx ends or the watch fails; then the channel is closed.
	WatchStatus(ctx context.Context, patterns []string) (<-chan *job.StatusEntry, error)
}

// Hub keeps one status watch on a set of keys and tells waiters about every
// change. It remembers the latest status of each job it has seen, so a wait
// that starts after the job finished returns at once. It keeps each record
// as the bytes it arrived as and decodes it when a waiter or Latest looks
// at it: a run of 10,000 jobs keeps 10,000 small byte slices rather than
// 10,000 decoded results, and the watch's goroutine decodes nothing.
type Hub struct {
	log    zerolog.Logger
	cancel context.CancelFunc
	done   chan struct{}

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
	// Source gives the status records (a *bus.Bus). Required.
	Source Source
	// Patterns are the keys to watch (jids or run patterns such as
	// job.RunPattern(run)); empty means every key.
	Patterns []string
	// Logger receives debug lines (zero value: discarded).
	Logger zerolog.Logger
}

// NewHub opens the watch and returns once the current values have been read,
// so Latest is complete for the watched keys.
func NewHub(ctx context.Context, cfg HubConfig) (*Hub, error) {
	src := cfg.Source
	if src == nil {
		return nil, errors.New("watcher: Source is required")
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	h := &Hub{
		log:    cfg.Logger.With().Str("component", "watcher").Logger(),
		cancel: cancel, done: make(chan struct{}), ready: make(chan struct{}),
		latest: map[job.ID]record{}, waiters: map[job.ID]map[*waiter]struct{}{},
	}
	updates, err := src.WatchStatus(wctx, cfg.Patterns)
	if err != nil {
		cancel()
		return nil, err
	}
	go h.loop(wctx, updates)
	select {
	case <-h.ready:
		return h, nil
	case <-ctx.Done():
		h.Stop()
		return nil, ctx.Err()
	}
}

func (h *Hub) loop(ctx context.Context, updates <-chan *job.StatusEntry) {
	defer close(h.done)
	readyOnce := sync.OnceFunc(func() { close(h.ready) })
	defer readyOnce()
	for {
		select {
		case <-ctx.Done():
			h.fail(ErrClosed)
			for range updates {
			} // the watch closes the channel once it has stopped
			return
		case e, ok := <-updates:
			if !ok {
				h.fail(ErrClosed)
				return
			}
			if e == nil {
				readyOnce()
				continue
			}
			h.apply(e)
		}
	}
}

func (h *Hub) apply(e *job.StatusEntry) {
	r := record{value: e.Value, revision: e.Revision}
	h.mu.Lock()
	r.seq = h.latest[e.JID].seq + 1
	h.latest[e.JID] = r
	for w := range h.waiters[e.JID] {
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
