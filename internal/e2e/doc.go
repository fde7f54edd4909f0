// Package e2e holds end-to-end tests: the publisher, executors and the
// watcher against a real embedded nats-server, as separate components
// talking only through the bus.
package e2e
