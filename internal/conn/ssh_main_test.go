package conn

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run when a goroutine outlives the tests: every SSH
// pool, session and test server a test starts ends in its cleanup.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
