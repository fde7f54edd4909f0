package conn

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// Detached jobs.
//
// Run with Command.Detach starts the command under a small POSIX sh monitor
// (nothing is copied to the host first). Everything the job leaves lives in
// its job directory JobDir/<jid> (default $HOME/.jetplay/jobs/<jid>; not
// $XDG_RUNTIME_DIR, which systemd removes when the user's last session
// ends):
//
//	start    start time (epoch seconds)
//	mpid     pid of the monitor (the shell that waits for the job)
//	pid      pid of the job = its process group and session id
//	         (both written in one write(2): readers wait for them to be
//	         non-empty)
//	stdout   the job's stdout
//	stderr   the job's stderr
//	timedout exists when the deadline killed the job
//	end      end time (epoch seconds)
//	rc       the job's wait status, written last and atomically (rc.tmp → rc)
//
// The control shell: every pooled connection has one long-lived session for
// all its detached jobs (ssh_watch.go), a sh loop that reads one command a
// line on stdin: start a job, watch one, stop watching one, remove job
// directories, look now. No session is held per job, so a connection runs
// any number of detached jobs at once, whatever MaxSessions. The control
// shell takes one of the connection's command sessions while it has work
// and closes it after watchLinger idle. It ends at end of input, i.e. with
// its session or connection: no remote waiter outlives its client.
//
// Starting: mkdir of the job directory is the atomic "start once" guard, so
// running the same jid again (a retry after a dropped connection, or a
// redelivered task) attaches to the existing job instead of starting it a
// second time. The control shell runs that mkdir itself, then starts the
// monitor from a double-forked subshell and goes on. The monitor runs
// under setsid (a new session, immune to the SSH session's end), output to
// /dev/null, stdin the become password (sudo -S reads it) or /dev/null. It
// starts the job under setsid again, so the job is the leader of its own
// process group and can be killed as a whole without killing the monitor.
// The command line and password cross as shell words on one line of the
// control shell's stdin: never in a process's arguments, never logged.
//
// Deadline: when Timeout is set the monitor runs a watchdog subshell that
// sleeps Timeout, creates "timedout", sends TERM to the job's process group,
// sleeps Grace and sends KILL. It runs on the host, so the deadline holds
// with no executor connected. If the job ends first the watchdog is killed.
//
// Waiting: the client sends a "look" line every watchTick (50ms) while it
// waits for jobs, and nothing when idle, so the host runs no sleep: a look
// is builtins only (test, read, kill -0). For each watched job whose pid
// file is written the shell says so once (Command.Started: the job's
// process exists; the executor records it, and a poll: 0 launch waits for
// it). For each watched job whose rc
// appeared the shell prints a status line and the job's stdout and stderr,
// length-prefixed, byte for byte (wc -c and head -c, as GNU coreutils and
// BusyBox have them; bytes a leftover child of the job writes after the
// length was taken are not sent); a job whose directory is gone is
// reported as not found, one whose monitor is gone without writing rc
// (host reboot, kill -9; or no monitor 200 looks after the start) as lost.
// When the control shell's session ends, every waiter gets an error and
// tries again (below), which starts a new one. When it cannot be opened
// beside the other sessions (a server allowing fewer sessions than
// MaxSessions, or MaxSessions below 3), the waiter falls back to a session
// of its own that starts the job and polls rc every 0.2s, writing a "."
// line every second so that SIGPIPE ends it once its client is gone, and
// a "P PID" line once the pid file is written.
//
// A job's first start (Command.Fresh) on a host that cannot be reached
// fails at once, like a synchronous command: nothing waits there.
// If the connection or the control shell drops while waiting, Run and Attach
// reconnect with backoff (100ms doubling to 5s) and wait again, until ctx
// is done or the host stays unreachable past the job's deadline
// (Timeout+Grace) plus reattachMargin, and at least reattachMargin after
// the first failure.
// ctx ending stops the wait only: the job keeps running (use Killer to
// stop it).
//
// Status: an rc of 129..192 means killed by signal rc-128 and is reported
// as RC -(rc-128), as Ansible does (a program exiting with such a code on
// its own is reported the same way).

