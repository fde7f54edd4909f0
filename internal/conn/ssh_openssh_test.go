package conn

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/sshdtest"
)

// Integration tests against the real OpenSSH server (see sshdtest).

func TestOpenSSHArgvIsLiteral(t *testing.T) {
	t.Parallel()
	_, _, c, _ := startSSHD(t)
	res, err := c.Run(testCtx(t, 30*time.Second), Command{Argv: []string{"echo", "$(id)", ";", "&&", "it's", "*"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(res.Stdout), "$(id) ; && it's *\n"; got != want || res.RC != 0 {
		t.Fatalf("stdout %q rc %d, want %q rc 0 (stderr %q)", got, res.RC, want, res.Stderr)
	}
	if res.PID <= 0 {
		t.Errorf("PID %d, want the remote process group", res.PID)
	}
}

func TestOpenSSHOutputEnvDirAndExit(t *testing.T) {
	t.Parallel()
	_, _, c, _ := startSSHD(t)
	dir := t.TempDir()
	ctx := testCtx(t, 30*time.Second)
	tests := []struct {
		name             string
		cmd              Command
		wantRC           int
		wantOut, wantErr string
		wantNotFound     bool
	}{
		{name: "separate streams", cmd: Command{Script: "echo out; echo err >&2; exit 3"}, wantRC: 3, wantOut: "out\n", wantErr: "err\n"},
		{name: "env and dir", cmd: Command{Script: `echo "$A|$B|$(pwd)"`, Env: map[string]string{"A": "x y", "B": "$(id)'"}, Dir: dir}, wantOut: "x y|$(id)'|" + dir + "\n"},
		{name: "argv with env", cmd: Command{Argv: []string{"printenv", "V"}, Env: map[string]string{"V": "v;1"}}, wantOut: "v;1\n"},
		{name: "missing program", cmd: Command{Argv: []string{"no-such-program-jetplay", "a"}}, wantRC: 2, wantNotFound: true},
		{name: "missing path", cmd: Command{Argv: []string{"/nonexistent/bin/tool"}}, wantRC: 2, wantNotFound: true},
		{name: "exit 127 is not missing", cmd: Command{Argv: []string{"sh", "-c", "echo boom >&2; exit 127"}}, wantRC: 127, wantErr: "boom\n"},
		{name: "bash script", cmd: Command{Script: "echo ${BASH_VERSION:+bash}", Shell: "/bin/bash"}, wantOut: "bash\n"},
		{name: "killed by signal", cmd: Command{Script: "kill -s TERM $$"}, wantRC: -15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := c.Run(ctx, tt.cmd)
			if err != nil {
				t.Fatal(err)
			}
			if res.RC != tt.wantRC || string(res.Stdout) != tt.wantOut || string(res.Stderr) != tt.wantErr || res.NotFound != tt.wantNotFound {
				t.Fatalf("got rc %d stdout %q stderr %q notfound %v; want rc %d stdout %q stderr %q notfound %v",
					res.RC, res.Stdout, res.Stderr, res.NotFound, tt.wantRC, tt.wantOut, tt.wantErr, tt.wantNotFound)
			}
		})
	}
}

// alive reports whether process pid exists (and is not a zombie).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] != "Z"
}

func TestOpenSSHTimeoutKillsProcessGroup(t *testing.T) {
	t.Parallel()
	_, _, c, _ := startSSHD(t)
	pidFile := filepath.Join(t.TempDir(), "child")
	start := time.Now()
	res, err := c.Run(testCtx(t, 30*time.Second), Command{
		Script:  "sleep 300 & echo $! > " + pidFile + "; wait",
		Timeout: 500 * time.Millisecond,
		Grace:   time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.TimedOut || res.RC != -15 {
		t.Fatalf("TimedOut %v rc %d, want true -15", res.TimedOut, res.RC)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("took %v", d)
	}
	child, _ := strconv.Atoi(fileText(pidFile))
	if child == 0 {
		t.Fatal("child pid not recorded")
	}
	waitFor(t, 5*time.Second, "the child sleep to be gone", func() bool { return !alive(child) })
}

func TestOpenSSHCancelKillsProcessGroup(t *testing.T) {
	t.Parallel()
	_, _, c, _ := startSSHD(t)
	pidFile := filepath.Join(t.TempDir(), "child")
	ctx, cancel := context.WithCancel(testCtx(t, 30*time.Second))
	go func() {
		waitFor(t, 10*time.Second, "the child to start", func() bool { return fileText(pidFile) != "" })
		cancel()
	}()
	_, err := c.Run(ctx, Command{Script: "trap '' TERM; sleep 300 & echo $! > " + pidFile + "; wait", Grace: 300 * time.Millisecond})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	child, _ := strconv.Atoi(fileText(pidFile))
	waitFor(t, 5*time.Second, "the child sleep to be gone", func() bool { return !alive(child) })
}

// jobCounter returns a script that counts its runs in a file, then runs rest.
func jobCounter(counter, rest string) string {
	return "echo run >> " + counter + "; " + rest
}

func TestOpenSSHDetachedSurvivesConnectionLoss(t *testing.T) {
	t.Parallel()
	_, p, c, jobs := startSSHD(t)
	dir := t.TempDir()
	counter, gate := filepath.Join(dir, "count"), filepath.Join(dir, "gate")
	cmd := Command{
		Script:  jobCounter(counter, "while [ ! -e "+gate+" ]; do sleep 0.05; done; echo done; echo warn >&2; exit 4"),
		Detach:  true,
		JobID:   "r0123456789abcdef01.00000001",
		Timeout: time.Minute,
	}
	got := runInBackground(t, c, cmd)
	waitFor(t, 10*time.Second, "the job to start", func() bool { return fileText(counter) != "" })
	before := p.Stats().Handshakes
	p.dropAll()
	waitFor(t, 10*time.Second, "a reconnect", func() bool { return p.Stats().Handshakes > before })
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	o := <-got
	if o.err != nil {
		t.Fatal(o.err)
	}
	if o.res.RC != 4 || string(o.res.Stdout) != "done\n" || string(o.res.Stderr) != "warn\n" || o.res.TimedOut || o.res.PID <= 0 {
		t.Fatalf("result %+v", o.res)
	}
	if n := strings.Count(fileText(counter), "run"); n != 1 {
		t.Fatalf("the command ran %d times", n)
	}
	if err := c.Forget(testCtx(t, 10*time.Second), cmd.JobID); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(jobs); len(ents) != 0 {
		t.Fatalf("job directory left: %v", ents)
	}
}

func TestOpenSSHAttachFromAnotherPool(t *testing.T) {
	t.Parallel()
	srv, p1, c1, jobs := startSSHD(t)
	dir := t.TempDir()
	counter, gate := filepath.Join(dir, "count"), filepath.Join(dir, "gate")
	cmd := Command{
		Script: jobCounter(counter, "while [ ! -e "+gate+" ]; do sleep 0.05; done; echo result"),
		Detach: true,
		JobID:  "r0123456789abcdef01.00000002",
	}
	ctx, cancel := context.WithCancel(testCtx(t, time.Minute))
	errc := make(chan error, 1)
	go func() {
		_, err := c1.Run(ctx, cmd)
		errc <- err
	}()
	waitFor(t, 10*time.Second, "the job to start", func() bool { return fileText(counter) != "" })
	cancel() // the first executor "crashes"
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("first Run: %v", err)
	}
	_ = p1.Close()

	p2 := newTestPool(t, SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}, JobDir: jobs})
	c2 := p2.conn("host1", realTarget(srv.Hosts[0]))
	if _, found, err := c2.Attach(testCtx(t, 10*time.Second), "r0123456789abcdef01.00000099", Command{}); err != nil || found {
		t.Fatalf("Attach to an unknown job: found %v err %v", found, err)
	}
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	res, found, err := c2.Attach(testCtx(t, 30*time.Second), cmd.JobID, cmd)
	if err != nil || !found {
		t.Fatalf("Attach: found %v err %v", found, err)
	}
	if res.RC != 0 || string(res.Stdout) != "result\n" {
		t.Fatalf("result %+v", res)
	}
	// Running the same job id again attaches instead of starting it twice.
	res, err = c2.Run(testCtx(t, 30*time.Second), cmd)
	if err != nil || string(res.Stdout) != "result\n" {
		t.Fatalf("second Run: %+v %v", res, err)
	}
	if n := strings.Count(fileText(counter), "run"); n != 1 {
		t.Fatalf("the command ran %d times", n)
	}
}

