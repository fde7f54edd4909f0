package watcher

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/jetplay/jetplay/internal/job"
)

// WaitAll waits until cond holds for every job in ids, through one watch on
// exactly those keys. It returns each job's last update; on ctx.Done it
// returns what it has with ctx.Err().
func WaitAll(ctx context.Context, src Source, ids []job.ID, cond Cond) (map[job.ID]Update, error) {
	h, err := NewHub(ctx, HubConfig{Source: src, Patterns: watchPatterns(ids)})
	if err != nil {
		return nil, err
	}
	defer h.Stop()
	var (
		mu    sync.Mutex
		out   = make(map[job.ID]Update, len(ids))
		first error
		wg    sync.WaitGroup
	)
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := h.Wait(ctx, id, cond)
			mu.Lock()
			defer mu.Unlock()
			out[id] = u
			if err != nil && first == nil {
				first = fmt.Errorf("job %s: %w", id, err)
			}
		}()
	}
	wg.Wait()
	return out, first
}

// Watch calls fn with every status change of the keys matching pattern
// (">" or "" for all), starting with their current values, until ctx is
// done (then it returns nil) or fn returns an error. It returns once the
// watch has stopped.
func Watch(ctx context.Context, src Source, pattern string, fn func(Update) error) error {
	var patterns []string
	if pattern != "" && pattern != ">" {
		patterns = []string{pattern}
	}
	ctx, cancel := context.WithCancel(ctx)
	updates, err := src.WatchStatus(ctx, patterns)
	if err != nil {
		cancel()
		return fmt.Errorf("watch %q: %w", pattern, err)
	}
	defer func() {
		cancel()
		for range updates {
		} // closed once the watch has stopped
	}()
	seq := map[job.ID]int{}
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-updates:
			if !ok {
				if ctx.Err() != nil {
					return nil // the watch ends with ctx: a stop, not a failure
				}
				return ErrClosed
			}
			if e == nil {
				continue
			}
			seq[e.JID]++
			u := Update{Revision: e.Revision, Seq: seq[e.JID], Status: job.Status{JID: e.JID}}
			if e.Value != nil {
				st, err := job.DecodeStatus(e.Value)
				if err != nil {
					continue
				}
				u.Status = st
			}
			if err := fn(u); err != nil {
				if errors.Is(err, errStop) {
					return nil
				}
				return err
			}
		}
	}
}

// errStop ends a Watch without an error.
var errStop = errors.New("stop")

// maxKeyFilters is how many jids a watch filters on one by one; past it the
// watch takes each run's pattern instead, since the server checks a
// consumer's filters against each other pairwise.
const maxKeyFilters = 64

// watchPatterns are the KV keys (or run patterns) a wait on ids watches.
func watchPatterns(ids []job.ID) []string {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, id := range ids {
		if len(ids) > maxKeyFilters && id.Run() != "" {
			add(job.RunPattern(id.Run()))
		} else {
			add(job.StatusKey(id))
		}
	}
	sort.Strings(out)
	return out
}
