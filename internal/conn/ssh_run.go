package conn

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/jetplay/jetplay/internal/job"
)

// sshConn is a Conn bound to one target of an SSHPool.
type sshConn struct {
	pool   *SSHPool
	host   string
	target job.Target
	key    poolKey
	jumps  []jumpHop
}

var (
	_ Conn      = (*sshConn)(nil)
	_ Attacher  = (*sshConn)(nil)
	_ Forgetter = (*sshConn)(nil)
	_ Killer    = (*sshConn)(nil)
)

// pgidMarker starts the first stderr line of a synchronous command: the
// remote shell prints its pid there before exec'ing the command. OpenSSH
// starts every exec channel in a new session (setsid), so that pid is also
// the process group of the command and of all its children.
const pgidMarker = "JETPLAY-PGID "

// Run implements Conn. A synchronous command (Detach false) runs straight in
// one session as
//
//	exec /bin/sh -c 'echo JETPLAY-PGID $$ >&2; export K=V; cd DIR && exec ARGV'
//
// with every word of ARGV single-quoted, so no shell interprets it. A
// missing program makes the shell's exec fail with status 127 and a single
// "...: not found" or "...: No such file or directory" line naming it on
// stderr; Run reports that as RC 2 and NotFound, like Local. (A program
// that itself exits 127 after printing exactly such a line would be
// misreported.) On Timeout or ctx.Done() the remote process group gets TERM
// through a second session (and the session a TERM signal), KILL after
// Grace. Errors reaching the host are *UnreachableError; the connection
// dropping mid-command too, since the outcome is then unknown.
//
// Background children that keep stdout or stderr open keep Run waiting, as
// with OpenSSH's own client; children that redirected their output are not
// killed when the command ends normally.
//
// Stdin is written to the session's input, which is then closed; a command
// that exits without reading it all is not an error. With Become and a
// BecomePassword it goes through the become handshake (become.go).
//
// Detached commands (Detach with JobID) run under the job wrapper described
// in ssh_detach.go: Run waits for the job's result across reconnects, and
// ctx.Done() only stops the wait (the job keeps running on the host; stop
// it with Kill). They take no Stdin (ErrDetachedStdin).
func (c *sshConn) Run(ctx context.Context, cmd Command) (Result, error) {
	if cmd.Detach {
		if cmd.Stdin != nil {
			return Result{}, fmt.Errorf("run on %s: %w", c.host, ErrDetachedStdin)
		}
		return c.runDetached(ctx, cmd)
	}
	var hs *handshake
	if needsHandshake(cmd) {
		var err error
		if hs, err = newHandshake(cmd); err != nil {
			return Result{}, err
		}
	}
	line, stdin, err := buildCommand(cmd, hs)
	if err != nil {
		return Result{}, err
	}
	script := "exec /bin/sh -c " + Quote("echo "+pgidMarker+"$$ >&2; "+line)

	sess, sc, release, err := c.session(ctx, false)
	if err != nil {
		return Result{}, err
	}
	defer release()
	defer func() { _ = sess.Close() }()

	stdout := &lockedBuffer{}
	stderr := newPGIDWriter()
	sess.Stdout, sess.Stderr = stdout, stderr
	if cmd.Output != nil {
		sess.Stdout = io.MultiWriter(stdout, outputWriter{cmd.Output, false})
		stderr.tee = outputWriter{cmd.Output, true}
	}
	// The input goes through a pipe written here rather than sess.Stdin:
	// Wait would report the error of copying into a session whose command
	// has exited without reading it all.
	var in io.WriteCloser
	if hs != nil || stdin != nil {
		if in, err = sess.StdinPipe(); err != nil {
			return Result{}, fmt.Errorf("stdin on %s: %w", c.host, err)
		}
	}
	var mw *markerWriter
	var pw *promptWriter
	if hs != nil {
		mw = &markerWriter{h: hs, dst: sess.Stdout}
		pw = &promptWriter{h: hs, dst: stderr}
		sess.Stdout, sess.Stderr = mw, pw
	}
	res := Result{Start: time.Now()}
	if err := sess.Start(script); err != nil {
		return res, fmt.Errorf("start command on %s: %w", c.host, err)
	}
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	stop := make(chan struct{})
	fed := make(chan struct{})
	switch {
	case hs != nil:
		go hs.feed(in, stop)
		fed = hs.fed
	case in != nil:
		go func() {
			defer close(fed)
			_, _ = in.Write(stdin) // fails once the session is gone
			_ = in.Close()
		}()
	default:
		close(fed)
	}

	var deadline <-chan time.Time
	if cmd.Timeout > 0 {
		t := time.NewTimer(cmd.Timeout)
		defer t.Stop()
		deadline = t.C
	}
	var waitErr, ctxErr error
	killed := 0
	select {
	case waitErr = <-done:
	case <-deadline:
		res.TimedOut = true
		killed, waitErr = c.killSync(sc, sess, stderr, cmp.Or(cmd.Grace, DefaultGrace), done)
	case <-ctx.Done():
		ctxErr = ctx.Err()
		killed, waitErr = c.killSync(sc, sess, stderr, cmp.Or(cmd.Grace, DefaultGrace), done)
	}
	res.End = time.Now()
	close(stop)
	<-fed
	refused := false
	if hs != nil {
		refused = hs.refused()
		mw.flush()
		pw.flush()
	}
	res.PID = int(stderr.pgid.Load())
	res.Stdout, res.Stderr = stdout.bytes(), stderr.bytes()
	if ctxErr != nil {
		return res, fmt.Errorf("run on %s: %w", c.host, ctxErr)
	}
	rc, err := sshExitCode(waitErr)
	if err != nil {
		if killed == 0 {
			return res, &UnreachableError{Host: c.host, Err: fmt.Errorf("connection lost while the command ran: %w", err)}
		}
		rc = -killed // the exit status was lost with the kill
	}
	res.RC = rc
	if len(cmd.Argv) > 0 && !cmd.Become && notFound(rc, res.Stderr, cmd.Argv[0]) {
		res.RC, res.NotFound, res.Stderr = 2, true, nil
	}
	if refused {
		return res, fmt.Errorf("run on %s: %w", c.host, &BecomeError{Method: hs.method})
	}
	return res, nil
}

