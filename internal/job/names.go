package job

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Names on the wire. Everything that talks to NATS builds its names here.
const (
	// StreamName is the work-queue stream that holds task messages.
	StreamName = "JETPLAY_TASKS"
	// SubjectPrefix starts every task subject: jetplay.tasks.<pool>.
	SubjectPrefix = "jetplay.tasks"
	// DefaultPool is the executor pool a task goes to when it names none.
	DefaultPool = "default"
	// BucketName is the KV bucket of status records, keyed by jid.
	BucketName = "jetplay_status"
	// CancelSubjectPrefix starts the subjects a cancel request is sent on:
	// jetplay.cancel.<jid>.
	CancelSubjectPrefix = "jetplay.cancel"
	// ConsumerPrefix starts the durable consumer name of a pool.
	ConsumerPrefix = "executors-"
	// ProbeSubjectPrefix starts the subjects on which the executor holding a
	// job answers "still mine": jetplay.probe.<jid>.
	ProbeSubjectPrefix = "jetplay.probe"
	// OutputStream keeps the live output of jobs for a while (replay for late
	// readers), on subjects OutputSubjectPrefix.<jid>.
	OutputStream = "JETPLAY_OUTPUT"
	// OutputSubjectPrefix starts the subjects of live output chunks.
	OutputSubjectPrefix = "jetplay.output"
	// IdempotencyBucket maps producers' idempotency keys to the jid they
	// created, so a resubmission returns the same job.
	IdempotencyBucket = "jetplay_idempotency"
	// PayloadBucket is the object store bucket of module payloads, each
	// object named by the SHA-256 of its bytes (PayloadObject).
	PayloadBucket = "jetplay_payloads"
	// PayloadStream is the stream JetStream keeps PayloadBucket in; access
	// control names it (docs/security.md).
	PayloadStream = "OBJ_" + PayloadBucket
	// QueuedRevisionHeader, on a task message, is the KV revision at which
	// the producer created the job's queued record, NewQueued(task,
	// task.Submitted). Optional: with it an executor claims the job by a
	// compare-and-set on that revision without reading the record first
	// (and reads it only if the record has moved on since).
	QueuedRevisionHeader = "Jetplay-Queued-Rev"
)

// TaskSubject is the subject a task for pool is published on.
// An empty pool means DefaultPool.
func TaskSubject(pool string) string {
	if pool == "" {
		pool = DefaultPool
	}
	return SubjectPrefix + "." + pool
}

// StreamSubjects are the subjects the work-queue stream captures: every pool.
func StreamSubjects() []string { return []string{SubjectPrefix + ".*"} }

// ConsumerName is the durable pull consumer shared by all executors of pool.
func ConsumerName(pool string) string {
	if pool == "" {
		pool = DefaultPool
	}
	return ConsumerPrefix + pool
}

// StatusKey is the KV key of a job's status record: the jid itself.
func StatusKey(id ID) string { return string(id) }

// RunPattern is the KV key pattern that matches every job of a run.
func RunPattern(run RunID) string { return string(run) + ".*" }

// OutputSubject is the subject a job's live output chunks are published on.
func OutputSubject(id ID) string { return OutputSubjectPrefix + "." + string(id) }

// ProbeSubject is the subject a job's holder answers on.
func ProbeSubject(id ID) string { return ProbeSubjectPrefix + "." + string(id) }

// CancelSubject is the subject a cancel request for id is published on.
func CancelSubject(id ID) string { return CancelSubjectPrefix + "." + string(id) }

// CancelSubjects matches the cancel subject of every job.
func CancelSubjects() string { return CancelSubjectPrefix + ".>" }

// ProbeSubjects matches the probe subject of every job.
func ProbeSubjects() string { return ProbeSubjectPrefix + ".>" }

// OutputSubjects matches the output subject of every job: what the output
// stream captures.
func OutputSubjects() string { return OutputSubjectPrefix + ".>" }

// SubjectJob is the job a per-job subject names (CancelSubject,
// ProbeSubject, OutputSubject: prefix.<jid>); false when subject is not
// prefix followed by a dot and a non-empty rest.
func SubjectJob(prefix, subject string) (ID, bool) {
	rest, ok := strings.CutPrefix(subject, prefix+".")
	if !ok || rest == "" {
		return "", false
	}
	return ID(rest), true
}

// MaxDeliveriesSubject is the subject of the server's advisory that the
// consumer of pool stopped delivering a task message (it reached its
// MaxDeliver): io.nats.jetstream.advisory.v1.max_deliver.
func MaxDeliveriesSubject(pool string) string {
	return "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + StreamName + "." + ConsumerName(pool)
}

// IdempotencyKey is the KV key under which an idempotency key is kept: its
// SHA-256, so that any string a producer chooses is a valid key.
func IdempotencyKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// PayloadObject is the object name of a payload in PayloadBucket: its
// SHA-256 in lower-case hex.
func PayloadObject(ref PayloadRef) string { return ref.SHA256 }

// ValidPool reports whether p can be used as a pool name: one subject token.
func ValidPool(p string) bool {
	return p != "" && !strings.ContainsAny(p, ".*> \t\r\n")
}
