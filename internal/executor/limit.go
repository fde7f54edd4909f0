package executor

import (
	"context"
	"sync"
)

// packageModules change a host's package database, which takes a lock:
// they run one at a time per host by default.
var packageModules = map[string]bool{"package": true, "apt": true, "yum": true, "dnf": true}

// hostLimiter caps the jobs running at once on one host, without holding up
// other hosts.
type hostLimiter struct {
	mu    sync.Mutex
	slots map[string]chan struct{}
}

func newHostLimiter() *hostLimiter { return &hostLimiter{slots: map[string]chan struct{}{}} }

// acquire waits for a slot on host (limit n; n <= 0 means no limit) and
// returns its release.
func (l *hostLimiter) acquire(ctx context.Context, key string, n int) (release func(), err error) {
	if n <= 0 {
		return func() {}, nil
	}
	l.mu.Lock()
	ch := l.slots[key]
	if ch == nil || cap(ch) != n {
		ch = make(chan struct{}, n)
		l.slots[key] = ch
	}
	l.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
