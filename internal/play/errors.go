package play

import "errors"

var (
	// ErrNoPlaybook means Run was given nothing to run.
	ErrNoPlaybook = errors.New("no playbook given")
	// ErrAsyncNotSupported is Ansible's refusal of async on a controller action.
	ErrAsyncNotSupported = errors.New("async is not supported for this task.")
)