// killSync stops a synchronous command: TERM to its process group (over a
// control session) and to the session, KILL after grace if it still runs,
// and KILL to the group again once the leader is gone so that no child
// outlives it. A command whose shell had not printed its pid by then (slow
// login shell startup files, and sshd refuses or ignores the session's
// signals) gets KILL as soon as it does. It returns the last signal sent
// and the session's wait error.
func (c *sshConn) killSync(sc *sshClient, sess *ssh.Session, stderr *pgidWriter, grace time.Duration, done <-chan error) (killed int, waitErr error) {
	_ = sess.Signal(ssh.SIGTERM)
	// The remote shell may not have printed its pid yet (slow login
	// shell startup files): give it up to grace to do so.
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-stderr.known:
	case err := <-done:
		return 15, err
	case <-t.C:
		t.Reset(0)
	}
	kill := func(sig string) {
		pgid := stderr.pgid.Load()
		if pgid <= 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), c.pool.cfg.ConnectTimeout)
		defer cancel()
		s, release, err := sc.newSession(ctx, true)
		if err != nil {
			c.pool.log.Warn().Err(err).Str("host", c.host).Msg("cannot open a session to kill a command")
			return
		}
		defer release()
		defer func() { _ = s.Close() }()
		_ = s.Run(fmt.Sprintf("kill -s %s -- -%d 2>/dev/null; true", sig, pgid))
	}
	kill("TERM")
	select {
	case err := <-done:
		kill("KILL")
		return 15, err
	case <-t.C:
	}
	_ = sess.Signal(ssh.SIGKILL)
	kill("KILL")
	late := stderr.known
	if stderr.pgid.Load() > 0 || isClosed(late) {
		late = nil // killed above, or the first line had no pid
	}
	t.Reset(c.pool.cfg.ConnectTimeout)
	for waiting := true; waiting; {
		select {
		case err := <-done:
			return 9, err
		case <-late:
			late = nil
			kill("KILL")
		case <-t.C:
			waiting = false
		}
	}
	// OpenSSH answers a channel close only once the child's output is
	// closed: a process we could not kill keeps the session open. Give up
	// on its exit status rather than wait for it.
	_ = sess.Close()
	t.Reset(time.Second)
	select {
	case err := <-done:
		return 9, err
	case <-t.C:
		return 9, errExitUnknown
	}
}

