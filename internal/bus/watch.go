package bus

import (
	"context"
	"fmt"
	"slices"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/jetplay/jetplay/internal/job"
)

// WatchStatus watches the status records whose keys match patterns (jids,
// or run patterns such as job.RunPattern(run); none: every record). The
// channel carries the current record of each matching key, then one nil
// entry (caught up), then every later write, deletion and purge, in
// revision order and each once. When the connection reconnects (a node
// died) the watch is opened again right after the last revision sent, at
// once, instead of when the old one notices. The channel is closed when
// ctx ends or the server ends the watch; a reader that stops reading must
// end ctx, and may drain the channel to wait until the watch has stopped.
func (b *Bus) WatchStatus(ctx context.Context, patterns []string) (<-chan *job.StatusEntry, error) {
	patterns = slices.Clone(patterns)
	w, err := b.watchKV(ctx, patterns, 0)
	if err != nil {
		return nil, err
	}
	out := make(chan *job.StatusEntry, 256)
	go b.relay(ctx, patterns, w, out)
	return out, nil
}

// watchKV opens a KV watch on patterns from revision from on (0: the
// current values first).
func (b *Bus) watchKV(ctx context.Context, patterns []string, from uint64) (jetstream.KeyWatcher, error) {
	var opts []jetstream.WatchOpt
	if from > 0 {
		opts = append(opts, jetstream.ResumeFromRevision(from))
	}
	var (
		w   jetstream.KeyWatcher
		err error
	)
	switch len(patterns) {
	case 0:
		w, err = b.kv.WatchAll(ctx, opts...)
	case 1:
		w, err = b.kv.Watch(ctx, patterns[0], opts...)
	default:
		// WatchFiltered rewrites the slice it is given.
		w, err = b.kv.WatchFiltered(ctx, slices.Clone(patterns), opts...)
	}
	if err != nil {
		return nil, fmt.Errorf("watch %v: %w", patterns, err)
	}
	return w, nil
}

// relay copies w's entries to out (see WatchStatus) and re-opens the watch
// after each reconnect.
func (b *Bus) relay(ctx context.Context, patterns []string, w jetstream.KeyWatcher, out chan<- *job.StatusEntry) {
	defer close(out)
	defer func() { _ = w.Stop() }()
	nc := b.js.Conn()
	reconnected := nc.StatusChanged(nats.CONNECTED)
	defer nc.RemoveStatusListener(reconnected)
	var last uint64 // the last revision sent
	caughtUp := false
	for {
		var next *job.StatusEntry
		select {
		case <-ctx.Done():
			return
		case <-reconnected:
			// The watch's consumer may have lived on the node that died:
			// start a new one right after the last revision sent.
			nw, err := b.watchKV(ctx, patterns, last+1)
			if err != nil {
				b.log.Warn().Err(err).Msg("re-creating a status watch after a reconnect failed; keeping the old one")
				continue
			}
			_ = w.Stop()
			w = nw
			if b.onRewatch != nil {
				b.onRewatch()
			}
			continue
		case e, ok := <-w.Updates():
			switch {
			case !ok:
				return
			case e == nil && caughtUp:
				continue // a re-opened watch caught up again
			case e == nil:
				caughtUp = true
			case e.Revision() <= last:
				continue // already sent (a re-opened watch may overlap)
			default:
				last = e.Revision()
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
}

// LastSeq is the highest job number (job.ID.Seq) run has used, deleted
// jobs included, so that a resumed run never reuses a jid; 0 when the run
// has no jobs.
func (b *Bus) LastSeq(ctx context.Context, run job.RunID) (int, error) {
	w, err := b.kv.Watch(ctx, job.RunPattern(run), jetstream.IncludeHistory(), jetstream.MetaOnly())
	if err != nil {
		return 0, fmt.Errorf("watch %s: %w", job.RunPattern(run), err)
	}
	defer func() { _ = w.Stop() }()
	last := 0
	for e := range w.Updates() {
		if e == nil {
			break
		}
		last = max(last, job.ID(e.Key()).Seq())
	}
	return last, nil
}

// RunJobs lists the jobs of run that have a status record, in the order of
// their last writes. On a bucket written to meanwhile a job may be listed
// twice.
func (b *Bus) RunJobs(ctx context.Context, run job.RunID) ([]job.ID, error) {
	lister, err := b.kv.ListKeysFiltered(ctx, job.RunPattern(run))
	if err != nil {
		return nil, fmt.Errorf("list jobs of run %s: %w", run, err)
	}
	var ids []job.ID
	for k := range lister.Keys() {
		ids = append(ids, job.ID(k))
	}
	return ids, nil
}
