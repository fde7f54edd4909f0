// Package bus is all of jetplay's JetStream, and the only package that
// calls its APIs: it creates the work-queue stream, the executors' durable
// consumers, the status and idempotency buckets and the live output
// stream; publishes tasks (de-duplicated by jid) and hands them to
// executors as deliveries to ack, nak or terminate; reads, writes (with
// compare-and-set), deletes and watches status records; and carries the
// cancel and probe requests and the max-deliveries advisory between
// producers and executors. The names it uses come from package job.
package bus
