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
)

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