// errExitUnknown means a killed command's exit status never arrived.
var errExitUnknown = errors.New("exit status of the killed command is unknown")

// session opens a session on c's pooled connection, dialing if needed. A
// session the server refuses is retried once on a fresh connection; if that
// fails too the error is ordinary (the host is reachable). Dial, auth and
// host key errors come as *UnreachableError.
func (c *sshConn) session(ctx context.Context, ctl bool) (*ssh.Session, *sshClient, func(), error) {
	sc, err := c.pool.client(ctx, c, nil)
	if err != nil {
		return nil, nil, nil, c.dialErr(ctx, err)
	}
	s, release, err := sc.newSession(ctx, ctl)
	if err == nil {
		return s, sc, release, nil
	}
	if ctx.Err() != nil {
		return nil, nil, nil, fmt.Errorf("open session on %s: %w", c.host, ctx.Err())
	}
	c.pool.log.Debug().Err(err).Str("host", c.host).Msg("session failed; retrying on a fresh connection")
	sc, err2 := c.pool.client(ctx, c, sc)
	if err2 != nil {
		return nil, nil, nil, c.dialErr(ctx, err2)
	}
	s, release, err2 = sc.newSession(ctx, ctl)
	if err2 == nil {
		return s, sc, release, nil
	}
	var oce *ssh.OpenChannelError
	if errors.As(err2, &oce) || ctx.Err() != nil {
		return nil, nil, nil, fmt.Errorf("open session on %s: %w", c.host, err2)
	}
	return nil, nil, nil, &UnreachableError{Host: c.host, Err: err2}
}

// dialErr classifies an error of SSHPool.client.
func (c *sshConn) dialErr(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) || errors.Is(err, errPoolClosed) {
		return fmt.Errorf("connect to %s: %w", c.host, err)
	}
	return &UnreachableError{Host: c.host, Err: err}
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// buildCommand returns the shell line that runs c (without any prelude) and
// the bytes to send on stdin (the become password, or c.Stdin); with the
// become handshake hs the line runs it and nothing is returned for stdin
// (hs feeds it).
func buildCommand(c Command, hs *handshake) (string, []byte, error) {
	var argv []string
	switch {
	case len(c.Argv) > 0:
		argv = c.Argv
	case c.Script != "":
		argv = []string{cmp.Or(c.Shell, "/bin/sh"), "-c", c.Script}
	default:
		return "", nil, ErrNoCommand
	}
	keys, err := envKeys(c.Env)
	if err != nil {
		return "", nil, err
	}
	var b strings.Builder
	var stdin []byte
	if c.Become {
		// sudo resets the environment: pass it through env(1) inside.
		if len(keys) > 0 {
			pre, _ := envArgv(c.Env)
			argv = append(pre, argv...)
		}
		switch {
		case hs != nil:
			if argv, err = hs.argv(c, argv); err != nil {
				return "", nil, err
			}
		case c.BecomePassword != "":
			if argv, err = BecomeArgv(c, argv); err != nil {
				return "", nil, err
			}
			stdin = []byte(c.BecomePassword + "\n")
		default:
			if argv, err = BecomeArgv(c, argv); err != nil {
				return "", nil, err
			}
			stdin = c.Stdin
		}
	} else {
		for _, k := range keys {
			b.WriteString("export " + k + "=" + Quote(c.Env[k]) + "; ")
		}
		stdin = c.Stdin
	}
	if c.Dir != "" {
		b.WriteString("cd " + Quote(c.Dir) + " && ")
	}
	b.WriteString("exec " + ShellQuote(argv))
	return b.String(), stdin, nil
}

