package executor

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/job"
)

// Dialer gives the connection to a task's host.
type Dialer interface {
	Conn(host string, t job.Target) conn.Conn
}

// Secrets gives the passwords of a host; they never travel on the bus.
type Secrets interface {
	// BecomePassword returns the become password for host ("" for none).
	BecomePassword(host string) string
}

// Config configures an Executor.
type Config struct {
	// Bus is the opened stream and bucket. Required.
	Bus *bus.Bus
	// Name identifies this executor in status records. Default: hostname-pid.
	Name string
	// Pool is the pool whose tasks it runs. Default job.DefaultPool.
	Pool string
	// Concurrency caps the jobs it runs at once. Default 256.
	Concurrency int
	// Dialer reaches hosts. Default: local connections only for
	// connection "local", and an error for others.
	Dialer Dialer
	// Secrets gives become passwords. Default: none.
	Secrets Secrets
	// Heartbeat is how often a running job's lease is extended with
	// InProgress. Default: a third of the bus's AckWait.
	Heartbeat time.Duration
	// Grace is how long Run lets running jobs finish after ctx is done before
	// it kills them. Default 30s.
	Grace time.Duration
	// HostLimit caps the jobs this executor runs at once on one host; 0 means
	// no cap beyond Concurrency. Default 0.
	HostLimit int
	// PackageLimit caps package-manager jobs (package, apt, yum, dnf) at once
	// on one host, since they take the package database lock. Default 1;
	// negative means no cap.
	PackageLimit int
	// FetchWait is how long one pull request waits on the server for work;
	// a stop is noticed within it. Default 1s.
	FetchWait time.Duration
	// Logger receives the executor's log (zero value: discarded).
	Logger zerolog.Logger
}

// Executor runs the tasks of one pool.
type Executor struct {
	cfg     Config
	log     zerolog.Logger
	tokens  chan struct{}
	running sync.Map // job.ID → *held
	leases  *leases
	limits  *hostLimiter
	metrics *metrics
	// consuming is true while Run fetches work (for /healthz).
	consuming atomic.Bool
	// maxDeliver is the consumer's delivery limit (-1: none).
	maxDeliver int
	// heartbeatAuto: Heartbeat was not set, so it follows the consumer's AckWait.
	heartbeatAuto bool
}

// New checks cfg and returns an Executor.
func New(cfg Config) (*Executor, error) {
	if cfg.Bus == nil {
		return nil, errors.New("executor: Bus is required")
	}
	if cfg.Name == "" {
		h, _ := os.Hostname()
		cfg.Name = fmt.Sprintf("%s-%d", cmp.Or(h, "executor"), os.Getpid())
	}
	cfg.Pool = cmp.Or(cfg.Pool, job.DefaultPool)
	if !job.ValidPool(cfg.Pool) {
		return nil, fmt.Errorf("executor: invalid pool %q", cfg.Pool)
	}
	cfg.Concurrency = cmp.Or(cfg.Concurrency, 256)
	cfg.Dialer = cmp.Or[Dialer](cfg.Dialer, localOnly{})
	heartbeatAuto := cfg.Heartbeat == 0
	cfg.Heartbeat = cmp.Or(cfg.Heartbeat, cfg.Bus.Config().AckWait/3)
	cfg.Grace = cmp.Or(cfg.Grace, 30*time.Second)
	cfg.PackageLimit = cmp.Or(cfg.PackageLimit, 1)
	cfg.FetchWait = cmp.Or(cfg.FetchWait, time.Second)
	e := &Executor{
		cfg:    cfg,
		log:    cfg.Logger.With().Str("component", "executor").Str("executor", cfg.Name).Logger(),
		tokens: make(chan struct{}, cfg.Concurrency),
		limits: newHostLimiter(), metrics: newMetrics(), leases: newLeases(),
		maxDeliver: cfg.Bus.Config().MaxDeliver, heartbeatAuto: heartbeatAuto,
	}
	return e, nil
}

// Name is the executor's name as written in status records.
func (e *Executor) Name() string { return e.cfg.Name }

