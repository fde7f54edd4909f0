package job

import "fmt"

// State is where a job is in its life. A job is created Queued, moves to
// Running when an executor claims it, and ends in exactly one final state.
//
//	queued ──► running ──► succeeded | failed | timed_out | cancelled | lost
//	   │
//	   └─────► cancelled | rejected | lost
type State string

const (
	// Queued: the task message is on the stream and no executor holds it yet.
	Queued State = "queued"
	// Running: an executor claimed the job and runs it; an async job's
	// record gets Status.PID once its command's process exists.
	Running State = "running"
	// Succeeded: the command ran and the module reported no failure.
	Succeeded State = "succeeded"
	// Failed: the command ran and failed (non-zero exit, module error,
	// unreachable host).
	Failed State = "failed"
	// TimedOut: the command outlived its async deadline and was killed.
	TimedOut State = "timed_out"
	// Cancelled: someone asked for the job to stop; it was killed or never started.
	Cancelled State = "cancelled"
	// Lost: the job's executor went away and its outcome cannot be known;
	// the command is not started again.
	Lost State = "lost"
	// Rejected: the task message was invalid and nothing ran.
	Rejected State = "rejected"
)

var states = map[string]State{
	"queued": Queued, "running": Running, "succeeded": Succeeded, "failed": Failed,
	"timed_out": TimedOut, "cancelled": Cancelled, "lost": Lost, "rejected": Rejected,
}

// ParseState returns the State named s.
func ParseState(s string) (State, error) {
	st, ok := states[s]
	if !ok {
		return "", fmt.Errorf("unknown job state %q", s)
	}
	return st, nil
}

// Final reports whether s is an end state: nothing changes after it.
func (s State) Final() bool {
	switch s {
	case Succeeded, Failed, TimedOut, Cancelled, Lost, Rejected:
		return true
	}
	return false
}

// CanMove reports whether a job in state s may move to state next.
// Running may be written again over Running (progress updates).
func (s State) CanMove(next State) bool {
	switch s {
	case Queued:
		return next == Running || next == Cancelled || next == Rejected || next == Lost
	case Running:
		return next == Running || next.Final() && next != Rejected
	}
	return false
}
