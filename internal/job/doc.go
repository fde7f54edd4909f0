// Package job is jetplay's wire contract: the task message that goes onto the
// work-queue stream, the status record kept in the KV bucket, the job id and
// run id formats, the job state machine, and every subject, stream, consumer
// and bucket name. It imports no other jetplay package; docs/protocol.md
// describes the same contract for producers written in other languages.
package job
