// Package execute is the executor daemon's wiring (cmd/executor): it joins
// the NATS server, opens the bus and runs one executor until stopped. Its
// SSH settings and dialer are also those of the publisher's embedded
// executors.
package execute

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/cli"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/logging"
	"github.com/jetplay/jetplay/internal/playbook"
)

// Options are the executor daemon's flags.
type Options struct {
	NATS         string
	Name         string
	Pool         string
	Concurrency  int
	Replicas     int
	Grace        time.Duration
	Inventory    string
	LogLevel     string
	MetricsAddr  string
	HostLimit    int
	PackageLimit int
	StatusTTL    time.Duration
	// Setup creates or updates the streams, buckets and the pool's consumer
	// (as an administrator), then exits.
	Setup bool
	SSH   SSHOptions
	Auth  cli.NATSAuth
}

// Run runs an executor until ctx is done and returns the exit code: 0 after
// a stop, 1 when the bus cannot be reached or the executor failed, 2 for bad
// options.
func Run(ctx context.Context, o Options, stderr io.Writer) int {
	log, err := logging.New(stderr, o.LogLevel)
	if err != nil {
		fmt.Fprintf(stderr, "executor: --log-level: %v\n", err)
		return 2
	}
	if o.NATS == "" {
		log.Error().Msg("no NATS URL: give --nats or NATS_URL (the publisher embeds a server; an executor daemon joins one)")
		return 2
	}
	// Passwords come from a local inventory file or the environment, never
	// from the bus.
	var secrets Secrets
	if o.Inventory != "" {
		inv, err := playbook.LoadInventory(o.Inventory)
		if err != nil {
			log.Error().Err(err).Msg("secrets inventory")
			return 2
		}
		secrets = inv.HostVars
	}
	natsOpts, err := o.Auth.Options()
	if err != nil {
		log.Error().Err(err).Msg("nats credentials")
		return 2
	}
	b, closeConn, err := cli.Connect(ctx, cli.ConnectConfig{
		URL: o.NATS, NATSOptions: natsOpts, Name: "jetplay-executor",
		Bus: bus.Config{Replicas: o.Replicas, StatusTTL: o.StatusTTL}, Setup: o.Setup, Logger: log,
	})
	if err != nil {
		log.Error().Err(err).Msg("cannot reach the bus")
		return 1
	}
	defer closeConn()
	if o.Setup {
		if _, err := b.Consumer(ctx, o.Pool); err != nil {
			log.Error().Err(err).Msg("setup")
			return 1
		}
		log.Info().Int("replicas", o.Replicas).Msg("streams, buckets and consumer are set up")
		return 0
	}
	d, closeDialer, err := NewDialer(o.SSH, secrets, log)
	if err != nil {
		log.Error().Err(err).Msg("ssh")
		return 2
	}
	defer closeDialer()
	ex, err := executor.New(executor.Config{
		Bus: b, Name: o.Name, Pool: o.Pool, Concurrency: o.Concurrency,
		Dialer: d, Secrets: secrets, Grace: o.Grace, Logger: log,
		HostLimit: o.HostLimit, PackageLimit: o.PackageLimit,
	})
	if err != nil {
		log.Error().Err(err).Msg("executor")
		return 2
	}
	if o.MetricsAddr != "" {
		srv := &http.Server{Addr: o.MetricsAddr, Handler: ex.Handler(), ReadHeaderTimeout: 5 * time.Second}
		ln, err := net.Listen("tcp", o.MetricsAddr)
		if err != nil {
			log.Error().Err(err).Msg("metrics address")
			return 2
		}
		go func() { _ = srv.Serve(ln) }()
		defer func() { _ = srv.Close() }()
		log.Info().Str("addr", ln.Addr().String()).Msg("serving /healthz and /metrics")
	}
	if err := ex.Run(ctx); err != nil {
		log.Error().Err(err).Msg("executor stopped")
		return 1
	}
	return 0
}