// reattachMargin is how long past a job's deadline Run and Attach keep
// trying to reach its host.
var reattachMargin = 60 * time.Second

// errJobLost means the job's monitor died without recording a result.
var errJobLost = errors.New("detached job lost: its monitor is gone and no exit status was recorded")

var jobIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func validJobID(id string) error {
	if !jobIDRe.MatchString(id) || strings.Contains(id, "..") {
		return fmt.Errorf("job id %q cannot name a job directory", id)
	}
	return nil
}

// jobDirExpr is the shell expression of the job directory of id.
func (c *sshConn) jobDirExpr(id string) string {
	return c.dirExpr("/" + id)
}

// jobBaseExpr is the shell expression of the directory of all jobs.
func (c *sshConn) jobBaseExpr() string { return c.dirExpr("") }

func (c *sshConn) dirExpr(suffix string) string {
	dir := c.pool.cfg.JobDir
	for _, pre := range []string{"$HOME/", "~/"} {
		if rest, ok := strings.CutPrefix(dir, pre); ok {
			return `"$HOME"/` + Quote(strings.TrimSuffix(rest, "/")+suffix)
		}
	}
	return Quote(strings.TrimSuffix(dir, "/") + suffix)
}

// monitorScript: $1 job dir, $2 timeout, $3 grace (seconds, "0" = none),
// $4 command line, $5 "1" when a become password comes on stdin.
const monitorScript = `d=$1 t=$2 g=$3
echo $$ >"$d/mpid"
job='echo $$ >"$1/pid" && eval "$2"'
if [ "$5" = 1 ]; then
  IFS= read -r pw
  printf '%s\n' "$pw" | setsid /bin/sh -c "$job" jetplay-job "$d" "$4" >"$d/stdout" 2>"$d/stderr" &
  pw=
else
  setsid /bin/sh -c "$job" jetplay-job "$d" "$4" </dev/null >"$d/stdout" 2>"$d/stderr" &
fi
j=$!
zz() { sleep "$1" 2>/dev/null || sleep $((${1%.*}+1)); }
w=
if [ "$t" != 0 ]; then
  (
    trap 'kill $s 2>/dev/null; exit 0' TERM
    zz "$t" & s=$!; wait $s
    : >"$d/timedout"
    kill -s TERM -- -$j 2>/dev/null
    zz "$g" & s=$!; wait $s
    kill -s KILL -- -$j 2>/dev/null
  ) &
  w=$!
fi
wait $j; st=$?
if [ -n "$w" ]; then
  [ -e "$d/timedout" ] || kill $w 2>/dev/null
  wait $w
fi
date +%s.%N >"$d/end"
echo $st >"$d/rc.tmp" && mv -f "$d/rc.tmp" "$d/rc"
`

// waitScript: $1 job dir; prints "P PID" once the job's pid file is
// written (while it runs), then the status line, then the job's output.
const waitScript = `
[ -d "$d" ] || { echo JETPLAY-NOJOB; exit 0; }
n=0 p=
while [ ! -e "$d/rc" ]; do
  if [ -z "$p" ]; then
    { read -r p <"$d/pid"; } 2>/dev/null
    [ -z "$p" ] || [ -e "$d/rc" ] || echo "P $p"
  fi
  if [ -s "$d/mpid" ]; then
    kill -0 "$(cat "$d/mpid")" 2>/dev/null || [ -e "$d/rc" ] || { echo JETPLAY-LOST; exit 0; }
  elif [ $n -ge 50 ]; then
    echo JETPLAY-LOST; exit 0
  fi
  sleep 0.2 2>/dev/null || sleep 1
  n=$((n+1))
  [ $((n % 5)) -ne 0 ] || echo .
done
to=0; [ -e "$d/timedout" ] && to=1
echo "JETPLAY-DONE $(cat "$d/rc") $to $(cat "$d/pid" 2>/dev/null || echo 0) $(cat "$d/start" 2>/dev/null || echo 0) $(cat "$d/end" 2>/dev/null || echo 0)"
[ ! -e "$d/stdout" ] || cat "$d/stdout"
[ ! -e "$d/stderr" ] || cat "$d/stderr" >&2
`

