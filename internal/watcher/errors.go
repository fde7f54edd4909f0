package watcher

import "errors"

var (
	// ErrClosed means the hub was stopped while a wait was in progress.
	ErrClosed = errors.New("watcher closed")
	// ErrDeleted means the job's status record was deleted or purged.
	ErrDeleted = errors.New("job status deleted")
)
