package interpreter

import (
	"errors"
	"fmt"
)

var (
	// ErrNoPayload means a Task had no Payload.
	ErrNoPayload = errors.New("task has no payload")
	// ErrStyle means a Task's Style is not one of the four.
	ErrStyle = errors.New("unknown module style")
	// ErrNoShebang means a module that needs an interpreter has no "#!"
	// line. Its *ModuleError says so in Ansible's words.
	ErrNoShebang = errors.New("module is missing its interpreter line")
	// ErrTempFiles means the files of an old-style, WANT_JSON or binary
	// module could not be put on the host. Its *ModuleError says so in
	// Ansible's words.
	ErrTempFiles = errors.New("cannot create the module's temporary files")
)

// ModuleError is a failure Ansible reports as the task's msg (an
// AnsibleError raised while the action prepares the module); Msg is that
// text and Err the sentinel to test with errors.Is.
type ModuleError struct {
	Msg string
	Err error
}

func (e *ModuleError) Error() string { return e.Msg }

func (e *ModuleError) Unwrap() error { return e.Err }

func noShebang(module string) error {
	return &ModuleError{Msg: fmt.Sprintf("module (%s) is missing interpreter line", module), Err: ErrNoShebang}
}
