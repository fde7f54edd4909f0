// Package testenv finds what a test needs from the machine it runs on.
// Without it the test is skipped, unless the environment variable CI is
// set: there a missing prerequisite fails the test.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// LookPath returns the path of the command name found on PATH. When there
// is none it skips t, or fails it when CI is set.
func LookPath(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set but %s is not installed: %v", name, err)
	}
	t.Skipf("%s not installed: %v", name, err)
	return ""
}
