package bus

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/nats-io/nats.go"

	"github.com/jetplay/jetplay/internal/job"
)

// maxDeliveriesAdvisory is the part of the server's
// io.nats.jetstream.advisory.v1.max_deliver event that jetplay reads.
type maxDeliveriesAdvisory struct {
	Stream     string `json:"stream"`
	Consumer   string `json:"consumer"`
	StreamSeq  uint64 `json:"stream_seq"`
	Deliveries int    `json:"deliveries"`
}

// OnMaxDeliveries calls fn for each task message that the consumer of pool
// stopped delivering (it reached MaxDeliver), with the message's jid (as
// decoded: it may be empty or invalid) and the number of deliveries, and
// then removes the message, which a work-queue stream would otherwise keep
// forever. Each call runs on its own goroutine. Every executor of the pool
// hears the advisory; a message another one already removed is skipped, so
// fn must tolerate a second call for the same job (the status CAS does).
func (b *Bus) OnMaxDeliveries(pool string, fn func(ctx context.Context, id job.ID, deliveries int)) (*Subscription, error) {
	subject := job.MaxDeliveriesSubject(pool)
	sub, err := b.js.Conn().Subscribe(subject, func(m *nats.Msg) {
		var a maxDeliveriesAdvisory
		if err := json.Unmarshal(m.Data, &a); err != nil || a.StreamSeq == 0 {
			return
		}
		go b.maxDelivered(a, fn)
	})
	if err != nil {
		return nil, fmt.Errorf("subscribe %s: %w", subject, err)
	}
	return &Subscription{sub}, nil
}

func (b *Bus) maxDelivered(a maxDeliveriesAdvisory, fn func(ctx context.Context, id job.ID, deliveries int)) {
	ctx := context.Background()
	raw, err := b.stream.GetMsg(ctx, a.StreamSeq)
	if err != nil {
		return // already removed by another executor
	}
	t, _ := job.DecodeTask(raw.Data)
	fn(ctx, t.JID, a.Deliveries)
	_ = b.stream.DeleteMsg(ctx, a.StreamSeq)
}