// startScript: $1 job dir, $2..$6 as monitorScript's $2..$5 plus $6 mode.
func startScript() string {
	return `d=$1
if [ "$6" = run ]; then
  mkdir -p "${d%/*}" || exit 90
  if mkdir "$d" 2>/dev/null; then
    command -v setsid >/dev/null 2>&1 || { echo "setsid not found on the host" >&2; rm -rf "$d"; exit 91; }
    date +%s.%N >"$d/start"
    pw=
    [ "$5" != 1 ] || IFS= read -r pw
    printf '%s\n' "$pw" | setsid /bin/sh -c ` + Quote(monitorScript) + ` jetplay-monitor "$d" "$2" "$3" "$4" "$5" >/dev/null 2>&1 &
    pw=
    n=0
    while [ ! -s "$d/pid" ] && [ ! -e "$d/rc" ] && [ $n -lt 100 ]; do sleep 0.05 2>/dev/null || sleep 1; n=$((n+1)); done
  fi
fi
` + waitScript
}

var startScriptText = startScript()

func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// runDetached runs cmd as a detached job; see the comment at the top.
func (c *sshConn) runDetached(ctx context.Context, cmd Command) (Result, error) {
	if err := validJobID(cmd.JobID); err != nil {
		return Result{}, err
	}
	line, stdin, err := buildCommand(cmd, nil)
	if err != nil {
		return Result{}, err
	}
	if cmd.Fresh {
		// Nothing can be waiting on the host: a host that cannot be reached
		// now is reported, not retried.
		if _, err := c.pool.client(ctx, c, nil); err != nil {
			return Result{}, c.dialErr(ctx, err)
		}
	}
	cmd.Started = startedOnce(cmd.Started)
	res, found, err := c.waitJob(ctx, cmd, "run", line, stdin)
	if err == nil && !found {
		return res, fmt.Errorf("detached job %s on %s: job directory vanished", cmd.JobID, c.host)
	}
	return res, err
}

// Attach implements Attacher.
func (c *sshConn) Attach(ctx context.Context, jobID string, cmd Command) (Result, bool, error) {
	if err := validJobID(jobID); err != nil {
		return Result{}, false, err
	}
	cmd.JobID = jobID
	cmd.Started = startedOnce(cmd.Started)
	return c.waitJob(ctx, cmd, "attach", "", nil)
}

// startedOnce wraps a Command.Started callback so that the reconnects of
// one wait report the job's start once.
func startedOnce(f func(pid int)) func(pid int) {
	if f == nil {
		return nil
	}
	var once sync.Once
	return func(pid int) { once.Do(func() { f(pid) }) }
}

