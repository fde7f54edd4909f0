package sshdtest

import (
	"errors"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// userLock serializes useradd across test binaries running at once
// (useradd itself fails when another holds /etc/passwd's lock).
var userLock = filepath.Join(os.TempDir(), "jetplay-sshdtest-useradd.lock")

// EnsureUser returns the user name, creating it first when it does not
// exist: `useradd -m -s /bin/sh -p '*' NAME`, which needs root (the
// password '*' matches nothing, but unlike useradd's default '!' it does not
// lock the account, which sshd refuses without PAM). Concurrent callers,
// in this process or others, are serialized by a lock file; a user that
// appeared meanwhile is fine. Without root and without the user, the test is
// skipped (it fails when the environment variable CI is set).
func EnsureUser(t testing.TB, name string) *user.User {
	t.Helper()
	if u, err := user.Lookup(name); err == nil {
		return u
	}
	if os.Getuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatalf("sshdtest: user %s is missing and only root can create it", name)
		}
		t.Skipf("sshdtest: user %s is missing and only root can create it (useradd -m -s /bin/sh %s)", name, name)
	}
	f, err := os.OpenFile(userLock, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatalf("sshdtest: lock file: %v", err)
	}
	defer func() { _ = f.Close() }()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatalf("sshdtest: lock %s: %v", userLock, err)
	}
	defer func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }()
	if u, err := user.Lookup(name); err == nil {
		return u
	}
	out, err := exec.Command("useradd", "-m", "-s", "/bin/sh", "-p", "*", "-c", "jetplay test user", name).CombinedOutput()
	var exit *exec.ExitError
	// 9: the name is taken (someone else created it without our lock).
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 9) {
		t.Fatalf("sshdtest: useradd %s: %v: %s", name, err, strings.TrimSpace(string(out)))
	}
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatalf("sshdtest: user %s after useradd: %v", name, err)
	}
	return u
}
