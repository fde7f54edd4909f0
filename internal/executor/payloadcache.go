package executor

import (
	"cmp"
	"container/list"
	"context"
	"errors"
	"strconv"
	"sync"

	"github.com/jetplay/jetplay/internal/job"
)

// PayloadFetcher fetches a payload from the payload store and checks it
// against its ref (hash and size) before returning it. *bus.Bus is one.
type PayloadFetcher interface {
	GetPayload(ctx context.Context, ref job.PayloadRef) ([]byte, error)
}

// PayloadCacheConfig configures a PayloadCache.
type PayloadCacheConfig struct {
	// Fetcher fetches what the cache does not hold. Required.
	Fetcher PayloadFetcher
	// MaxBytes bounds the bytes of the payloads kept; the least recently
	// used are dropped past it, and a payload larger than it is returned
	// but not kept. Default 256 MiB.
	MaxBytes int64
}

func (c PayloadCacheConfig) validate() error {
	switch {
	case c.Fetcher == nil:
		return errors.New("payload cache: no fetcher")
	case c.MaxBytes < 0:
		return errors.New("payload cache: negative byte bound")
	}
	return nil
}

// PayloadCache keeps module payloads in memory by hash, so an executor
// fetches each once however many jobs name it: concurrent Gets of a payload
// not held share one fetch, a failed fetch is not kept (the next Get tries
// again), and the least recently used payloads are dropped past a byte
// bound. It trusts its Fetcher to check what it fetches.
//
// It is not wired into the executor's run step yet: nothing runs payloads
// until the interpreter package lands; the run step will Get the task's
// job.Task.Payload through it.
type PayloadCache struct {
	fetch PayloadFetcher
	max   int64

	mu      sync.Mutex
	lru     *list.List // of *cached, most recent first
	held    map[string]*list.Element
	flights map[string]*flight
	bytes   int64
	stats   PayloadCacheStats
}

type cached struct {
	key  string
	data []byte
}

// flight is one fetch in progress and the callers waiting on it.
type flight struct {
	done    chan struct{}
	data    []byte
	err     error
	waiters int
	cancel  context.CancelFunc
}

// PayloadCacheStats are a PayloadCache's counters.
type PayloadCacheStats struct {
	// Entries and Bytes are the payloads held and their total size.
	Entries int
	Bytes   int64
	// Hits counts Gets answered from memory; Fetches the fetches started;
	// Failures the fetches that failed; Evictions the payloads dropped for
	// the bound.
	Hits, Fetches, Failures, Evictions uint64
	// Waiting is the number of Gets waiting on a fetch now.
	Waiting int
}

// NewPayloadCache returns an empty cache; it fails when cfg has no Fetcher
// or a negative MaxBytes.
func NewPayloadCache(cfg PayloadCacheConfig) (*PayloadCache, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &PayloadCache{
		fetch:   cfg.Fetcher,
		max:     cmp.Or(cfg.MaxBytes, 256<<20),
		lru:     list.New(),
		held:    map[string]*list.Element{},
		flights: map[string]*flight{},
	}, nil
}

// Get returns the payload ref names, from memory or fetched once for all
// the callers asking at the same time. The bytes are shared: callers must
// not modify them. The fetch runs in its own goroutine, without the
// caller's cancellation, so that one caller giving up does not fail the
// others; it is cancelled when every caller waiting on it has gone. A
// caller whose ctx ends gets ctx.Err(); a failed fetch gives every waiter
// its error and is not kept.
func (c *PayloadCache) Get(ctx context.Context, ref job.PayloadRef) ([]byte, error) {
	// The size is part of the key, so a ref with the right hash and a
	// wrong size goes to the fetcher, which refuses it.
	key := ref.SHA256 + "/" + strconv.FormatInt(ref.Size, 10)
	c.mu.Lock()
	if el, ok := c.held[key]; ok {
		c.lru.MoveToFront(el)
		c.stats.Hits++
		c.mu.Unlock()
		return el.Value.(*cached).data, nil
	}
	f := c.flights[key]
	if f == nil {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{done: make(chan struct{}), cancel: cancel}
		c.flights[key] = f
		c.stats.Fetches++
		go c.run(fctx, key, ref, f)
	}
	f.waiters++
	c.stats.Waiting++
	c.mu.Unlock()

	select {
	case <-f.done:
		c.mu.Lock()
		c.stats.Waiting--
		c.mu.Unlock()
		return f.data, f.err
	case <-ctx.Done():
		c.mu.Lock()
		c.stats.Waiting--
		f.waiters--
		if f.waiters == 0 {
			// Nobody waits: stop the fetch, and let the next Get start
			// a fresh one rather than join a cancelled one.
			f.cancel()
			if c.flights[key] == f {
				delete(c.flights, key)
			}
		}
		c.mu.Unlock()
		return nil, ctx.Err()
	}
}

// run fetches for a flight, keeps a success, and releases the waiters.
func (c *PayloadCache) run(ctx context.Context, key string, ref job.PayloadRef, f *flight) {
	defer f.cancel()
	data, err := c.fetch.GetPayload(ctx, ref)
	c.mu.Lock()
	if c.flights[key] == f {
		delete(c.flights, key)
	}
	if err != nil {
		c.stats.Failures++
	} else {
		c.keep(key, data)
	}
	f.data, f.err = data, err
	close(f.done)
	c.mu.Unlock()
}

// keep adds a fetched payload and drops the least recently used past the
// bound. The caller holds mu.
func (c *PayloadCache) keep(key string, data []byte) {
	if int64(len(data)) > c.max {
		return
	}
	if _, ok := c.held[key]; ok {
		return
	}
	c.held[key] = c.lru.PushFront(&cached{key: key, data: data})
	c.bytes += int64(len(data))
	for c.bytes > c.max {
		el := c.lru.Back()
		old := el.Value.(*cached)
		c.lru.Remove(el)
		delete(c.held, old.key)
		c.bytes -= int64(len(old.data))
		c.stats.Evictions++
	}
}

// Stats returns the cache's counters now.
func (c *PayloadCache) Stats() PayloadCacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Entries, s.Bytes = c.lru.Len(), c.bytes
	return s
}
