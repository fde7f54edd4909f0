package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/cli/publish"
	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/sshdtest"
)

// sshHosts starts OpenSSH on n loopback addresses (127.0.0.2 upwards),
// logging in as the test user (a clean home of the server's own).
func sshHosts(t *testing.T, n int, opts sshdtest.Options) *sshdtest.Server {
	t.Helper()
	if opts.User == "" && !opts.CleanHome {
		opts.User = sshdtest.TestUser
	}
	for i := range n {
		opts.Addrs = append(opts.Addrs, "127.0.0."+string(rune('2'+i)))
	}
	return sshdtest.Start(t, opts)
}

// sshPool returns an SSH pool that trusts srv's host key and logs in with
// its client key; it is closed when the test ends.
func sshPool(t *testing.T, srv *sshdtest.Server) *conn.SSHPool {
	t.Helper()
	p, err := conn.NewSSHPool(conn.SSHConfig{
		KnownHostsFiles: []string{srv.KnownHosts}, KeyFiles: []string{srv.KeyFile}, NoAgent: true,
		DefaultUser: srv.User, Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// sshExecutor runs an in-process executor reaching hosts through pool.
// stop cancels it and returns once Run has returned; it may be called more
// than once (and runs at cleanup).
func (c *cluster) sshExecutor(t *testing.T, name string, pool *conn.SSHPool, grace time.Duration) (stop func()) {
	t.Helper()
	return c.runExecutor(t, executor.Config{Name: name, Concurrency: 8, Grace: grace, Dialer: pool})
}

// sshTask is a shell job on host h over SSH.
func sshTask(id job.ID, name string, h sshdtest.Host, script string, async int) *job.Task {
	return &job.Task{V: job.Version, JID: id, Run: id.Run(), Host: name,
		Target: job.Target{Connection: job.ConnSSH, Address: h.Addr, Port: h.Port, User: h.User, KeyFile: h.KeyFile},
		Module: "shell", Args: map[string]any{"_raw_params": script}, Async: async}
}

// sshJobDirs lists the detached job directories of run left on srv's hosts
// (they share the login user's home, which other tests use too).
func sshJobDirs(t *testing.T, srv *sshdtest.Server, run job.RunID) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(srv.Home, ".jetplay", "jobs"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), string(run)+".") {
			names = append(names, e.Name())
		}
	}
	return names
}

// sshCheckNoJobDirs waits until no job directory of run is left on srv's
// hosts: the executor removes it right after storing the final status.
func sshCheckNoJobDirs(t *testing.T, srv *sshdtest.Server, run job.RunID) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := sshJobDirs(t, srv, run)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("job directories left in %s/.jetplay/jobs: %v", srv.Home, left)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sshPublish runs the publisher in-process with o (defaults filled in as
// the command's flags would) and returns its exit code, stdout and stderr.
func sshPublish(t *testing.T, o publish.Options) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if o.Forks == 0 {
		o.Forks = 10
	}
	if o.Output == "" {
		o.Output = "text"
	}
	o.Executors = max(o.Executors, 1)
	o.Replicas = 1
	if o.LogLevel == "" {
		o.LogLevel = "warn"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := publish.Run(ctx, o, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// sshInventory writes an inventory whose group local holds srv's hosts as
// ssh1, ssh2, ... and returns its path.
func sshInventory(t *testing.T, srv *sshdtest.Server) string {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("[local]\n")
	for i, h := range srv.Hosts {
		b.WriteString("ssh" + string(rune('1'+i)) + " ansible_host=" + h.Addr + " ansible_port=" + strconv.Itoa(h.Port) + "\n")
	}
	b.WriteString("\n[local:vars]\nansible_user=" + srv.User + "\nansible_ssh_private_key_file=" + srv.KeyFile + "\n")
	return writeFile(t, t.TempDir(), "inventory.ini", b.String())
}
