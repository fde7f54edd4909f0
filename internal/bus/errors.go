package bus

import "errors"

var (
	// ErrNotFound means a job has no status record.
	ErrNotFound = errors.New("job not found")
	// ErrExists means a job already has a status record (Create, Submit).
	ErrExists = errors.New("status record exists")
	// ErrConflict means a status write kept losing compare-and-set races.
	ErrConflict = errors.New("status write conflict")
	// ErrUnchanged is returned by an update function to leave the record as it is.
	ErrUnchanged = errors.New("status unchanged")
)
