package job

import (
	"encoding/json"
	"fmt"
	"time"
)

// Status is the record kept in the KV bucket under the jid. Every change of
// state is a new revision, written with compare-and-set on the previous one.
type Status struct {
	// V is the format version; always Version.
	V int `json:"v"`
	// JID is the job id (also the key).
	JID ID `json:"jid"`
	// Run is the job's run.
	Run RunID `json:"run"`
	// State is where the job is; see State.
	State State `json:"state"`
	// Host is the inventory name of the target host.
	Host string `json:"host"`
	// Name is the task's display name.
	Name string `json:"name,omitempty"`
	// Module is the canonical module name.
	Module string `json:"module,omitempty"`
	// Executor names the executor that holds or held the job.
	Executor string `json:"executor,omitempty"`
	// Attempt counts deliveries of the task message to executors (1 = first).
	Attempt int `json:"attempt,omitempty"`
	// Async is the job's deadline in seconds (0 = none), copied from the task.
	Async int `json:"async,omitempty"`
	// Queued, Started and Ended are when the job entered those states
	// (Started: when an executor claimed it, which is before its command
	// starts; see PID).
	Queued  time.Time  `json:"queued_at"`
	Started *time.Time `json:"started_at,omitempty"`
	Ended   *time.Time `json:"ended_at,omitempty"`
	// PID is the process id (and process group) of an async job's command
	// on its host, written on the running record once that process exists:
	// the answer of a poll: 0 launch waits for it (see Launched). 0 until
	// then, and for jobs that are not async.
	PID int `json:"pid,omitempty"`
	// Result is the module's result in Ansible's shape (rc, stdout, stderr,
	// cmd, start, end, delta, msg, changed, failed, ...). Set in final states;
	// for no_log tasks the output fields are replaced by a censored marker.
	Result map[string]any `json:"result,omitempty"`
	// Reason explains a Failed, TimedOut, Cancelled, Lost or Rejected state in
	// one line (e.g. "unreachable: dial tcp ...", "cancelled by alice").
	Reason string `json:"reason,omitempty"`
	// Unreachable is true when the host could not be reached at all.
	Unreachable bool `json:"unreachable,omitempty"`
	// TaskTimeout is true when the task's timeout keyword passed and the
	// executor killed the command: the state is Failed (Ansible fails the
	// task) and the result carries Ansible's message (TimeoutMessage).
	TaskTimeout bool `json:"task_timeout,omitempty"`
	// CancelRequestedBy names who asked a running job to stop; the executor
	// holding it kills it and records Cancelled.
	CancelRequestedBy string `json:"cancel_requested_by,omitempty"`
}

// NewQueued is the first record of a job, written before its task is published.
func NewQueued(t *Task, now time.Time) Status {
	return Status{V: Version, JID: t.JID, Run: t.Run, State: Queued, Host: t.Host,
		Name: t.Name, Module: t.Module, Async: t.Async, Queued: now.UTC()}
}

// Move returns a copy of s in state next, stamping Started or Ended, or
// ErrBadTransition when the state machine forbids the move.
func (s Status) Move(next State, now time.Time) (Status, error) {
	if !s.State.CanMove(next) {
		return s, fmt.Errorf("%w: %s → %s for job %s", ErrBadTransition, s.State, next, s.JID)
	}
	now = now.UTC()
	out := s
	out.State = next
	if next == Running && out.Started == nil {
		out.Started = &now
	}
	if next.Final() {
		out.Ended = &now
	}
	return out, nil
}

// Launched reports whether a poll: 0 launch of the job may answer: its
// command's process exists on its host (running with a PID), or the job has
// ended (a module that ran no command, a quick job, an unreachable host).
func (s Status) Launched() bool {
	return s.State.Final() || s.State == Running && s.PID > 0
}

// Encode returns the record's JSON.
func (s *Status) Encode() ([]byte, error) { return json.Marshal(s) }

// DecodeStatus parses a status record.
func DecodeStatus(data []byte) (Status, error) {
	var s Status
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("decode status: %w", err)
	}
	if s.V != Version {
		return s, fmt.Errorf("%w: status v %d", ErrUnsupportedVersion, s.V)
	}
	return s, nil
}