// waitJob runs the start/wait script, reconnecting while the host is
// unreachable (see the comment at the top).
func (c *sshConn) waitJob(ctx context.Context, cmd Command, mode, line string, stdin []byte) (Result, bool, error) {
	var jobDeadline, giveUp time.Time
	if cmd.Timeout > 0 {
		jobDeadline = time.Now().Add(cmd.Timeout + cmp.Or(cmd.Grace, DefaultGrace) + reattachMargin)
	}
	backoff := 100 * time.Millisecond
	for {
		res, found, transient, err := c.waitOnce(ctx, cmd, mode, line, stdin)
		if err == nil || !transient || ctx.Err() != nil {
			return res, found, err
		}
		now := time.Now()
		if giveUp.IsZero() {
			giveUp = now.Add(reattachMargin)
			if jobDeadline.After(giveUp) {
				giveUp = jobDeadline
			}
		}
		if now.After(giveUp) {
			return res, false, err
		}
		c.pool.log.Warn().Err(err).Str("host", c.host).Str("job_id", cmd.JobID).Dur("backoff", backoff).Msg("lost the host or the job watcher while waiting for a detached job; trying again")
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return res, false, fmt.Errorf("wait for job %s on %s: %w", cmd.JobID, c.host, ctx.Err())
		case <-t.C:
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// waitOnce makes one attempt; transient is true when a reconnect may help.
// It goes through the connection's control shell, or waits in a session of
// its own when there is none.
func (c *sshConn) waitOnce(ctx context.Context, cmd Command, mode, line string, stdin []byte) (res Result, found, transient bool, err error) {
	sc, err := c.pool.client(ctx, c, nil)
	if err != nil {
		return res, false, ctx.Err() == nil && !errors.Is(err, errPoolClosed), c.dialErr(ctx, err)
	}
	if cap(sc.tokens) < 2 {
		// No room for a control shell next to the jobs' other sessions.
		return c.waitSession(ctx, cmd, mode, line, stdin)
	}
	start := ""
	if mode == "run" {
		timeout := "0"
		if cmd.Timeout > 0 {
			timeout = seconds(cmd.Timeout)
		}
		pw, flag := "", "0"
		if stdin != nil {
			pw, flag = strings.TrimSuffix(string(stdin), "\n"), "1"
		}
		start = "s" + cmd.JobID + " " + Quote(timeout) + " " + Quote(seconds(cmp.Or(cmd.Grace, DefaultGrace))) + " " +
			quoteLine(line) + " " + flag + " " + quoteLine(pw)
	}
	ev, err := sc.watcher(c.jobBaseExpr()).job(ctx, cmd.JobID, start, cmd.Started)
	switch {
	case err != nil:
		return res, false, false, fmt.Errorf("wait for job %s on %s: %w", cmd.JobID, c.host, err)
	case ev.err != nil && errors.Is(ev.err, errWatcherOpen):
		c.pool.log.Debug().Err(ev.err).Str("host", c.host).Str("job_id", cmd.JobID).Msg("waiting for the job in a session of its own")
		return c.waitSession(ctx, cmd, mode, line, stdin)
	case errors.Is(ev.err, errPoolClosed):
		return res, false, false, fmt.Errorf("wait for job %s on %s: %w", cmd.JobID, c.host, ev.err)
	case ev.err != nil:
		return res, false, ctx.Err() == nil, &UnreachableError{Host: c.host, Err: fmt.Errorf("waiting for job %s: %w", cmd.JobID, ev.err)}
	}
	switch ev.kind {
	case 'D':
		res, err = c.doneResult(cmd, ev.fields, ev.stdout, ev.stderr)
		return res, err == nil, false, err
	case 'G':
		return res, false, false, nil
	case 'L':
		return res, false, false, fmt.Errorf("job %s on %s: %w", cmd.JobID, c.host, errJobLost)
	default:
		return res, false, false, fmt.Errorf("job wrapper for %s on %s failed: %s", cmd.JobID, c.host, ev.msg)
	}
}

// waitSession waits for the job in a session of its own (the fallback when
// there is no control shell); transient is true when a reconnect may help.
func (c *sshConn) waitSession(ctx context.Context, cmd Command, mode, line string, stdin []byte) (res Result, found, transient bool, err error) {
	grace := cmp.Or(cmd.Grace, DefaultGrace)
	timeout := "0"
	if cmd.Timeout > 0 {
		timeout = seconds(cmd.Timeout)
	}
	pw := "0"
	if stdin != nil {
		pw = "1"
	}
	script := "exec /bin/sh -c " + Quote(startScriptText) + " jetplay-job " + c.jobDirExpr(cmd.JobID) + " " +
		Quote(timeout) + " " + Quote(seconds(grace)) + " " + Quote(line) + " " + pw + " " + mode

	sess, sc, release, err := c.session(ctx, false)
	if err != nil {
		return res, false, ctx.Err() == nil && !errors.Is(err, errPoolClosed), err
	}
	defer release()
	defer func() { _ = sess.Close() }()
	stdout := wrapperOutput{started: cmd.Started}
	var stderr capBuffer
	sess.Stdout, sess.Stderr = &stdout, &stderr
	if stdin != nil {
		sess.Stdin = bytes.NewReader(stdin)
	}
	if err := sess.Start(script); err != nil {
		return res, false, true, &UnreachableError{Host: c.host, Err: fmt.Errorf("start job wrapper: %w", err)}
	}
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	var waitErr error
	select {
	case waitErr = <-done:
	case <-ctx.Done():
		_ = sess.Close()
		_ = <-done // the closed session's error: ctx's is the one returned
		return res, false, false, fmt.Errorf("wait for job %s on %s: %w", cmd.JobID, c.host, ctx.Err())
	}
	rc, err := sshExitCode(waitErr)
	if err != nil {
		sc.retire()
		return res, false, true, &UnreachableError{Host: c.host, Err: fmt.Errorf("connection lost while waiting for job %s: %w", cmd.JobID, err)}
	}
	if rc != 0 {
		return res, false, false, fmt.Errorf("job wrapper for %s on %s failed (rc %d): %s", cmd.JobID, c.host, rc, bytes.TrimSpace(stderr.bytes()))
	}
	return c.parseJobOutput(cmd, stdout.bytes(), stderr.bytes())
}

// wrapperOutput collects a job wrapper's stdout in a session: the "."
// lines it writes while it waits (one a second) are dropped, its "P PID"
// line goes to started, its status line is kept whole, and the job's
// output after it within the output cap.
type wrapperOutput struct {
	status  []byte
	body    capBuffer
	inBody  bool
	started func(pid int)
}

// maxStatusLine bounds a status line; a longer one is garbled and fails to
// parse.
const maxStatusLine = 4 << 10

func (w *wrapperOutput) Write(p []byte) (int, error) {
	n := len(p)
	for !w.inBody && len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.status = append(w.status, p...)
			w.inBody = len(w.status) > maxStatusLine
			return n, nil
		}
		w.status = append(w.status, p[:i+1]...)
		p = p[i+1:]
		if string(w.status) == ".\n" {
			w.status = w.status[:0]
		} else if pid, ok := pidLine(w.status); ok {
			if w.started != nil {
				w.started(pid)
			}
			w.status = w.status[:0]
		} else {
			w.inBody = true
		}
	}
	if len(p) > 0 {
		_, _ = w.body.Write(p)
	}
	return n, nil
}

