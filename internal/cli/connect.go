package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/bus"
)

// ConnectConfig says how a command joins a NATS server.
type ConnectConfig struct {
	// URL is the NATS server URL (or comma-separated URLs). Required.
	URL string
	// NATSOptions are extra client options (NATSAuth.Options).
	NATSOptions []nats.Option
	// Name is the client connection name. Default "jetplay".
	Name string
	// Bus configures the stream and bucket; its Logger is Logger.
	Bus bus.Config
	// Setup sets up the streams and buckets to Bus (bus.SetupConn, an
	// administrator's step) instead of only opening them.
	Setup bool
	// Logger receives the bus's warnings (zero value: discarded).
	Logger zerolog.Logger
}

// Connect connects to the NATS server at cfg.URL with bus.ClientOptions
// and opens the bus; closeConn closes the connection.
func Connect(ctx context.Context, cfg ConnectConfig) (b *bus.Bus, closeConn func(), err error) {
	if cfg.URL == "" {
		return nil, nil, errors.New("connect to NATS: no URL")
	}
	opts := append(bus.ClientOptions(cmp.Or(cfg.Name, "jetplay")), cfg.NATSOptions...)
	nc, err := nats.Connect(cfg.URL, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("connect to NATS %s: %w", cfg.URL, err)
	}
	open := bus.OpenConn
	if cfg.Setup {
		open = bus.SetupConn
	}
	bc := cfg.Bus
	bc.Logger = cfg.Logger
	if b, err = open(ctx, nc, bc); err != nil {
		nc.Close()
		return nil, nil, err
	}
	return b, nc.Close, nil
}