func TestOpenSSHDeadlineEnforcedOnHost(t *testing.T) {
	t.Parallel()
	srv, p1, c1, jobs := startSSHD(t)
	dir := t.TempDir()
	childFile := filepath.Join(dir, "child")
	cmd := Command{
		Script:  "sleep 300 & echo $! > " + childFile + "; wait",
		Detach:  true,
		JobID:   "r0123456789abcdef01.00000003",
		Timeout: time.Second,
		Grace:   500 * time.Millisecond,
	}
	ctx, cancel := context.WithCancel(testCtx(t, time.Minute))
	errc := make(chan error, 1)
	go func() {
		_, err := c1.Run(ctx, cmd)
		errc <- err
	}()
	waitFor(t, 10*time.Second, "the job to start", func() bool { return fileText(childFile) != "" })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run after cancel = %v, want context.Canceled", err)
	}
	_ = p1.Close() // no executor connected from here on
	jobDir := filepath.Join(jobs, cmd.JobID)
	pgid, _ := strconv.Atoi(fileText(filepath.Join(jobDir, "pid")))
	child, _ := strconv.Atoi(fileText(childFile))
	waitFor(t, 15*time.Second, "the wrapper to record rc", func() bool { return fileText(filepath.Join(jobDir, "rc")) != "" })
	waitFor(t, 5*time.Second, "the process group to be gone", func() bool {
		return syscall.Kill(-pgid, 0) != nil && !alive(child)
	})

	p2 := newTestPool(t, SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}, JobDir: jobs})
	c2 := p2.conn("host1", realTarget(srv.Hosts[0]))
	res, found, err := c2.Attach(testCtx(t, 30*time.Second), cmd.JobID, cmd)
	if err != nil || !found {
		t.Fatalf("Attach: found %v err %v", found, err)
	}
	if !res.TimedOut || res.RC != -15 || res.PID != pgid {
		t.Fatalf("result %+v, want TimedOut, rc -15, pid %d", res, pgid)
	}
	if err := c2.Forget(testCtx(t, 10*time.Second), cmd.JobID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(jobDir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("job directory still there: %v", err)
	}
}

