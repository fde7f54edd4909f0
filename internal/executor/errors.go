package executor

import "errors"

var (
	// errFinal means the job already has a final state: the message is a
	// leftover and is acked without running anything.
	errFinal = errors.New("job already final")
	// errHeld means another delivery of the same job is running right now.
	errHeld = errors.New("job running elsewhere")
)
