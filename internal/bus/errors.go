package bus

import (
	"errors"
	"fmt"

	"github.com/jetplay/jetplay/internal/job"
)

var (
	// ErrNotFound means a job has no status record.
	ErrNotFound = errors.New("job not found")
	// ErrExists means a job already has a status record (Create, Submit).
	ErrExists = errors.New("status record exists")
	// ErrConflict means a status write kept losing compare-and-set races.
	ErrConflict = errors.New("status write conflict")
	// ErrUnchanged is returned by an update function to leave the record as it is.
	ErrUnchanged = errors.New("status unchanged")
	// ErrPayloadNotFound means the payload store has no object of a ref's hash.
	ErrPayloadNotFound = errors.New("payload not found")
	// ErrPayloadMismatch means a stored payload does not match the ref that
	// names it (PayloadMismatchError).
	ErrPayloadMismatch = errors.New("payload does not match its reference")
	// ErrPayloadTooLarge means a payload is larger than one object may be
	// (PayloadTooLargeError).
	ErrPayloadTooLarge = errors.New("payload too large")
	// ErrPayloadStoreFull means the payload store has no room for a payload
	// (PayloadStoreFullError).
	ErrPayloadStoreFull = errors.New("payload store full")
)

// PayloadMismatchError is GetPayload refusing a stored object that does not
// match its ref: a tampered or corrupt object, which the executor must not
// run. It names the ref, no job; errors.Is matches ErrPayloadMismatch.
type PayloadMismatchError struct {
	// Ref is the reference the task gave.
	Ref job.PayloadRef
	// Size is the stored object's size, or the bytes read.
	Size int64
	// SHA256 is the hex SHA-256 of the bytes read; empty when the object
	// was refused before reading.
	SHA256 string
	// Reason, when set, says what else was wrong.
	Reason string
}

func (e *PayloadMismatchError) Error() string {
	msg := fmt.Sprintf("%s: %v: the stored object has %d bytes", e.Ref, ErrPayloadMismatch, e.Size)
	if e.SHA256 != "" {
		msg += ", sha256 " + e.SHA256
	}
	if e.Reason != "" {
		msg += "; " + e.Reason
	}
	return msg
}

// Is matches ErrPayloadMismatch.
func (e *PayloadMismatchError) Is(target error) bool { return target == ErrPayloadMismatch }

// PayloadTooLargeError is PutPayload refusing a payload larger than one
// object may be; errors.Is matches ErrPayloadTooLarge.
type PayloadTooLargeError struct {
	// Name is the module.
	Name string
	// Size is the payload's size in bytes.
	Size int64
	// Limit is job.MaxPayloadBytes.
	Limit int64
}

func (e *PayloadTooLargeError) Error() string {
	return fmt.Sprintf("module %s: payload is %d bytes, more than the payload store's limit of %d bytes per object", e.Name, e.Size, e.Limit)
}

// Is matches ErrPayloadTooLarge.
func (e *PayloadTooLargeError) Is(target error) bool { return target == ErrPayloadTooLarge }

// PayloadStoreFullError is PutPayload finding the payload store at its byte
// limit (Config.PayloadMaxBytes, or what the store was set up with);
// errors.Is matches ErrPayloadStoreFull, and Unwrap gives the server's error.
type PayloadStoreFullError struct {
	// Name is the module.
	Name string
	// Size is the payload's size in bytes.
	Size int64
	// Limit is the store's byte limit.
	Limit int64
	// Err is the server's refusal.
	Err error
}

func (e *PayloadStoreFullError) Error() string {
	return fmt.Sprintf("module %s: the payload store has no room for its %d-byte payload (the store holds at most %d bytes in all; old payloads leave it after its age limit): %v", e.Name, e.Size, e.Limit, e.Err)
}

// Is matches ErrPayloadStoreFull.
func (e *PayloadStoreFullError) Is(target error) bool { return target == ErrPayloadStoreFull }

// Unwrap returns the server's error.
func (e *PayloadStoreFullError) Unwrap() error { return e.Err }
