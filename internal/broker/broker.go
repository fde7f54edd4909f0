// Package broker runs an embedded nats-server with JetStream, configured from
// a nats-server config file (nats.conf) or from defaults, for the publisher's
// no-URL mode and for tests.
package broker

import (
	"cmp"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/rs/zerolog"
)

// Config configures an embedded server.
type Config struct {
	// ConfigFile is a nats-server config file to load; empty means built-in
	// defaults (JetStream on, loopback).
	ConfigFile string
	// StoreDir overrides the JetStream store directory (a temp dir per run).
	// Required.
	StoreDir string
	// Port overrides the client port; 0 keeps the file's, -1 picks a free one.
	// With no ConfigFile the default is -1.
	Port int
	// DontListen serves in-process connections only (no TCP port). Default false.
	DontListen bool
	// ReadyTimeout bounds the wait for the server to accept connections.
	// Default 10s.
	ReadyTimeout time.Duration
	// Logger receives the server's log lines at debug level (zero: discarded).
	Logger zerolog.Logger
}

// Server is a running embedded nats-server.
type Server struct {
	*server.Server
}

// Options turns a Config into nats-server options (loading ConfigFile).
func Options(cfg Config) (*server.Options, error) {
	opts := &server.Options{Host: "127.0.0.1", Port: -1}
	if cfg.ConfigFile != "" {
		o, err := server.ProcessConfigFile(cfg.ConfigFile)
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", cfg.ConfigFile, err)
		}
		opts = o
	}
	if cfg.StoreDir == "" {
		return nil, errors.New("broker: StoreDir is required")
	}
	opts.JetStream = true
	opts.StoreDir = cfg.StoreDir
	if cfg.Port != 0 {
		opts.Port = cfg.Port
	}
	opts.DontListen = cfg.DontListen
	opts.NoSigs = true
	opts.NoLog = cfg.Logger.GetLevel() == zerolog.Disabled
	return opts, nil
}

// Start starts a server and waits until it accepts connections.
func Start(cfg Config) (*Server, error) {
	opts, err := Options(cfg)
	if err != nil {
		return nil, err
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("embedded nats-server: %w", err)
	}
	if !opts.NoLog {
		s.SetLoggerV2(logAdapter{cfg.Logger}, false, false, false)
	}
	go s.Start()
	if !s.ReadyForConnections(cmp.Or(cfg.ReadyTimeout, 10*time.Second)) {
		s.Shutdown()
		return nil, errors.New("embedded nats-server did not become ready")
	}
	return &Server{s}, nil
}

// Connect opens a client connection to the server (in-process when it does
// not listen).
func (s *Server) Connect(opts ...nats.Option) (*nats.Conn, error) {
	opts = append(opts, nats.InProcessServer(s.Server))
	return nats.Connect("", opts...)
}

// Stop shuts the server down and waits for it.
func (s *Server) Stop() {
	if s == nil || s.Server == nil {
		return
	}
	s.Shutdown()
	s.WaitForShutdown()
}

type logAdapter struct{ l zerolog.Logger }

func (a logAdapter) Noticef(f string, v ...any) { a.l.Debug().Msgf(f, v...) }
func (a logAdapter) Warnf(f string, v ...any)   { a.l.Debug().Msgf(f, v...) }
func (a logAdapter) Fatalf(f string, v ...any)  { a.l.Error().Msgf(f, v...) }
func (a logAdapter) Errorf(f string, v ...any)  { a.l.Debug().Msgf(f, v...) }
func (a logAdapter) Debugf(f string, v ...any)  { a.l.Trace().Msgf(f, v...) }
func (a logAdapter) Tracef(f string, v ...any)  { a.l.Trace().Msgf(f, v...) }