// pidLine parses the wrapper's "P PID\n" line.
func pidLine(l []byte) (int, bool) {
	rest, ok := bytes.CutPrefix(l, []byte("P "))
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(string(bytes.TrimSuffix(rest, []byte("\n"))))
	return pid, err == nil && pid > 0
}

func (w *wrapperOutput) bytes() []byte { return append(w.status, w.body.bytes()...) }

func (c *sshConn) parseJobOutput(cmd Command, out, errOut []byte) (res Result, found, transient bool, err error) {
	for {
		line, rest, ok := bytes.Cut(out, []byte("\n"))
		if !ok {
			return res, false, false, fmt.Errorf("job %s on %s: wrapper output ended early", cmd.JobID, c.host)
		}
		out = rest
		switch s := string(line); {
		case s == ".":
			continue
		case s == "JETPLAY-NOJOB":
			return res, false, false, nil
		case s == "JETPLAY-LOST":
			return res, false, false, fmt.Errorf("job %s on %s: %w", cmd.JobID, c.host, errJobLost)
		case strings.HasPrefix(s, "JETPLAY-DONE "):
			res, err := c.doneResult(cmd, strings.Fields(s)[1:], out, errOut)
			return res, err == nil, false, err
		default:
			return res, false, false, fmt.Errorf("job %s on %s: unexpected wrapper output %q", cmd.JobID, c.host, s)
		}
	}
}

