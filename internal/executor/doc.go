// Package executor is the consume loop of an executor daemon: it fetches task
// deliveries from its pool's durable consumer (bus.Consumer: the executor
// calls no NATS API itself), claims each job with a compare-and-set in the
// status bucket, runs the module on the host through a connection, keeps the
// delivery's lease with InProgress while it runs (an async job's record gets
// its pid once its process exists), writes the final status, and only then
// acks. A redelivered task whose job already ran is never run again.
// PayloadCache keeps module payloads fetched from the payload store by hash
// (not used by the run step yet).
package executor
