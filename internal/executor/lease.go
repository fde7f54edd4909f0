package executor

import (
	"context"
	"sync"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
)

// leases holds the task deliveries of the jobs an executor is working on and
// extends them all (InProgress) from one goroutine, instead of a goroutine
// and a ticker per job: a thousand jobs running at once would otherwise
// hold a thousand idle goroutine stacks.
type leases struct {
	mu   sync.Mutex
	held map[*lease]struct{}
}

type lease struct{ msg bus.Delivery }

func newLeases() *leases { return &leases{held: map[*lease]struct{}{}} }

// add starts extending msg's lease; remove stops it.
func (l *leases) add(msg bus.Delivery) *lease {
	ls := &lease{msg: msg}
	l.mu.Lock()
	l.held[ls] = struct{}{}
	l.mu.Unlock()
	return ls
}

func (l *leases) remove(ls *lease) {
	l.mu.Lock()
	delete(l.held, ls)
	l.mu.Unlock()
}

// extend sends InProgress for every lease held now.
func (l *leases) extend() {
	l.mu.Lock()
	msgs := make([]bus.Delivery, 0, len(l.held))
	for ls := range l.held {
		msgs = append(msgs, ls.msg)
	}
	l.mu.Unlock()
	for _, m := range msgs {
		_ = m.InProgress()
	}
}

// run extends the leases every interval until ctx is done.
func (l *leases) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			l.extend()
		case <-ctx.Done():
			return
		}
	}
}
