// Package cli is what the commands share on their way from flags to a
// running system: the NATS credential flags, connecting to the bus, and
// profiles. Each command's own wiring is a package below it, so that each
// binary links only what it runs:
//
//	cli/publish   cmd/publisher: playbooks and ad-hoc mode, embedded or not
//	cli/execute   cmd/executor: the executor daemon, and the SSH settings
//	              the publisher's embedded executors share with it
//	cli/watch     cmd/watcher: wait, status, watch, logs, cancel
package cli
