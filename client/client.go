// Package client is the Go API for services that submit jobs to jetplay and
// watch them, without knowing which executor runs them. It speaks the wire
// contract of docs/protocol.md through the same code the publisher, the
// executors and the watcher use.
//
// A minimal producer:
//
//	c, _ := client.New(ctx, client.Config{Conn: nc})
//	id, _ := c.Submit(ctx, client.Task{Host: "web1", Module: "command",
//		Args: map[string]any{"_raw_params": "systemctl restart nginx"}})
//	st, _ := c.Wait(ctx, id, client.Final)
package client

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/watcher"
)

// The wire types, under the names a producer uses.
type (
	// Task is a job to run: one module on one host. See docs/protocol.md.
	Task = job.Task
	// Target says how an executor reaches the host.
	Target = job.Target
	// Status is a job's status record.
	Status = job.Status
	// JID is a job id.
	JID = job.ID
	// RunID groups jobs; every Submit without a Run starts a new one.
	RunID = job.RunID
	// State is a job's state.
	State = job.State
)

// The job states; see docs/protocol.md for the state machine.
const (
	Queued    = job.Queued
	Running   = job.Running
	Succeeded = job.Succeeded
	Failed    = job.Failed
	TimedOut  = job.TimedOut
	Cancelled = job.Cancelled
	Lost      = job.Lost
	Rejected  = job.Rejected
)

// ErrNotFound means a job has no status record.
var ErrNotFound = bus.ErrNotFound

// Config configures a Client.
type Config struct {
	// Conn is a connection to the NATS cluster. Required.
	Conn *nats.Conn
	// Replicas is used when the stream and bucket do not exist yet. Default 1.
	Replicas int
	// Pool is the executor pool tasks go to when they name none. Default "default".
	Pool string
}

// Client submits, waits on, watches and cancels jobs.
type Client struct {
	bus  *bus.Bus
	pool string
}

// New opens (creating when needed) the stream and the buckets.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.Conn == nil {
		return nil, errors.New("client: Conn is required")
	}
	b, err := bus.OpenConn(ctx, cfg.Conn, bus.Config{Replicas: cfg.Replicas})
	if err != nil {
		return nil, err
	}
	return &Client{bus: b, pool: cfg.Pool}, nil
}

// SubmitOption is an optional per-call setting of Submit.
type SubmitOption func(*submitOptions) error

type submitOptions struct{ key string }

// WithIdempotencyKey makes Submit return the job already submitted under
// key, if any, instead of submitting again; keys are kept as long as status
// records (days), not just the stream's two-minute duplicate window.
func WithIdempotencyKey(key string) SubmitOption {
	return func(o *submitOptions) error {
		if key == "" {
			return errors.New("client: empty idempotency key")
		}
		o.key = key
		return nil
	}
}

// Submit records and publishes t and returns its jid. Unset fields are
// filled in: V, Run (a new run), JID (the run's next job), Pool, Submitted.
// t.Target.Connection defaults to ssh.
func (c *Client) Submit(ctx context.Context, t Task, opts ...SubmitOption) (JID, error) {
	var o submitOptions
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return "", err
		}
	}
	t.V = job.Version
	if t.JID == "" {
		if t.Run == "" {
			t.Run = job.NewRunID()
		}
		t.JID = t.Run.Job(1)
	}
	if t.Run == "" {
		t.Run = t.JID.Run()
	}
	if t.Pool == "" {
		t.Pool = c.pool
	}
	if t.Submitted.IsZero() {
		t.Submitted = time.Now().UTC()
	}
	id, _, err := c.bus.SubmitOnce(ctx, &t, o.key)
	return id, err
}

// Cond decides whether a wait is over; it sees every status change.
type Cond func(Status) (bool, error)

// Final holds once the job reached a final state.
func Final(s Status) (bool, error) { return s.State.Final(), nil }

// Wait blocks until cond holds for job id (or ctx ends) and returns the
// status that satisfied it. It watches the job's record: no polling.
func (c *Client) Wait(ctx context.Context, id JID, cond Cond) (Status, error) {
	got, err := c.WaitAll(ctx, []JID{id}, cond)
	return got[id], err
}

// WaitAll waits until cond holds for every job, through one watch.
func (c *Client) WaitAll(ctx context.Context, ids []JID, cond Cond) (map[JID]Status, error) {
	got, err := watcher.WaitAll(ctx, c.bus, ids, func(u watcher.Update) (bool, error) { return cond(u.Status) })
	out := make(map[JID]Status, len(got))
	for id, u := range got {
		out[id] = u.Status
	}
	return out, err
}

// Watch calls fn with every status change of the jobs matching pattern (a
// jid, "<run>.*", or "" for all), current values first, until ctx ends or fn
// returns an error.
func (c *Client) Watch(ctx context.Context, pattern string, fn func(Status) error) error {
	return watcher.Watch(ctx, c.bus, pattern, func(u watcher.Update) error { return fn(u.Status) })
}

// Status returns a job's current record.
func (c *Client) Status(ctx context.Context, id JID) (Status, error) {
	st, _, err := c.bus.Status(ctx, id)
	return st, err
}

// Cancel stops a job (see docs/protocol.md, Cancelling): a queued job never
// starts; a running one is killed by its executor. by names who asks.
func (c *Client) Cancel(ctx context.Context, id JID, by string) (Status, error) {
	return c.bus.Cancel(ctx, id, by)
}
