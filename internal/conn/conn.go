package conn

import (
	"context"
	"time"
)

// Command is one command to run on a host.
type Command struct {
	// Argv runs a program with these arguments and no shell in between.
	// Exactly one of Argv and Script is set.
	Argv []string
	// Script is shell source run by Shell -c Script (the shell module).
	Script string
	// Shell runs Script; empty means /bin/sh.
	Shell string
	// Dir is the working directory; empty means the connection's default
	// (the executor's working directory locally, the login directory remotely).
	Dir string
	// Env is added to the command's environment.
	Env map[string]string
	// Timeout is the deadline after which the whole process group gets TERM,
	// then KILL after Grace; 0 means none.
	Timeout time.Duration
	// Grace is the time between TERM and KILL; 0 means DefaultGrace.
	Grace time.Duration
	// Detach asks for a job that survives the connection (SSH: started under
	// a wrapper on the host, re-attachable by JobID). Local commands ignore it.
	Detach bool
	// JobID names a detached job on the host (the jid).
	JobID string
	// Fresh says that no earlier run of the detached job JobID can have
	// started it on the host (the job's first claim, not a re-attach): a
	// host that cannot be reached before the start is then an
	// *UnreachableError at once, as for a synchronous command, instead of
	// being retried until the job's deadline as for a job that may be
	// running there.
	Fresh bool
	// Become, BecomeUser, BecomeMethod run the command as another user
	// (sudo by default).
	Become       bool
	BecomeUser   string
	BecomeMethod string
	// BecomePassword is given to sudo/su on stdin, first and only to them:
	// the command reads exactly Stdin (the become handshake, become.go;
	// detached jobs give it on the job's stdin). Never logged.
	BecomePassword string
	// Stdin is written to the command's standard input, which is then
	// closed; nil means an empty input. It is bytes rather than an
	// io.Reader so that a Command can be run again (a session retried on a
	// fresh connection) and shared between goroutines. Detached SSH jobs
	// refuse it (ErrDetachedStdin); local commands ignore Detach and take
	// it.
	Stdin []byte
	// Output, when set, is called with each chunk of output as the command
	// writes it (stderr false: stdout), for live streaming; it must not keep
	// p. Detached SSH jobs write their output on the host and deliver it at
	// the end instead.
	Output func(stderr bool, p []byte)
	// Started, when set, is called once the command's process exists on
	// its host, with its pid (which is also its process group): by Local
	// once the child started, and for a detached SSH job once the job has
	// written its pid file (also when Run or Attach finds a job started
	// before). It is called at most once per Run or Attach, and not at all
	// when the command could not start or is seen ended first; it must not
	// block. Synchronous SSH commands do not call it.
	Started func(pid int)
}

// outputWriter adapts Command.Output to an io.Writer.
type outputWriter struct {
	fn     func(bool, []byte)
	stderr bool
}

func (w outputWriter) Write(p []byte) (int, error) {
	w.fn(w.stderr, p)
	return len(p), nil
}

// DefaultGrace is the wait between TERM and KILL.
const DefaultGrace = 2 * time.Second

// Result is what a command did.
type Result struct {
	// RC is the exit code; a command killed by signal N has RC -N, as in
	// Ansible (SIGTERM → -15).
	RC int
	// Stdout and Stderr are the command's output.
	Stdout, Stderr []byte
	// Start and End bracket the command.
	Start, End time.Time
	// TimedOut is true when Timeout killed the command.
	TimedOut bool
	// NotFound is true when the program of Argv could not be started because
	// it does not exist (RC is 2, as Ansible reports it).
	NotFound bool
	// PID is the process (group) id of the command on its host, when known.
	PID int
}

// Conn runs commands on one host. Implementations are safe for concurrent use.
type Conn interface {
	// Run runs c and returns its result. A command that ran and failed is
	// not an error; an error means the command's outcome is unknown or it
	// could not be started (see UnreachableError). On ctx.Done() the command's
	// process group gets TERM, then KILL after Grace, and Run returns ctx.Err().
	Run(ctx context.Context, c Command) (Result, error)
}
