package watcher_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run when a goroutine outlives the tests: every
// server, connection, consumer and watch a test starts ends in its cleanup.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
