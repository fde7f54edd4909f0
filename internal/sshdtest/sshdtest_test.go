package sshdtest

import (
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func dial(t testing.TB, s *Server) *ssh.Client {
	t.Helper()
	key, err := os.ReadFile(s.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.ParsePrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	hkc, err := knownhosts.New(s.KnownHosts)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Hosts[0]
	c, err := ssh.Dial("tcp", net.JoinHostPort(h.Addr, strconv.Itoa(h.Port)), &ssh.ClientConfig{
		User: h.User, Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)}, HostKeyCallback: hkc, Timeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func run(t testing.TB, c *ssh.Client, cmd string) string {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sess.Close() }()
	out, err := sess.CombinedOutput(cmd)
	if err != nil {
		t.Fatalf("%s: %v: %s", cmd, err, out)
	}
	return string(out)
}

// TestTestUserHasPlainShell: TestUser logs in with /bin/sh into its home,
// and can write to Server.TempDir.
func TestTestUserHasPlainShell(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{User: TestUser})
	c := dial(t, s)
	got := strings.TrimSpace(run(t, c, `echo "$(id -un)|$HOME|$(getent passwd "$(id -un)" | cut -d: -f7)"`))
	want := TestUser + "|" + s.Home + "|/bin/sh"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	tmp := s.TempDir(t)
	run(t, c, "touch "+tmp+"/x")
	if _, err := os.Stat(tmp + "/x"); err != nil {
		t.Fatal(err)
	}
}

// TestCleanHome: with CleanHome the session's HOME is a fresh empty
// directory the user owns.
func TestCleanHome(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{CleanHome: true})
	got := strings.TrimSpace(run(t, dial(t, s), `echo "$HOME|$(ls -A "$HOME" | wc -l)"; touch "$HOME/w"`))
	if want := s.Home + "|0"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestRestartKeepsPortAndKey: after Stop and Restart the same address and
// host key answer.
func TestRestartKeepsPortAndKey(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{User: TestUser, LogLevel: "VERBOSE"})
	run(t, dial(t, s), "true")
	s.Stop()
	if c, err := net.DialTimeout("tcp", net.JoinHostPort(s.Hosts[0].Addr, strconv.Itoa(s.Hosts[0].Port)), time.Second); err == nil {
		_ = c.Close()
		t.Fatal("still listening after Stop")
	}
	s.Restart(t)
	run(t, dial(t, s), "true")
	if n := strings.Count(s.Log(), "Accepted publickey"); n != 2 {
		t.Errorf("%d accepted logins in the log, want 2:\n%s", n, s.Log())
	}
}

// BenchmarkSession measures one exec session on an open connection, as the
// current user (whose ~/.bashrc runs at each login) and as TestUser.
func BenchmarkSession(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts Options
	}{
		{"current-user", Options{}},
		{"current-user-clean-home", Options{CleanHome: true}},
		{"test-user", Options{User: TestUser}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := dial(b, Start(b, bc.opts))
			b.ResetTimer()
			for range b.N {
				run(b, c, "true")
			}
		})
	}
}

// TestDropConnsSeversClients: after DropConns an open client connection is
// dead and a new one works.
func TestDropConnsSeversClients(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{User: TestUser})
	c := dial(t, s)
	run(t, c, "true")
	if n := s.DropConns(); n == 0 {
		t.Fatal("no connection process found")
	}
	done := make(chan struct{})
	go func() {
		_ = c.Wait() // a dropped connection's error: only its end matters
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("client connection still alive after DropConns")
	}
	run(t, dial(t, s), "true")
}
