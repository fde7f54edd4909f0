package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// opTimeout bounds one request to the server. A request that reached a node
// which then died gets no answer; after opTimeout it is retried (through
// another node once the client has reconnected) instead of waiting for the
// caller's whole deadline.
const opTimeout = 5 * time.Second

// transient reports whether err is a fault worth retrying while ctx lives: a
// lost answer, no responders during a leader election, a reconnect.
func transient(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	return errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, nats.ErrNoResponders) ||
		errors.Is(err, jetstream.ErrNoStreamResponse) ||
		errors.Is(err, nats.ErrConnectionReconnecting) ||
		errors.Is(err, nats.ErrDisconnected)
}

// retry runs op with a per-try timeout until it succeeds, fails for good, or
// ctx ends, backing off between tries. A request the server refused for
// lack of permission looks like a timeout to the client; when the
// connection reports a new permissions violation, retry fails at once with
// it instead of retrying forever.
func retry(ctx context.Context, nc *nats.Conn, op func(context.Context) error) error {
	return retryEach(ctx, nc, opTimeout, op)
}

// retryEach is retry with a timeout of each for every try, for operations
// that move more than one request's worth of data.
func retryEach(ctx context.Context, nc *nats.Conn, each time.Duration, op func(context.Context) error) error {
	wait := 50 * time.Millisecond
	for {
		before := lastError(nc)
		octx, cancel := context.WithTimeout(ctx, each)
		err := op(octx)
		cancel()
		if err == nil || !transient(ctx, err) {
			return err
		}
		if denied := permissionDenied(nc, before); denied != nil {
			return fmt.Errorf("%w: %w", denied, err)
		}
		sleep(ctx, wait)
		wait = min(wait*2, time.Second)
	}
}

func lastError(nc *nats.Conn) error {
	if nc == nil {
		return nil
	}
	return nc.LastError()
}

// permissionDenied returns the connection's permissions violation if one
// arrived since before.
func permissionDenied(nc *nats.Conn, before error) error {
	le := lastError(nc)
	if le == nil || le == before || !errors.Is(le, nats.ErrPermissionViolation) {
		return nil
	}
	return le
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
