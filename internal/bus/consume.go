package bus

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/jetplay/jetplay/internal/job"
)

// Consumer is the durable pull consumer of one pool: executors fetch their
// task deliveries from it.
type Consumer struct {
	c    jetstream.Consumer
	name string
}

// ConsumerLimits are the lease and delivery limit a consumer was created
// with, by whoever created it first.
type ConsumerLimits struct {
	// AckWait is how long a delivery may go without an ack or InProgress
	// before the server delivers it again.
	AckWait time.Duration
	// MaxDeliver is how many times a task is delivered before the server
	// gives it up; -1 means no limit.
	MaxDeliver int
}

// Consumer returns the durable pull consumer of pool, creating it when it
// does not exist.
func (b *Bus) Consumer(ctx context.Context, pool string) (*Consumer, error) {
	name := job.ConsumerName(pool)
	c, err := b.stream.Consumer(ctx, name)
	if err == nil {
		return &Consumer{c: c, name: name}, nil
	}
	if !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, fmt.Errorf("consumer %s: %w", name, err)
	}
	c, err = b.stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       name,
		Description:   "jetplay executors of pool " + cmp.Or(pool, job.DefaultPool),
		FilterSubject: job.TaskSubject(pool),
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       b.cfg.AckWait,
		MaxDeliver:    b.cfg.MaxDeliver,
		MaxAckPending: b.cfg.MaxAckPending,
		Replicas:      b.cfg.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("create consumer %s: %w", name, err)
	}
	return &Consumer{c: c, name: name}, nil
}

// Limits returns the consumer's lease and delivery limit as the server
// reported them when the consumer was looked up or created; ok is false
// when it reported none.
func (c *Consumer) Limits() (l ConsumerLimits, ok bool) {
	ci := c.c.CachedInfo()
	if ci == nil {
		return ConsumerLimits{}, false
	}
	return ConsumerLimits{AckWait: ci.Config.AckWait, MaxDeliver: ci.Config.MaxDeliver}, true
}

// Fetch sends one pull request for up to n deliveries, which the server
// answers as tasks arrive and ends after wait (or once n have come). The
// request expires on the server, not by a client-side context: a task the
// server sent just before a client deadline would be dropped unread and
// come back only after AckWait. A stop is therefore noticed within wait.
// An error means the request was not sent; wait must be positive.
func (c *Consumer) Fetch(n int, wait time.Duration) (*Batch, error) {
	mb, err := c.c.Fetch(n, jetstream.FetchMaxWait(wait))
	if err != nil {
		return nil, fmt.Errorf("fetch from %s: %w", c.name, err)
	}
	return &Batch{mb: mb}, nil
}

// Next waits up to wait for one delivery, for tools and tests that take a
// task by hand. It fails when none came in time.
func (c *Consumer) Next(wait time.Duration) (Delivery, error) {
	m, err := c.c.Next(jetstream.FetchMaxWait(wait))
	if err != nil {
		return Delivery{}, fmt.Errorf("next task from %s: %w", c.name, err)
	}
	return Delivery{m}, nil
}

// Batch is the answer to one pull request.
type Batch struct{ mb jetstream.MessageBatch }

// All yields the batch's deliveries as they arrive, until the request is
// complete or has expired. A caller that stops early leaves the rest of
// the batch unread: they are delivered again after AckWait.
func (b *Batch) All() iter.Seq[Delivery] {
	return func(yield func(Delivery) bool) {
		for m := range b.mb.Messages() {
			if !yield(Delivery{m}) {
				return
			}
		}
	}
}

// Err is why the batch ended before it was complete, once All has
// returned: nil when it was complete or its request expired, the usual
// end of an idle pull.
func (b *Batch) Err() error { return b.mb.Error() }

// Delivery is one delivery of a task message. Its lease runs from the
// delivery: InProgress extends it, and each delivery ends with one of Ack,
// DoubleAck, Nak, NakWithDelay or TermWithReason (or goes back to the
// stream when the lease runs out). The zero Delivery is not usable.
type Delivery struct{ m jetstream.Msg }

// Data is the encoded task (job.DecodeTask reads it).
func (d Delivery) Data() []byte { return d.m.Data() }

// Deliveries is how many times the message has been delivered, this
// delivery included; 1 when the delivery's metadata cannot be read.
func (d Delivery) Deliveries() int {
	md, err := d.m.Metadata()
	if err != nil {
		return 1
	}
	return int(md.NumDelivered)
}

// QueuedRecord is the record Submit created for t, the task this delivery
// carries, as told by its job.QueuedRevisionHeader (see QueuedRecord).
func (d Delivery) QueuedRecord(t *job.Task) (Record, bool) {
	return QueuedRecord(t, d.m.Headers())
}

// Ack removes the message from the stream, without waiting for the
// server's answer.
func (d Delivery) Ack() error { return d.m.Ack() }

// DoubleAck removes the message from the stream and waits for the server
// to confirm it (or for ctx to end).
func (d Delivery) DoubleAck(ctx context.Context) error { return d.m.DoubleAck(ctx) }

// Nak hands the message back for another delivery at once.
func (d Delivery) Nak() error { return d.m.Nak() }

// NakWithDelay hands the message back for another delivery after delay.
func (d Delivery) NakWithDelay(delay time.Duration) error { return d.m.NakWithDelay(delay) }

// TermWithReason stops all deliveries of the message; the server's
// advisory carries reason.
func (d Delivery) TermWithReason(reason string) error { return d.m.TermWithReason(reason) }

// InProgress extends the delivery's lease by the consumer's AckWait.
func (d Delivery) InProgress() error { return d.m.InProgress() }
