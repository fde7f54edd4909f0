package executor

import (
	"context"
	"fmt"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/job"
)

// listenMaxDeliveries records as lost the jobs whose task message the
// server stopped delivering (every delivery's lease ran out, e.g. each
// executor holding it died); the bus then removes the message. Every
// executor of the pool hears the advisory; the status CAS makes the record
// happen once.
func (e *Executor) listenMaxDeliveries() (*bus.Subscription, error) {
	return e.cfg.Bus.OnMaxDeliveries(e.cfg.Pool, func(ctx context.Context, id job.ID, deliveries int) {
		if _, err := job.ParseID(string(id)); err == nil {
			e.giveUp(ctx, id, fmt.Sprintf("gave up after %d deliveries: no executor finished the job within its lease", deliveries))
		}
	})
}
