package watcher

import (
	"context"
	"fmt"
	"slices"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/jetplay/jetplay/internal/job"
)

// kvSource is a Source on a bare status bucket, for the deprecated
// HubConfig.KV: unlike the bus's watch it is not re-opened after a
// reconnect. It goes when HubConfig.KV does.
type kvSource struct{ kv jetstream.KeyValue }

func (s kvSource) WatchStatus(ctx context.Context, patterns []string) (<-chan *job.StatusEntry, error) {
	var (
		w   jetstream.KeyWatcher
		err error
	)
	switch len(patterns) {
	case 0:
		w, err = s.kv.WatchAll(ctx)
	case 1:
		w, err = s.kv.Watch(ctx, patterns[0])
	default:
		w, err = s.kv.WatchFiltered(ctx, slices.Clone(patterns))
	}
	if err != nil {
		return nil, fmt.Errorf("watch %v: %w", patterns, err)
	}
	out := make(chan *job.StatusEntry, 256)
	go func() {
		defer close(out)
		defer func() { _ = w.Stop() }()
		for {
			var next *job.StatusEntry
			select {
			case <-ctx.Done():
				return
			case e, ok := <-w.Updates():
				if !ok {
					return
				}
				if e != nil {
					next = &job.StatusEntry{JID: job.ID(e.Key()), Revision: e.Revision()}
					if e.Operation() == jetstream.KeyValuePut {
						next.Value = e.Value()
						if next.Value == nil {
							next.Value = []byte{} // a put, even of nothing, is not a deletion
						}
					}
				}
			}
			select {
			case out <- next:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
