package conn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/sshdtest"
)

// Detached jobs waited for through the connection's job watcher, against
// the real OpenSSH server as a clean user (/bin/sh, fresh home).

func startCleanSSHD(t *testing.T, cfg SSHConfig) (*sshdtest.Server, *SSHPool, *sshConn, string) {
	t.Helper()
	srv := sshdtest.Start(t, sshdtest.Options{User: sshdtest.TestUser, CleanHome: true})
	cfg.KnownHostsFiles = []string{srv.KnownHosts}
	p := newTestPool(t, cfg)
	return srv, p, p.conn("host1", realTarget(srv.Hosts[0])), filepath.Join(srv.Home, ".jetplay", "jobs")
}

// watcherPIDs returns the pids of the job watcher shells whose job base
// directory is base.
func watcherPIDs(base string) []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue
		}
		args := strings.Split(string(b), "\x00")
		for i, a := range args {
			if a == "jetplay-watch" && i+1 < len(args) && args[i+1] == base && alive(pid) {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// TestOpenSSHDetachedJobsBeyondMaxSessions runs 20 detached jobs on one
// connection allowed 4 sessions: every job waits until all 20 have started,
// so they finish only if all run at once (a job holding a session while it
// runs could not).
func TestOpenSSHDetachedJobsBeyondMaxSessions(t *testing.T) {
	t.Parallel()
	srv, p, c, jobs := startCleanSSHD(t, SSHConfig{MaxSessions: 4})
	barrier := filepath.Join(srv.Home, "barrier")
	const n = 20
	ctx := testCtx(t, 90*time.Second)
	type out struct {
		i   int
		res Result
		err error
	}
	outs := make(chan out, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			script := fmt.Sprintf(`echo %d >>%s
while [ "$(wc -l <%s)" -lt %d ]; do sleep 0.05; done
printf 'job %d\n\000tail'; printf 'err %d' >&2; exit %d`, i, barrier, barrier, n, i, i, i%3)
			res, err := c.Run(ctx, Command{Script: script, Detach: true, JobID: fmt.Sprintf("r0123456789abcdef02.%08d", i), Timeout: time.Minute})
			outs <- out{i, res, err}
		}()
	}
	wg.Wait()
	close(outs)
	for o := range outs {
		if o.err != nil {
			t.Fatalf("job %d: %v", o.i, o.err)
		}
		wantOut := fmt.Sprintf("job %d\n\x00tail", o.i)
		wantErr := fmt.Sprintf("err %d", o.i)
		if o.res.RC != o.i%3 || !bytes.Equal(o.res.Stdout, []byte(wantOut)) || string(o.res.Stderr) != wantErr || o.res.TimedOut || o.res.PID <= 0 {
			t.Fatalf("job %d: rc %d stdout %q stderr %q timedout %v pid %d", o.i, o.res.RC, o.res.Stdout, o.res.Stderr, o.res.TimedOut, o.res.PID)
		}
	}
	if h := p.Stats().Handshakes; h != 1 {
		t.Fatalf("%d handshakes, want 1", h)
	}
	for i := range n {
		if err := c.Forget(ctx, fmt.Sprintf("r0123456789abcdef02.%08d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if ents, _ := os.ReadDir(jobs); len(ents) != 0 {
		t.Fatalf("left on the host: %v", ents)
	}
	// The idle watcher closes its session, and its shell ends with it.
	waitFor(t, 10*time.Second, "the idle watcher to end", func() bool { return len(watcherPIDs(jobs)) == 0 })
}

// TestOpenSSHWatcherDeathKeepsWaiter kills the job watcher's shell on the
// host while a job is being waited for: the wait goes on through a new
// watcher and returns the job's result.
func TestOpenSSHWatcherDeathKeepsWaiter(t *testing.T) {
	t.Parallel()
	srv, p, c, jobs := startCleanSSHD(t, SSHConfig{})
	gate := filepath.Join(srv.Home, "gate")
	started := filepath.Join(srv.Home, "started")
	cmd := Command{
		Script: "echo up >" + started + "; while [ ! -e " + gate + " ]; do sleep 0.05; done; echo finished",
		Detach: true, JobID: "r0123456789abcdef03.00000001", Timeout: time.Minute,
	}
	got := runInBackground(t, c, cmd)
	waitFor(t, 20*time.Second, "the job to start", func() bool { return fileText(started) != "" })
	waitFor(t, 20*time.Second, "the watcher", func() bool { return len(watcherPIDs(jobs)) == 1 })
	old := watcherPIDs(jobs)[0]
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "a new watcher", func() bool {
		pids := watcherPIDs(jobs)
		return len(pids) == 1 && pids[0] != old
	})
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	o := <-got
	if o.err != nil || o.res.RC != 0 || string(o.res.Stdout) != "finished\n" {
		t.Fatalf("result %+v err %v", o.res, o.err)
	}
	if h := p.Stats().Handshakes; h != 1 {
		t.Fatalf("%d handshakes, want 1 (the connection was fine)", h)
	}
	// No watcher outlives its connection.
	_ = p.Close()
	waitFor(t, 10*time.Second, "the watcher to end with its connection", func() bool { return len(watcherPIDs(jobs)) == 0 })
}

// TestOpenSSHDetachedBecomePassword checks that a become password reaches
// sudo's stdin byte for byte through the control shell, with a stand-in
// sudo first in the PATH of the sessions.
func TestOpenSSHDetachedBecomePassword(t *testing.T) {
	t.Parallel()
	shared := func() string {
		d, err := os.MkdirTemp("", "jetplay-become-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.RemoveAll(d) })
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	bin, jobs := shared(), shared()
	// The stand-in sudo also looks for the password in the arguments of
	// every process on the machine while the job runs.
	sudo := `#!/bin/sh
IFS= read -r pw
leak=none
for f in /proc/[0-9]*/cmdline; do
  a=$( { tr '\000' ' ' <"$f"; } 2>/dev/null) || continue
  case $a in *"$pw"*) leak=$f ;; esac
done
printf 'password=%s\n' "$pw"
printf 'in argv: %s\n' "$leak"
while [ "$1" != -- ]; do shift; done
shift
exec "$@"
`
	if err := os.WriteFile(filepath.Join(bin, "sudo"), []byte(sudo), 0o755); err != nil {
		t.Fatal(err)
	}
	srv := sshdtest.Start(t, sshdtest.Options{User: sshdtest.TestUser, ExtraConfig: "SetEnv PATH=" + bin + ":/usr/bin:/bin"})
	u, err := user.Lookup(sshdtest.TestUser)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(jobs, uid, gid); err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	p, err := NewSSHPool(SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}, JobDir: jobs + "/jobs", KeyFiles: []string{}, NoAgent: true,
		Logger: zerolog.New(zerolog.MultiLevelWriter(&logs, zerolog.NewTestWriter(t))).Level(zerolog.DebugLevel)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	c := p.conn("host1", realTarget(srv.Hosts[0]))
	pw := `s3cr'et "x" $y \n`
	res, err := c.Run(testCtx(t, 30*time.Second), Command{
		Argv: []string{"echo", "ran"}, Become: true, BecomePassword: pw,
		Detach: true, JobID: "r0123456789abcdef05.00000001",
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "password=" + pw + "\nin argv: none\nran\n"; string(res.Stdout) != want || res.RC != 0 {
		t.Fatalf("stdout %q rc %d stderr %q, want %q", res.Stdout, res.RC, res.Stderr, want)
	}
	if bytes.Contains(logs.bytes(), []byte("s3cr")) {
		t.Fatalf("the become password is in the pool's log:\n%s", logs.bytes())
	}
}

// TestOpenSSHDetachedWithoutControlShell: with MaxSessions 2 there is no
// room for a control shell; a detached job waits in a session of its own.
func TestOpenSSHDetachedWithoutControlShell(t *testing.T) {
	t.Parallel()
	_, _, c, jobs := startCleanSSHD(t, SSHConfig{MaxSessions: 2})
	ctx := testCtx(t, 30*time.Second)
	cmd := Command{Script: "printf 'out\\000'; echo err >&2; exit 3", Detach: true, JobID: "r0123456789abcdef06.00000001"}
	res, err := c.Run(ctx, cmd)
	if err != nil || res.RC != 3 || string(res.Stdout) != "out\x00" || string(res.Stderr) != "err\n" {
		t.Fatalf("result %+v err %v", res, err)
	}
	if pids := watcherPIDs(jobs); len(pids) != 0 {
		t.Fatalf("control shells %v with MaxSessions 2", pids)
	}
	if err := c.Forget(ctx, cmd.JobID); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(jobs); len(ents) != 0 {
		t.Fatalf("left on the host: %v", ents)
	}
}

// A status line whose output lengths the stream cannot hold (a garbled line
// or a wrong count) ends the control shell's reader with an error; it must
// not take the executor down with it.
func TestWatcherReadImpossibleOutputLength(t *testing.T) {
	for _, line := range []string{
		"D r1.00000001 0 0 1 1.0 2.0 9223372036854775807 0\n",
		"D r1.00000001 0 0 1 1.0 2.0 0 9223372036854775807\n",
		"D r1.00000001 0 0 1 1.0 2.0 10 0\nshort",
	} {
		w := &sshWatcher{waiters: map[string][]*jobWaiter{}, pids: map[string]int{}, forgets: map[string][]chan error{}}
		if err := w.read(strings.NewReader(line)); err == nil || !strings.Contains(err.Error(), "job r1.00000001 output") {
			t.Errorf("read %q: %v, want an error about the job's output", line, err)
		}
	}
	// A well-formed one is delivered to its waiter, output byte for byte.
	// A pid line before it goes to the waiter's started callback, once.
	w := &sshWatcher{waiters: map[string][]*jobWaiter{}, pids: map[string]int{}, forgets: map[string][]chan error{}}
	var pids []int
	jw := &jobWaiter{ch: make(chan watchEvent, 1), started: func(pid int) { pids = append(pids, pid) }}
	w.waiters["r1.00000001"] = []*jobWaiter{jw}
	_ = w.read(strings.NewReader("P r1.00000001 42\nP r2.00000001 43\nD r1.00000001 3 0 42 1.0 2.0 4 2\nout\nxy"))
	ev := <-jw.ch
	if ev.kind != 'D' || string(ev.stdout) != "out\n" || string(ev.stderr) != "xy" || strings.Join(ev.fields, " ") != "3 0 42 1.0 2.0" {
		t.Fatalf("event %c %q %q %q", ev.kind, ev.fields, ev.stdout, ev.stderr)
	}
	if !slices.Equal(pids, []int{42}) {
		t.Errorf("started with %v, want [42]", pids)
	}
	if len(w.pids) != 0 {
		t.Errorf("pids kept after the job's end: %v", w.pids)
	}
	for _, line := range []string{"P r1.00000001\n", "P r1.00000001 x\n", "P r1.00000001 0\n", "P r1.00000001 1 2\n"} {
		w := &sshWatcher{waiters: map[string][]*jobWaiter{}, pids: map[string]int{}, forgets: map[string][]chan error{}}
		if err := w.read(strings.NewReader(line)); err == nil || !strings.Contains(err.Error(), "bad pid line") {
			t.Errorf("read %q: %v, want a bad pid line", line, err)
		}
	}
}

// TestOpenSSHDetachedStarted: Started gets the job's pid while the job
// runs (its process is alive and the job waits on a gate), once, through
// the control shell and through a session of its own (MaxSessions 2);
// an Attach from another pool to the running job reports the same pid.
func TestOpenSSHDetachedStarted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		maxSessions int
		id          string
	}{
		{"control shell", 0, "r0123456789abcdef07.00000001"},
		{"own session", 2, "r0123456789abcdef07.00000002"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, _, c, _ := startCleanSSHD(t, SSHConfig{MaxSessions: tc.maxSessions})
			gate := filepath.Join(srv.TempDir(t), "gate")
			started := make(chan int, 2)
			cmd := Command{Script: "while [ ! -e " + gate + " ]; do sleep 0.05; done; echo through", Detach: true, JobID: tc.id,
				Started: func(pid int) { started <- pid }}
			got := runInBackground(t, c, cmd)
			var pid int
			select {
			case pid = <-started:
			case o := <-got:
				t.Fatalf("Run returned before Started: %+v %v", o.res, o.err)
			case <-time.After(30 * time.Second):
				t.Fatal("Started not called within 30s")
			}
			if !alive(pid) {
				t.Fatalf("Started with pid %d, which is not a live process", pid)
			}

			p2 := newTestPool(t, SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}, MaxSessions: tc.maxSessions})
			c2 := p2.conn("host1", realTarget(srv.Hosts[0]))
			attached := make(chan int, 2)
			ctx, cancel := context.WithCancel(testCtx(t, time.Minute))
			attachDone := make(chan error, 1)
			go func() {
				_, _, err := c2.Attach(ctx, tc.id, Command{Started: func(pid int) { attached <- pid }})
				attachDone <- err
			}()
			select {
			case p := <-attached:
				if p != pid {
					t.Errorf("Attach reported pid %d, Run %d", p, pid)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("Attach did not report the running job's pid within 30s")
			}
			cancel()
			_ = <-attachDone // the cancel's error: Attach was only watched

			if err := os.WriteFile(gate, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			o := <-got
			if o.err != nil || string(o.res.Stdout) != "through\n" || o.res.PID != pid {
				t.Fatalf("result %+v err %v, want stdout through and pid %d", o.res, o.err, pid)
			}
			if len(started) != 0 {
				t.Errorf("Started called again with %d", <-started)
			}
			if err := c.Forget(testCtx(t, 10*time.Second), tc.id); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestSSHDetachedFreshUnreachable: the first start of a detached job on a
// host that refuses connections is unreachable at once (nothing can be
// running there to wait for), where a job that may be running is retried.
func TestSSHDetachedFreshUnreachable(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	p := newTestPool(t, SSHConfig{})
	c := p.Conn("web1", job.Target{Address: "127.0.0.1", Port: port})
	cmd := Command{Argv: []string{"true"}, Detach: true, JobID: "r0123456789abcdef08.00000001", Timeout: time.Minute, Fresh: true,
		Started: func(pid int) { t.Errorf("Started(%d) on an unreachable host", pid) }}
	start := time.Now()
	_, err = c.Run(testCtx(t, 30*time.Second), cmd)
	assertUnreachable(t, err, "connection refused")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s: retried", d)
	}
	// Not fresh (a re-attach): still trying when a short ctx ends.
	cmd.Fresh = false
	_, err = c.Run(testCtx(t, 500*time.Millisecond), cmd)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("re-attach to an unreachable host: %v, want the ctx's deadline (still retrying)", err)
	}
}
