package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/natstest"
	"github.com/jetplay/jetplay/internal/watcher"
)

// TestClusterClientsSurviveTheirNode: a watcher.Hub waits on a job through
// a node that is then shut down, and a writer on that same node records the
// job's end right after the shutdown. Both clients reconnect to another
// node: the write lands, and the wait ends with it.
func TestClusterClientsSurviveTheirNode(t *testing.T) {
	tests := []struct {
		name string
		node func(c *r3Cluster) *server.Server
	}{
		{"node leads the status bucket", func(c *r3Cluster) *server.Server {
			return natstest.StreamLeader(c.servers, statusStream)
		}},
		{"node leads no status replica", func(c *r3Cluster) *server.Server {
			l := natstest.StreamLeader(c.servers, statusStream)
			for _, s := range c.servers {
				if s != l {
					return s
				}
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newR3Cluster(t)
			victim, _ := waitLeader(10*time.Second, func() *server.Server { return tt.node(c) })
			if victim == nil {
				t.Fatalf("no node to shut down (%s)", c.leaders())
			}
			c.events.add("leaders: %s; victim %s", c.leaders(), victim.Name())
			hubBus := c.openBus(t, c.connect(t, "hub", victim))
			writer := c.openBus(t, c.connect(t, "writer", victim))

			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			run := job.NewRunID()
			id := run.Job(1)
			task := shellTask(id, "true", 0)
			if _, err := writer.Create(ctx, job.NewQueued(task, time.Now())); err != nil {
				t.Fatal(err)
			}
			move(t, ctx, writer, id, job.Running)
			hub, err := watcher.NewHub(ctx, watcher.HubConfig{Source: hubBus, Patterns: []string{job.RunPattern(run)}})
			if err != nil {
				t.Fatal(err)
			}
			defer hub.Stop()
			type result struct {
				u   watcher.Update
				err error
				at  time.Time
			}
			done := make(chan result, 1)
			go func() {
				u, err := hub.Wait(ctx, id, watcher.Final)
				done <- result{u, err, time.Now()}
			}()
			// A watch's first values may come from a replica that has not
			// applied the last write yet: wait until the hub is current.
			if u, _ := hub.Latest(id); u.Status.State != job.Running {
				c.events.add("hub started with a stale value: %q (running was already written)", u.Status.State)
			}
			eventually(t, 10*time.Second, "hub sees running", func() bool {
				u, _ := hub.Latest(id)
				return u.Status.State == job.Running
			})

			killedAt := c.kill(victim)
			wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
			_, err = writer.Update(wctx, id, func(s job.Status) (job.Status, error) { return s.Move(job.Succeeded, time.Now()) })
			wcancel()
			wrote := time.Now()
			if err != nil {
				t.Fatalf("status write through the dead node's client failed after %s: %v\n%s",
					time.Since(killedAt).Round(time.Millisecond), err, c.events)
			}
			c.events.add("final status written, %s after the shutdown", wrote.Sub(killedAt).Round(time.Millisecond))

			select {
			case r := <-done:
				if r.err != nil || r.u.Status.State != job.Succeeded {
					t.Fatalf("wait ended with %s, %v\n%s", r.u.Status.State, r.err, c.events)
				}
				c.events.add("wait ended, %s after the write", r.at.Sub(wrote).Round(time.Millisecond))
			case <-time.After(45 * time.Second):
				// The hub's KV watch did not come back after its node died.
				t.Fatalf("the hub's wait did not end within 45s of the final write (its KV watch did not survive the loss of its node)\n%s", c.events)
			}
			t.Logf("leaders after: %s\n%s", c.leaders(), c.events)
		})
	}
}

// move writes the job's next state through b.
func move(t *testing.T, ctx context.Context, b interface {
	Update(context.Context, job.ID, func(job.Status) (job.Status, error)) (job.Status, error)
}, id job.ID, to job.State) {
	t.Helper()
	if _, err := b.Update(ctx, id, func(s job.Status) (job.Status, error) { return s.Move(to, time.Now()) }); err != nil {
		t.Fatal(err)
	}
}