// doneResult makes the result of an ended job from its status fields (rc,
// timedout, pid, start, end) and output.
func (c *sshConn) doneResult(cmd Command, f []string, out, errOut []byte) (Result, error) {
	var res Result
	bad := fmt.Errorf("job %s on %s: bad status %q", cmd.JobID, c.host, strings.Join(f, " "))
	if len(f) != 5 {
		return res, bad
	}
	st, err := strconv.Atoi(f[0])
	if err != nil {
		return res, bad
	}
	res.RC = st
	if st > 128 && st <= 128+64 {
		res.RC = 128 - st
	}
	res.TimedOut = f[1] == "1"
	res.PID, _ = strconv.Atoi(f[2])
	res.Start, res.End = epoch(f[3]), epoch(f[4])
	res.Stdout, res.Stderr = out, errOut
	if len(cmd.Argv) > 0 && !cmd.Become && notFound(res.RC, res.Stderr, cmd.Argv[0]) {
		res.RC, res.NotFound, res.Stderr = 2, true, nil
	}
	return res, nil
}

// epoch parses `date +%s.%N` output (or a plain %s where %N is unknown).
func epoch(s string) time.Time {
	s = strings.TrimSuffix(s, "N")
	s = strings.TrimSuffix(s, ".")
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f == 0 {
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9))
}

// Kill implements Killer. It sends TERM to the job's process group, waits
// up to grace (0 means DefaultGrace) for it to go, then sends KILL. A job
// that has ended (rc written) or does not exist is left alone.
func (c *sshConn) Kill(ctx context.Context, jobID string, grace time.Duration) error {
	if err := validJobID(jobID); err != nil {
		return err
	}
	ticks := int(cmp.Or(grace, DefaultGrace)/(100*time.Millisecond)) + 1
	script := `d=$1
n=0
while [ -d "$d" ] && [ ! -s "$d/pid" ] && [ ! -e "$d/rc" ] && [ $n -lt 50 ]; do sleep 0.1 2>/dev/null || sleep 1; n=$((n+1)); done
[ -s "$d/pid" ] && [ ! -e "$d/rc" ] || exit 0
p=$(cat "$d/pid")
kill -s TERM -- -"$p" 2>/dev/null || exit 0
n=0
while kill -s 0 -- -"$p" 2>/dev/null && [ $n -lt ` + strconv.Itoa(ticks) + ` ]; do sleep 0.1 2>/dev/null || sleep 1; n=$((n+1)); done
kill -s KILL -- -"$p" 2>/dev/null
exit 0
`
	return c.control(ctx, "kill job "+jobID, "exec /bin/sh -c "+Quote(script)+" jetplay-kill "+c.jobDirExpr(jobID))
}

// Forget implements Forgetter: it removes the job directory, through the
// connection's control shell when it runs, else in a session.
func (c *sshConn) Forget(ctx context.Context, jobID string) error {
	if err := validJobID(jobID); err != nil {
		return err
	}
	if sc, err := c.pool.client(ctx, c, nil); err == nil && cap(sc.tokens) >= 2 {
		if ok, err := sc.watcher(c.jobBaseExpr()).forget(ctx, jobID); ok {
			if err != nil {
				return fmt.Errorf("forget job %s on %s: %w", jobID, c.host, err)
			}
			return nil
		}
	}
	return c.control(ctx, "forget job "+jobID, "exec rm -rf -- "+c.jobDirExpr(jobID))
}

// control runs a short housekeeping command that must succeed.
func (c *sshConn) control(ctx context.Context, what, script string) error {
	sess, _, release, err := c.session(ctx, false)
	if err != nil {
		return err
	}
	defer release()
	defer func() { _ = sess.Close() }()
	var stderr bytes.Buffer
	sess.Stderr = &stderr
	done := make(chan error, 1)
	go func() { done <- sess.Run(script) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = sess.Close()
		_ = <-done // the closed session's error: ctx's is the one returned
		return fmt.Errorf("%s on %s: %w", what, c.host, ctx.Err())
	}
	var ee *ssh.ExitError
	if errors.As(err, &ee) {
		return fmt.Errorf("%s on %s: exit %d: %s", what, c.host, ee.ExitStatus(), bytes.TrimSpace(stderr.Bytes()))
	}
	if err != nil {
		return &UnreachableError{Host: c.host, Err: fmt.Errorf("%s: %w", what, err)}
	}
	return nil
}
