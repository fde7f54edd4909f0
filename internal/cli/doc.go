// Package cli turns the commands' parsed options into running components:
// it is the "config → Run" step shared by cmd/publisher, cmd/executor and
// cmd/watcher, so that each main stays a page of flags.
package cli
