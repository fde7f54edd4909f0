// Package bus is all of jetplay's JetStream: it creates the work-queue stream,
// the executors' durable consumer and the status bucket, publishes tasks
// (de-duplicated by jid), and reads and writes status records with
// compare-and-set. The names it uses come from package job.
package bus