func TestOpenSSHDetachedResults(t *testing.T) {
	t.Parallel()
	_, _, c, _ := startSSHD(t)
	ctx := testCtx(t, time.Minute)
	tests := []struct {
		name         string
		cmd          Command
		wantRC       int
		wantOut      string
		wantNotFound bool
		wantTimedOut bool
	}{
		{name: "argv literal", cmd: Command{Argv: []string{"echo", "$(id)", "&&"}}, wantOut: "$(id) &&\n"},
		{name: "missing", cmd: Command{Argv: []string{"/nonexistent/bin/tool"}}, wantRC: 2, wantNotFound: true},
		{name: "exit code", cmd: Command{Script: "exit 7"}, wantRC: 7},
		{name: "timeout", cmd: Command{Script: "sleep 30", Timeout: 300 * time.Millisecond, Grace: 200 * time.Millisecond}, wantRC: -15, wantTimedOut: true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cmd.Detach, tt.cmd.JobID = true, fmt.Sprintf("r0123456789abcdef01.1000000%d", i)
			res, err := c.Run(ctx, tt.cmd)
			if err != nil {
				t.Fatal(err)
			}
			if res.RC != tt.wantRC || string(res.Stdout) != tt.wantOut || res.NotFound != tt.wantNotFound || res.TimedOut != tt.wantTimedOut {
				t.Fatalf("got %+v (stdout %q stderr %q)", res, res.Stdout, res.Stderr)
			}
		})
	}
}

func TestOpenSSHKillDetached(t *testing.T) {
	t.Parallel()
	_, _, c, _ := startSSHD(t)
	dir := t.TempDir()
	childFile := filepath.Join(dir, "child")
	cmd := Command{Script: "sleep 300 & echo $! > " + childFile + "; wait", Detach: true, JobID: "r0123456789abcdef01.00000004"}
	got := runInBackground(t, c, cmd)
	waitFor(t, 10*time.Second, "the job to start", func() bool { return fileText(childFile) != "" })
	if err := c.Kill(testCtx(t, 10*time.Second), cmd.JobID, time.Second); err != nil {
		t.Fatal(err)
	}
	o := <-got
	if o.err != nil || o.res.RC != -15 || o.res.TimedOut {
		t.Fatalf("result %+v err %v", o.res, o.err)
	}
	child, _ := strconv.Atoi(fileText(childFile))
	waitFor(t, 5*time.Second, "the child to be gone", func() bool { return !alive(child) })
}

