package job

import (
	"encoding/json"
	"fmt"
	"time"
)

// Version is the version of the task message and status record formats.
const Version = 1

// MaxTaskBytes bounds an encoded task message; larger ones are rejected.
const MaxTaskBytes = 1 << 20

// Task is the message an executor consumes: one module run on one host.
// It is JSON on the wire, published on TaskSubject(Pool) with the header
// Nats-Msg-Id set to JID so that a resend is stored once.
type Task struct {
	// V is the format version; always Version.
	V int `json:"v"`
	// JID is the job id; the status record lives under this key.
	JID ID `json:"jid"`
	// Run is the run the job belongs to (the jid's prefix).
	Run RunID `json:"run"`
	// Pool is the executor pool that should run it; empty means DefaultPool.
	Pool string `json:"pool,omitempty"`
	// Name is the task's display name (for logs and status; may be empty).
	Name string `json:"name,omitempty"`
	// Host is the inventory name of the target host.
	Host string `json:"host"`
	// Target says how to reach the host.
	Target Target `json:"target,omitzero"`
	// Module is the canonical module name, e.g. "command", "shell".
	Module string `json:"module"`
	// Args are the module arguments, already templated.
	Args map[string]any `json:"args,omitempty"`
	// Payload, when set, names the module's payload in PayloadBucket: the
	// executor fetches it, checks its hash and runs it on the host instead
	// of a native module. Nil means a native module (Module).
	Payload *PayloadRef `json:"payload,omitempty"`
	// Async is the job's deadline in seconds; 0 means none. At the deadline the
	// executor kills the job's whole process group and records TimedOut.
	Async int `json:"async,omitempty"`
	// Timeout is the task keyword timeout, in seconds, for a job that is not
	// async; 0 means none. When it passes the executor kills the command and
	// records the job failed with Ansible's message (TimeoutMessage).
	Timeout int `json:"timeout,omitempty"`
	// Env is extra environment for the command (the task's `environment`).
	Env map[string]string `json:"env,omitempty"`
	// NoLog hides the result's output from status records and logs.
	NoLog bool `json:"no_log,omitempty"`
	// Check runs the module in check mode: it reports what it would change
	// and changes nothing (ansible-playbook --check, check_mode: true).
	Check bool `json:"check,omitempty"`
	// Diff asks the module for the diff of what it changes (or would
	// change, with Check) in its result's "diff" key (--diff, diff: true).
	Diff bool `json:"diff,omitempty"`
	// Submitted is when the producer published the task (RFC 3339).
	Submitted time.Time `json:"submitted"`
}

// Target is how to reach a host. Secrets (passwords) never travel here: an
// executor takes them from its own configuration or environment.
type Target struct {
	// Connection is "local" or "ssh"; empty means "ssh".
	Connection string `json:"connection,omitempty"`
	// Address is the host name or IP to dial (ansible_host); empty means Host.
	Address string `json:"address,omitempty"`
	// Port is the SSH port; 0 means 22.
	Port int `json:"port,omitempty"`
	// User is the remote login user (ansible_user); empty means the executor's user.
	User string `json:"user,omitempty"`
	// KeyFile is a private key path on the executor's machine.
	KeyFile string `json:"key_file,omitempty"`
	// SSHArgs are extra ssh options (ansible_ssh_common_args), e.g. "-o ProxyJump=bastion".
	SSHArgs string `json:"ssh_args,omitempty"`
	// Become runs the command as another user.
	Become bool `json:"become,omitempty"`
	// BecomeUser is the user to become; empty means root.
	BecomeUser string `json:"become_user,omitempty"`
	// BecomeMethod is "sudo" (default) or "su".
	BecomeMethod string `json:"become_method,omitempty"`
}

// Connection kinds.
const (
	ConnLocal = "local"
	ConnSSH   = "ssh"
)

// Encode returns the JSON of t after validating it.
func (t *Task) Encode() ([]byte, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(t)
}

// DecodeTask parses and validates a task message. Errors wrap ErrBadMessage
// or ErrUnsupportedVersion and name the offending field. When the message is
// JSON with a jid, the returned Task carries it even on error, so the caller
// can record a Rejected state for that job.
func DecodeTask(data []byte) (Task, error) {
	var t Task
	if len(data) > MaxTaskBytes {
		var probe struct {
			JID ID `json:"jid"`
		}
		_ = json.Unmarshal(data, &probe)
		t.JID = probe.JID
		return t, fmt.Errorf("%w: message is %d bytes, more than %d", ErrBadMessage, len(data), MaxTaskBytes)
	}
	if err := json.Unmarshal(data, &t); err != nil {
		var probe struct {
			JID ID `json:"jid"`
		}
		_ = json.Unmarshal(data, &probe)
		t = Task{JID: probe.JID}
		return t, fmt.Errorf("%w: %v", ErrBadMessage, err)
	}
	return t, t.Validate()
}

// Validate checks the fields a task must have.
func (t *Task) Validate() error {
	switch {
	case t.V != Version:
		return fmt.Errorf("%w: field v is %d, this build speaks %d", ErrUnsupportedVersion, t.V, Version)
	case t.JID == "":
		return fmt.Errorf("%w: field jid is missing", ErrBadMessage)
	}
	if _, err := ParseID(string(t.JID)); err != nil {
		return fmt.Errorf("%w: field jid: %v", ErrBadMessage, err)
	}
	switch {
	case t.Run != t.JID.Run():
		return fmt.Errorf("%w: field run %q does not match jid %s", ErrBadMessage, t.Run, t.JID)
	case t.Host == "":
		return fmt.Errorf("%w: field host is missing", ErrBadMessage)
	case t.Module == "":
		return fmt.Errorf("%w: field module is missing", ErrBadMessage)
	case t.Async < 0:
		return fmt.Errorf("%w: field async is negative", ErrBadMessage)
	case t.Pool != "" && !ValidPool(t.Pool):
		return fmt.Errorf("%w: field pool %q is not a single subject token", ErrBadMessage, t.Pool)
	}
	if t.Payload != nil {
		if err := t.Payload.Validate(); err != nil {
			return err
		}
	}
	switch t.Target.Connection {
	case "", ConnLocal, ConnSSH:
	default:
		return fmt.Errorf("%w: field target.connection %q is not local or ssh", ErrBadMessage, t.Target.Connection)
	}
	return nil
}

// TimeoutMessage is the msg of a job killed by its Timeout, as Ansible
// (ansible-core 2.14's task executor) words it for the task keyword timeout.
func TimeoutMessage(module string, seconds int) string {
	return fmt.Sprintf("The %s action failed to execute in the expected time frame (%d) and was terminated", module, seconds)
}
