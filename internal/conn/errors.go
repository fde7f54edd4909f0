package conn

import (
	"errors"
	"fmt"
)

var (
	// ErrUnreachable marks a host that could not be connected to or
	// authenticated against. Test with errors.Is.
	ErrUnreachable = errors.New("unreachable")
	// ErrHostKey means the host's key did not match the known one.
	ErrHostKey = errors.New("host key mismatch")
	// ErrNoCommand means a Command had neither Argv nor Script.
	ErrNoCommand = errors.New("command has neither argv nor script")
	// ErrDetachedStdin means a detached command had a Stdin. A detached
	// job's input is the become password or /dev/null: the job is started
	// by the connection's control shell, which reads its own commands as
	// lines on its stdin (a payload cannot cross that line protocol), and
	// the job's monitor outlives every session that could feed it.
	ErrDetachedStdin = errors.New("a detached job takes no stdin")
	// ErrBecomePassword means the become method refused the password.
	// Test with errors.Is; the error is a *BecomeError.
	ErrBecomePassword = errors.New("incorrect become password")
)

// BecomeError says that the become method refused the password; its Error
// text is Ansible's ("Incorrect sudo password"). Run returns it with the
// command's Result (rc and stderr of the become method).
type BecomeError struct {
	// Method is the become method, e.g. "sudo".
	Method string
}

func (e *BecomeError) Error() string { return "Incorrect " + e.Method + " password" }

// Is makes errors.Is(err, ErrBecomePassword) true.
func (e *BecomeError) Is(target error) bool { return target == ErrBecomePassword }

// UnreachableError says why a host could not be reached. Its Error text is
// Ansible's wording for the case ("Failed to connect to the host via ssh: ...").
type UnreachableError struct {
	Host string
	Err  error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("Failed to connect to the host via ssh: %v", e.Err)
}

func (e *UnreachableError) Unwrap() []error { return []error{ErrUnreachable, e.Err} }
