package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/natstest"
)

// r3 is the bus of the cluster tests: everything replicated on the three
// nodes, and a short lease so a lapsed one shows quickly.
func r3() bus.Config { return bus.Config{Replicas: 3, AckWait: 3 * time.Second} }

// r3Cluster is a 3-node JetStream cluster on which the bus was opened with r3.
type r3Cluster struct {
	servers []*server.Server
	events  *eventLog
}

// newR3Cluster starts the cluster and creates the stream, the consumer and
// the buckets once, from one client, before any executor starts.
func newR3Cluster(t *testing.T) *r3Cluster {
	t.Helper()
	c := &r3Cluster{servers: natstest.Cluster(t, 3), events: &eventLog{start: time.Now()}}
	nc := c.connect(t, "setup", c.servers[0])
	b := c.openBus(t, nc)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := b.Consumer(ctx, ""); err != nil {
		t.Fatal(err)
	}
	nc.Close()
	return c
}

// urls lists the client URLs of the running nodes, first's first.
func (c *r3Cluster) urls(first *server.Server) string {
	out := []string{first.ClientURL()}
	for _, s := range c.servers {
		if s != first && s.Running() {
			out = append(out, s.ClientURL())
		}
	}
	return strings.Join(out, ",")
}

// connect opens a client that connects to first (the URL list is not
// shuffled), reconnects forever to any node, and records its disconnects and
// reconnects in the cluster's event log.
func (c *r3Cluster) connect(t *testing.T, name string, first *server.Server) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(c.urls(first),
		nats.Name(name), nats.DontRandomize(),
		nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond),
		nats.ReconnectJitter(50*time.Millisecond, 50*time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			c.events.add("%s disconnected: %v", name, err)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			c.events.add("%s reconnected to %s", name, nc.ConnectedServerName())
		}),
	)
	if err != nil {
		t.Fatalf("connect %s: %v", name, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// openBus opens the (existing) bus on nc.
func (c *r3Cluster) openBus(t *testing.T, nc *nats.Conn) *bus.Bus {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := bus.Open(ctx, js, r3())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// startExecutor runs an executor with its own connection, first connected
// to node first, until the test ends.
func (c *r3Cluster) startExecutor(t *testing.T, name string, first *server.Server, concurrency int) {
	t.Helper()
	b := c.openBus(t, c.connect(t, name, first))
	ex, err := executor.New(executor.Config{
		Bus: b, Name: name, Concurrency: concurrency, Grace: 10 * time.Second,
		Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel).With().Timestamp().Logger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := ex.Run(ctx); err != nil {
			c.events.add("executor %s: %v", name, err)
		}
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// kill shuts s down and returns when it is gone.
func (c *r3Cluster) kill(s *server.Server) time.Time {
	at := time.Now()
	c.events.add("shutting down %s", s.Name())
	s.Shutdown()
	s.WaitForShutdown()
	c.events.add("%s is down", s.Name())
	return at
}

// survivor returns a running node other than s.
func (c *r3Cluster) survivor(s *server.Server) *server.Server {
	for _, o := range c.servers {
		if o != s && o.Running() {
			return o
		}
	}
	return nil
}

// leaders describes who leads what, for the test log.
func (c *r3Cluster) leaders() string {
	name := func(s *server.Server) string {
		if s == nil {
			return "none"
		}
		return s.Name()
	}
	return fmt.Sprintf("meta=%s tasks=%s consumer=%s status=%s",
		name(natstest.MetaLeader(c.servers)),
		name(natstest.StreamLeader(c.servers, job.StreamName)),
		name(natstest.ConsumerLeader(c.servers, job.StreamName, job.ConsumerName(""))),
		name(natstest.StreamLeader(c.servers, statusStream)))
}

// statusStream is the stream behind the status bucket.
const statusStream = "KV_" + job.BucketName

// waitLeader polls until leader() names a running node, or d passes.
func waitLeader(d time.Duration, leader func() *server.Server) (*server.Server, time.Duration) {
	start := time.Now()
	for time.Since(start) < d {
		if s := leader(); s != nil {
			return s, time.Since(start)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil, time.Since(start)
}

// eventLog collects what happened, with times since the start, for the
// test's report (callbacks of client connections may outlive the test, so
// they never call t.Log).
type eventLog struct {
	start time.Time
	mu    sync.Mutex
	lines []string
}

func (l *eventLog) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%7.3fs ", time.Since(l.start).Seconds())+fmt.Sprintf(format, args...))
}

func (l *eventLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
