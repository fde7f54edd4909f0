package bus

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/jetplay/jetplay/internal/job"
)

// SubmitOnce submits t unless a job was already submitted under key, in
// which case it submits nothing and returns that job's id with existed set.
// The key is kept for the bucket's TTL (StatusTTL), far longer than the
// stream's duplicate window, so a producer may retry days later. An empty
// key means a plain Submit.
func (b *Bus) SubmitOnce(ctx context.Context, t *job.Task, key string) (id job.ID, existed bool, err error) {
	if key == "" {
		return t.JID, false, b.Submit(ctx, t)
	}
	k := job.IdempotencyKey(key)
	_, err = b.idem.Create(ctx, k, []byte(t.JID))
	if errors.Is(err, jetstream.ErrKeyExists) {
		e, gerr := b.idem.Get(ctx, k)
		if gerr != nil {
			return "", false, fmt.Errorf("idempotency key %q: %w", key, gerr)
		}
		return job.ID(e.Value()), true, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("idempotency key %q: %w", key, err)
	}
	if err := b.Submit(ctx, t); err != nil {
		return "", false, err
	}
	return t.JID, false, nil
}