// envKeys returns the names of env, sorted, or an error for a name a
// shell cannot export.
func envKeys(env map[string]string) ([]string, error) {
	keys := make([]string, 0, len(env))
	for k := range env {
		if !envName.MatchString(k) {
			return nil, fmt.Errorf("environment variable name %q is not valid", k)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, nil
}

// envArgv is "env K=V..." for env, in name order.
func envArgv(env map[string]string) ([]string, error) {
	keys, err := envKeys(env)
	if err != nil {
		return nil, err
	}
	out := []string{"env"}
	for _, k := range keys {
		out = append(out, k+"="+env[k])
	}
	return out, nil
}

// sshExitCode turns a session's wait error into Ansible's rc. A non-nil error
// means the exit status is unknown (the connection broke).
func sshExitCode(err error) (int, error) {
	if err == nil {
		return 0, nil
	}
	var ee *ssh.ExitError
	if errors.As(err, &ee) {
		if sig := ee.Signal(); sig != "" {
			if n, ok := signalNumbers[sig]; ok {
				return -n, nil
			}
			return -1, nil
		}
		return ee.ExitStatus(), nil
	}
	return 0, err
}

var signalNumbers = map[string]int{
	"HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "BUS": 7, "FPE": 8,
	"KILL": 9, "USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15,
}

// notFound reports whether stderr and rc are the shell's complaint that
// prog does not exist (see Run).
func notFound(rc int, stderr []byte, prog string) bool {
	if rc != 127 {
		return false
	}
	s := strings.TrimSpace(string(stderr))
	if s == "" || strings.Contains(s, "\n") || !strings.Contains(s, prog) {
		return false
	}
	return strings.HasSuffix(s, "not found") || strings.HasSuffix(s, "No such file or directory")
}

// lockedBuffer is a capBuffer safe for a writer and a reader that may
// run concurrently (when Run gives up waiting for a session).
type lockedBuffer struct {
	mu sync.Mutex
	b  capBuffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.bytes()
}

// pgidWriter collects stderr (within the output cap, see capBuffer),
// taking the pgid marker line off its front.
// known is closed once the first line has been seen.
type pgidWriter struct {
	// tee, when set, also receives the output after the marker line.
	tee   io.Writer
	mu    sync.Mutex
	head  []byte
	body  capBuffer
	seen  bool // first line handled
	pgid  atomic.Int64
	known chan struct{}
}

// out keeps p and passes it to tee; called with mu held.
func (w *pgidWriter) out(p []byte) (int, error) {
	if w.tee != nil && len(p) > 0 {
		_, _ = w.tee.Write(p)
	}
	return w.body.Write(p)
}

func newPGIDWriter() *pgidWriter { return &pgidWriter{known: make(chan struct{})} }

// firstLine marks the first line handled; called with mu held.
func (w *pgidWriter) firstLine() {
	w.seen = true
	close(w.known)
}

func (w *pgidWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen {
		return w.out(p)
	}
	w.head = append(w.head, p...)
	i := bytes.IndexByte(w.head, '\n')
	if i < 0 {
		if len(w.head) > 64 {
			w.firstLine()
			_, _ = w.out(w.head)
		}
		return len(p), nil
	}
	line := w.head[:i]
	if rest, ok := bytes.CutPrefix(line, []byte(pgidMarker)); ok {
		if n, err := strconv.Atoi(string(rest)); err == nil {
			w.pgid.Store(int64(n))
			w.firstLine()
			_, _ = w.out(w.head[i+1:])
			return len(p), nil
		}
	}
	w.firstLine()
	_, _ = w.out(w.head)
	return len(p), nil
}

func (w *pgidWriter) bytes() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.seen {
		_, _ = w.body.Write(w.head) // a capBuffer never fails
		w.firstLine()
	}
	return w.body.bytes()
}

var _ io.Writer = (*pgidWriter)(nil)
