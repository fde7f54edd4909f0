// Package node is the publisher's embedded mode: it starts a JetStream
// server in the process (from nats.conf, with a temporary store), connects
// to it, opens the bus, and runs in-process executors, so a playbook runs
// on a machine with nothing else running. Commands that join a NATS
// server elsewhere connect with cli.Connect instead, and do not link the
// server.
package node

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/broker"
	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/executor"
)

// Config says how the embedded server and the bus are made.
type Config struct {
	// NATSOptions are extra client options (credentials, when the server's
	// config asks for them).
	NATSOptions []nats.Option
	// ConfigFile is the nats-server config the embedded server loads; empty
	// means built-in defaults.
	ConfigFile string
	// Bus configures the stream and bucket; its Logger is Logger.
	Bus bus.Config
	// Name is the client connection name. Default "jetplay".
	Name string
	// Logger receives lifecycle lines (zero value: discarded).
	Logger zerolog.Logger
}

// Node is an embedded server and a connection to it with the bus open.
type Node struct {
	NC  *nats.Conn
	Bus *bus.Bus

	server *broker.Server
	store  string
	log    zerolog.Logger

	mu    sync.Mutex
	stops []func()
}

// Start starts the embedded server with a temporary store, connects to it
// in process and opens the bus.
func Start(ctx context.Context, cfg Config) (*Node, error) {
	n := &Node{log: cfg.Logger.With().Str("component", "node").Logger()}
	opts := append(bus.ClientOptions(cmp.Or(cfg.Name, "jetplay")), cfg.NATSOptions...)
	var err error
	n.store, err = os.MkdirTemp("", "jetplay-nats-")
	if err != nil {
		return nil, err
	}
	n.server, err = broker.Start(broker.Config{
		ConfigFile: cfg.ConfigFile, StoreDir: n.store, DontListen: true, Logger: cfg.Logger,
	})
	if err != nil {
		_ = os.RemoveAll(n.store)
		return nil, err
	}
	if n.NC, err = n.server.Connect(opts...); err != nil {
		n.Close()
		return nil, fmt.Errorf("connect to NATS (embedded): %w", err)
	}
	bc := cfg.Bus
	bc.Logger = cfg.Logger
	if n.Bus, err = bus.OpenConn(ctx, n.NC, bc); err != nil {
		n.Close()
		return nil, err
	}
	return n, nil
}

// InProcessFetchWait is the executor.Config.FetchWait StartExecutors gives
// in-process executors that set none. An executor notices a stop only when
// its pending pull request expires, so Close waits up to this long for each
// of them; the daemon's default (1 s) was most of the time a short embedded
// run spent shutting down. An idle in-process executor makes 40 in-process
// pull requests a second, which costs next to nothing.
const InProcessFetchWait = 25 * time.Millisecond

// StartExecutors runs count in-process executors with cfg (Bus is filled in,
// and FetchWait defaults to InProcessFetchWait) until Close.
func (n *Node) StartExecutors(count int, cfg executor.Config) error {
	cfg = inProcess(cfg, n.Bus)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range max(count, 1) {
		c := cfg
		if c.Name == "" {
			h, _ := os.Hostname()
			c.Name = fmt.Sprintf("%s-%d-local%d", cmp.Or(h, "jetplay"), os.Getpid(), i+1)
		}
		ex, err := executor.New(c)
		if err != nil {
			cancel()
			wg.Wait()
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := ex.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				n.log.Error().Err(err).Msg("in-process executor stopped")
			}
		}()
	}
	n.mu.Lock()
	n.stops = append(n.stops, func() { cancel(); wg.Wait() })
	n.mu.Unlock()
	return nil
}

// inProcess fills in the Config of an in-process executor.
func inProcess(cfg executor.Config, b *bus.Bus) executor.Config {
	cfg.Bus = b
	cfg.FetchWait = cmp.Or(cfg.FetchWait, InProcessFetchWait)
	return cfg
}

// Close stops in-process executors, the connection and the embedded server,
// and removes the embedded server's store.
func (n *Node) Close() {
	n.mu.Lock()
	stops := n.stops
	n.stops = nil
	n.mu.Unlock()
	for _, s := range stops {
		s()
	}
	if n.NC != nil {
		n.NC.Close()
	}
	n.server.Stop()
	if n.store != "" {
		_ = os.RemoveAll(n.store)
	}
}
