package conn

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/sshdtest"
	"github.com/jetplay/jetplay/internal/sshtest"
)

// newTestPool returns a pool that uses only the keys and known_hosts files
// the test gives it, logging to the test output.
func newTestPool(t testing.TB, cfg SSHConfig) *SSHPool {
	t.Helper()
	if cfg.KeyFiles == nil {
		cfg.KeyFiles = []string{}
	}
	cfg.NoAgent = true
	cfg.Logger = zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel)
	p, err := NewSSHPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// fakeTarget points at an sshtest server.
func fakeTarget(s *sshtest.Server) job.Target {
	return job.Target{Address: s.Host, Port: s.Port, User: "tester", KeyFile: s.KeyFile}
}

// realTarget points at one address of an sshdtest server.
func realTarget(h sshdtest.Host) job.Target {
	return job.Target{Address: h.Addr, Port: h.Port, User: h.User, KeyFile: h.KeyFile}
}

// startSSHD runs one real sshd on 127.0.0.1 and returns a pool whose job
// directory is in t.TempDir(), and a conn to it.
func startSSHD(t *testing.T) (*sshdtest.Server, *SSHPool, *sshConn, string) {
	t.Helper()
	srv := sshdtest.Start(t, sshdtest.Options{})
	jobs := t.TempDir()
	p := newTestPool(t, SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}, JobDir: jobs})
	return srv, p, p.conn("host1", realTarget(srv.Hosts[0])), jobs
}

// runOutcome is what a Run started by runInBackground returned.
type runOutcome struct {
	res Result
	err error
}

// runInBackground runs cmd on c (for a minute at most) in a goroutine and
// returns the channel its outcome arrives on.
func runInBackground(t *testing.T, c Conn, cmd Command) <-chan runOutcome {
	t.Helper()
	ctx := testCtx(t, time.Minute)
	got := make(chan runOutcome, 1)
	go func() {
		r, err := c.Run(ctx, cmd)
		got <- runOutcome{r, err}
	}()
	return got
}

// waitFor polls cond every 20ms until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func testCtx(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// fileText reads a file, "" when it does not exist.
func fileText(name string) string {
	b, _ := os.ReadFile(name)
	return strings.TrimSpace(string(b))
}
