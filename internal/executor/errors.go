package executor

import "errors"

var (
	// errFinal means the job already has a final state: the message is a
	// leftover and is acked without running anything.
	errFinal = errors.New("job already final")
	// errOwnClaim means the record already shows this delivery's claim.
	errOwnClaim = errors.New("claim already recorded")
	// errHeldElsewhere means a live executor answered that it holds the job.
	errHeldElsewhere = errors.New("job held by a live executor")
	// errHeld means another delivery of the same job is running right now.
	errHeld = errors.New("job running elsewhere")
)
