package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/jetplay/jetplay/internal/job"
)

// openOutputStream makes sure the live output stream exists: a limits stream
// that keeps chunks an hour (bounded in bytes), so `watcher logs` can replay a
// job's output and then follow it.
func openOutputStream(ctx context.Context, js jetstream.JetStream, cfg Config, update bool) error {
	sc := jetstream.StreamConfig{
		Name:        job.OutputStream,
		Description: "jetplay live job output, one subject per jid",
		Subjects:    []string{job.OutputSubjects()},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		Replicas:    cfg.Replicas,
		MaxAge:      time.Hour,
		MaxBytes:    512 << 20,
		MaxMsgSize:  64 << 10,
		Discard:     jetstream.DiscardOld,
	}
	err := retry(ctx, js.Conn(), func(octx context.Context) error {
		_, err := js.Stream(octx, job.OutputStream)
		switch {
		case errors.Is(err, jetstream.ErrStreamNotFound):
			_, err = js.CreateStream(octx, sc)
			if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
				err = nil
			}
		case err == nil && update:
			_, err = js.UpdateStream(octx, sc)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("open stream %s: %w", job.OutputStream, err)
	}
	return nil
}

// PublishOutput sends one live output chunk. It does not wait for the
// server's acknowledgement: live output is best effort and must never slow
// the job down.
func (b *Bus) PublishOutput(c job.OutputChunk) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return b.js.Conn().Publish(job.OutputSubject(c.JID), data)
}

// Output calls fn with every stored and then every new output chunk of job
// id, until fn returns false, ctx ends, or (follow false) the stored chunks
// are read.
func (b *Bus) Output(ctx context.Context, id job.ID, follow bool, fn func(job.OutputChunk) bool) error {
	cons, err := b.js.OrderedConsumer(ctx, job.OutputStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{job.OutputSubject(id)},
	})
	if err != nil {
		return fmt.Errorf("output of %s: %w", id, err)
	}
	if !follow {
		info, err := cons.Info(ctx)
		if err != nil {
			return err
		}
		if info.NumPending == 0 {
			return nil
		}
	}
	for {
		msg, err := cons.Next(jetstream.FetchContext(ctx))
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		var c job.OutputChunk
		if err := json.Unmarshal(msg.Data(), &c); err != nil {
			continue
		}
		if !fn(c) {
			return nil
		}
		if md, err := msg.Metadata(); err == nil && !follow && md.NumPending == 0 {
			return nil
		}
	}
}
