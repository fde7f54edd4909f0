package executor

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

// listenMaxDeliveries records as lost the jobs whose task message the
// server stopped delivering (every delivery's lease ran out, e.g. each
// executor holding it died), then removes the message, which a work-queue
// stream would otherwise keep forever. Every executor of the pool hears the
// advisory; the status CAS makes the record happen once.
func (e *Executor) listenMaxDeliveries() (*nats.Subscription, error) {
	subject := fmt.Sprintf("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.%s.%s", job.StreamName, job.ConsumerName(e.cfg.Pool))
	nc := e.cfg.Bus.JetStream().Conn()
	return nc.Subscribe(subject, func(m *nats.Msg) {
		var a maxDeliveriesAdvisory
		if err := json.Unmarshal(m.Data, &a); err != nil || a.StreamSeq == 0 {
			return
		}
		go e.handleMaxDeliveries(a)
	})
}

func (e *Executor) handleMaxDeliveries(a maxDeliveriesAdvisory) {
	ctx := context.Background()
	st, err := e.cfg.Bus.JetStream().Stream(ctx, job.StreamName)
	if err != nil {
		return
	}
	raw, err := st.GetMsg(ctx, a.StreamSeq)
	if err != nil {
		return // already removed by another executor
	}
	t, _ := job.DecodeTask(raw.Data)
	if _, err := job.ParseID(string(t.JID)); err == nil {
		e.giveUp(ctx, t.JID, fmt.Sprintf("gave up after %d deliveries: no executor finished the job within its lease", a.Deliveries))
	}
	_ = st.DeleteMsg(ctx, a.StreamSeq)
}