func TestOpenSSHBecome(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("sudo"); err != nil {
		t.Skip("sudo is not installed; skipping the become test")
	}
	_, _, c, _ := startSSHD(t)
	for _, detach := range []bool{false, true} {
		res, err := c.Run(testCtx(t, 30*time.Second), Command{
			Argv: []string{"id", "-un"}, Become: true, BecomeUser: "nobody",
			Detach: detach, JobID: "r0123456789abcdef01.00000005",
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(string(res.Stdout)); got != "nobody" || res.RC != 0 {
			t.Fatalf("detach %v: id -un = %q rc %d stderr %q", detach, got, res.RC, res.Stderr)
		}
	}
}

func TestOpenSSHManyAddressesAndProxyJump(t *testing.T) {
	t.Parallel()
	var addrs []string
	for i := 2; i < 2+18; i++ { // more than one sshd process
		addrs = append(addrs, fmt.Sprintf("127.0.0.%d", i))
	}
	srv := sshdtest.Start(t, sshdtest.Options{Addrs: addrs})
	p := newTestPool(t, SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}})
	ctx := testCtx(t, time.Minute)
	for _, h := range srv.Hosts {
		res, err := p.Conn(h.Addr, realTarget(h)).Run(ctx, Command{Argv: []string{"true"}})
		if err != nil || res.RC != 0 {
			t.Fatalf("%s: %+v %v", h.Addr, res, err)
		}
	}
	if got := p.Stats().Handshakes; got != int64(len(addrs)) {
		t.Fatalf("%d handshakes for %d hosts", got, len(addrs))
	}
	jump := srv.Hosts[0]
	tgt := realTarget(srv.Hosts[len(srv.Hosts)-1])
	tgt.SSHArgs = fmt.Sprintf("-o StrictHostKeyChecking=no -o ProxyJump=%s@%s:%d", jump.User, jump.Addr, jump.Port)
	p2 := newTestPool(t, SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}})
	res, err := p2.Conn("behind", tgt).Run(ctx, Command{Argv: []string{"echo", "ok"}})
	if err != nil || string(res.Stdout) != "ok\n" {
		t.Fatalf("through the jump host: %+v %v", res, err)
	}
	if s := p2.Stats(); s.Handshakes != 2 || s.Dials != 2 {
		t.Fatalf("stats %+v, want 2 dials and 2 handshakes", s)
	}
}

// TestOpenSSHTimeoutBeforeTheShellStarts: the deadline passes while the
// session is still starting (here a ForceCommand that sleeps first; in
// life, slow login shell startup files), and sshd refuses signals to a
// forced session. The command must be killed as soon as its shell prints
// its pid, not left running once Run gives up on it.
func TestOpenSSHTimeoutBeforeTheShellStarts(t *testing.T) {
	t.Parallel()
	srv := sshdtest.Start(t, sshdtest.Options{User: sshdtest.TestUser, CleanHome: true,
		ExtraConfig: `ForceCommand sleep 1; eval "$SSH_ORIGINAL_COMMAND"`})
	p := newTestPool(t, SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}})
	c := p.conn("host1", realTarget(srv.Hosts[0]))
	start := time.Now()
	res, err := c.Run(testCtx(t, time.Minute), Command{Script: `sleep 60 & echo $! >"$HOME/child"; wait`,
		Timeout: 100 * time.Millisecond, Grace: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !res.TimedOut || res.RC != -9 {
		t.Fatalf("TimedOut %v rc %d, want true -9", res.TimedOut, res.RC)
	}
	if d := time.Since(start); d > 8*time.Second {
		t.Fatalf("Run took %v: it waited for a command it had not killed", d)
	}
	pidFile := filepath.Join(srv.Home, "child")
	waitFor(t, 10*time.Second, "the child's pid", func() bool { return fileText(pidFile) != "" })
	child, _ := strconv.Atoi(fileText(pidFile))
	waitFor(t, 10*time.Second, "the child sleep to be gone", func() bool { return !alive(child) })
}
