package play

import "errors"

var (
	// ErrNoPlaybook means Run was given nothing to run.
	ErrNoPlaybook = errors.New("no playbook given")
)