// Run consumes tasks until ctx is done, then stops fetching, lets running
// jobs finish within Grace, kills the rest, and returns once every job
// goroutine has returned. It returns nil after a stop by ctx.
func (e *Executor) Run(ctx context.Context) error {
	cons, err := e.cfg.Bus.Consumer(ctx, e.cfg.Pool)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped before it started: a stop, not a failure
		}
		return err
	}
	// Whoever created the consumer decided its lease and delivery limit.
	if l, ok := cons.Limits(); ok {
		e.maxDeliver = l.MaxDeliver
		if e.heartbeatAuto && l.AckWait > 0 {
			e.cfg.Heartbeat = l.AckWait / 3
		}
	}
	// Jobs run under their own context: a stop gives them Grace to finish.
	jobCtx, killJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer killJobs()
	sub, err := e.listenCancels()
	if err != nil {
		return fmt.Errorf("listen for cancels: %w", err)
	}
	defer sub.Stop()
	probes, err := e.listenProbes()
	if err != nil {
		return fmt.Errorf("listen for probes: %w", err)
	}
	defer probes.Stop()
	adv, err := e.listenMaxDeliveries()
	if err != nil {
		return fmt.Errorf("listen for max-deliveries advisories: %w", err)
	}
	defer adv.Stop()
	// Leases are extended until the last job has returned, grace included.
	beatCtx, stopBeats := context.WithCancel(context.WithoutCancel(ctx))
	beatsDone := make(chan struct{})
	go func() { defer close(beatsDone); e.leases.run(beatCtx, e.cfg.Heartbeat) }()
	defer func() { stopBeats(); <-beatsDone }()
	var wg sync.WaitGroup
	e.consuming.Store(true)
	defer e.consuming.Store(false)
	e.log.Info().Str("pool", e.cfg.Pool).Int("concurrency", e.cfg.Concurrency).Msg("executor started")

	for ctx.Err() == nil {
		// Take one token before asking for work, so a busy executor leaves
		// tasks to idle ones; then take as many more as are free.
		select {
		case e.tokens <- struct{}{}:
		case <-ctx.Done():
			continue
		}
		n := 1
	more:
		for n < cap(e.tokens) {
			select {
			case e.tokens <- struct{}{}:
				n++
			default:
				break more
			}
		}
		// The pull request expires on the server after FetchWait, not by a
		// client-side context: a message the server sent just before a
		// client deadline would be dropped unread and wait out the whole
		// AckWait (30 s) before its redelivery.
		batch, err := cons.Fetch(n, e.cfg.FetchWait)
		if err != nil {
			e.release(n)
			if ctx.Err() == nil {
				e.log.Warn().Err(err).Msg("fetch failed; retrying")
				sleepCtx(ctx, 200*time.Millisecond)
			}
			continue
		}
		got := 0
		for msg := range batch.All() {
			got++
			if ctx.Err() != nil {
				// Stopping: hand what arrived since back at once.
				_ = msg.Nak()
				e.release(1)
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer e.release(1)
				e.handle(jobCtx, msg)
			}()
		}
		e.release(n - got)
		if err := batch.Err(); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			e.log.Debug().Err(err).Msg("fetch ended")
		}
	}

	e.consuming.Store(false)
	e.log.Info().Dur("grace", e.cfg.Grace).Msg("stopping: no new work; waiting for running jobs")
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(e.cfg.Grace):
		e.log.Warn().Msg("grace period over: cancelling running jobs")
		killJobs()
		<-done
	}
	e.log.Info().Msg("executor stopped")
	return nil
}

func (e *Executor) release(n int) {
	for range n {
		<-e.tokens
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

type localOnly struct{}

func (localOnly) Conn(host string, t job.Target) conn.Conn {
	if t.Connection == job.ConnLocal {
		return conn.Local{}
	}
	return unsupported{t.Connection}
}

type unsupported struct{ kind string }

func (u unsupported) Run(context.Context, conn.Command) (conn.Result, error) {
	return conn.Result{}, fmt.Errorf("connection %q is not configured in this executor", cmp.Or(u.kind, job.ConnSSH))
}
