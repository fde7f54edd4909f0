package conn

import (
	"context"
	"time"
)

// Attacher re-attaches to a detached job started earlier on a host, by this
// executor or by another one before it crashed. Only SSH connections
// implement it: local jobs die with their executor.
type Attacher interface {
	// Attach waits for job jobID to end and returns its result. found is
	// false (and err nil) when the host has no such job. c supplies the
	// job's Timeout and Grace, which bound how long Attach keeps trying to
	// reconnect to an unreachable host.
	Attach(ctx context.Context, jobID string, c Command) (res Result, found bool, err error)
}

// Forgetter removes what a detached job left on its host; call it once the
// job's final status is stored.
type Forgetter interface {
	Forget(ctx context.Context, jobID string) error
}

// Killer cancels a detached job: TERM to its whole process group, KILL after
// grace if anything is left. Killing a job that has ended or does not exist
// is a no-op.
type Killer interface {
	Kill(ctx context.Context, jobID string, grace time.Duration) error
}
