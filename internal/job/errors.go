package job

import "errors"

var (
	// ErrBadID means a string is not a jid.
	ErrBadID = errors.New("invalid job id")
	// ErrBadMessage means a task message cannot be decoded or fails validation.
	ErrBadMessage = errors.New("invalid task message")
	// ErrBadTransition means a status change is not allowed by the state machine.
	ErrBadTransition = errors.New("invalid state transition")
	// ErrUnsupportedVersion means a message carries a version this build does not know.
	ErrUnsupportedVersion = errors.New("unsupported message version")
)
