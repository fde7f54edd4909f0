package conn

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Local runs commands as child processes of the current process, each in a
// process group of its own so that a timeout or a cancel kills its children too.
type Local struct{}

var _ Conn = Local{}

// Run implements Conn. Stdin is the child's input (nil: /dev/null), through
// the become handshake (become.go) with Become and a BecomePassword.
func (Local) Run(ctx context.Context, c Command) (Result, error) {
	var cmd *exec.Cmd
	switch {
	case len(c.Argv) > 0:
		cmd = exec.Command(c.Argv[0], c.Argv[1:]...)
	case c.Script != "":
		cmd = exec.Command(cmp.Or(c.Shell, "/bin/sh"), "-c", c.Script)
	default:
		return Result{}, ErrNoCommand
	}
	if c.Become && len(c.Env) > 0 {
		// sudo and su reset the environment: pass it through env(1) inside,
		// as over SSH.
		pre, err := envArgv(c.Env)
		if err != nil {
			return Result{}, err
		}
		cmd = exec.Command(pre[0], append(pre[1:], cmd.Args...)...)
	}
	var hs *handshake
	switch {
	case needsHandshake(c):
		var err error
		if hs, err = newHandshake(c); err != nil {
			return Result{}, err
		}
		argv, err := hs.argv(c, cmd.Args)
		if err != nil {
			return Result{}, err
		}
		cmd = exec.Command(argv[0], argv[1:]...)
	case c.Become:
		argv, err := BecomeArgv(c, cmd.Args)
		if err != nil {
			return Result{}, err
		}
		cmd = exec.Command(argv[0], argv[1:]...)
		if c.Stdin != nil {
			cmd.Stdin = bytes.NewReader(c.Stdin)
		}
	case c.Stdin != nil:
		cmd.Stdin = bytes.NewReader(c.Stdin)
	}
	cmd.Dir = c.Dir
	if len(c.Env) > 0 {
		cmd.Env = os.Environ()
		for k, v := range c.Env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	// Always through teeWriter (a nil Output streams nothing): its ReadFrom
	// keeps os/exec from giving each stream a 32 KiB copy buffer.
	var stdout, stderr capBuffer
	cmd.Stdout = teeWriter{&stdout, outputWriter{c.Output, false}}
	cmd.Stderr = teeWriter{&stderr, outputWriter{c.Output, true}}
	var mw *markerWriter
	var pw *promptWriter
	var stdin io.WriteCloser
	if hs != nil {
		mw = &markerWriter{h: hs, dst: cmd.Stdout}
		pw = &promptWriter{h: hs, dst: cmd.Stderr}
		cmd.Stdout, cmd.Stderr = mw, pw
		var err error
		if stdin, err = cmd.StdinPipe(); err != nil {
			return Result{}, fmt.Errorf("stdin of %s: %w", cmd.Path, err)
		}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}

	res := Result{Start: time.Now()}
	if err := cmd.Start(); err != nil {
		if stdin != nil {
			_ = stdin.Close()
		}
		res.End = time.Now()
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, exec.ErrNotFound) {
			res.RC, res.NotFound = 2, true
			return res, nil
		}
		if errors.Is(err, fs.ErrPermission) {
			res.RC = 126
			res.Stderr = []byte(err.Error())
			return res, nil
		}
		return res, err
	}
	res.PID = cmd.Process.Pid
	if c.Started != nil {
		c.Started(res.PID)
	}
	done := make(chan error, 1)
	ended := make(chan struct{})
	go func() {
		err := cmd.Wait()
		close(ended)
		done <- err
	}()
	if hs != nil {
		go hs.feed(stdin, ended)
	}

	var deadline <-chan time.Time
	if c.Timeout > 0 {
		t := time.NewTimer(c.Timeout)
		defer t.Stop()
		deadline = t.C
	}
	var waitErr, ctxErr error
	select {
	case waitErr = <-done:
	case <-deadline:
		res.TimedOut = true
		waitErr = killGroup(res.PID, cmp.Or(c.Grace, DefaultGrace), done)
	case <-ctx.Done():
		ctxErr = ctx.Err()
		waitErr = killGroup(res.PID, cmp.Or(c.Grace, DefaultGrace), done)
	}
	res.End = time.Now()
	refused := false
	if hs != nil {
		refused = hs.refused()
		mw.flush()
		pw.flush()
	}
	res.Stdout, res.Stderr = stdout.bytes(), stderr.bytes()
	res.RC = exitCode(cmd.ProcessState, waitErr)
	// Whatever the leader did, no member of its group outlives it.
	_ = syscall.Kill(-res.PID, syscall.SIGKILL)
	if ctxErr == nil && refused {
		return res, &BecomeError{Method: hs.method}
	}
	return res, ctxErr
}

// killGroup sends TERM to the process group pgid, waits up to grace for the
// leader to exit, then sends KILL, and returns the leader's wait error.
func killGroup(pgid int, grace time.Duration, done <-chan error) error {
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case err := <-done:
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		return err
	case <-t.C:
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		return <-done
	}
}

// exitCode turns a process state into Ansible's rc: the exit status, or
// minus the signal number for a killed process.
func exitCode(ps *os.ProcessState, err error) int {
	if ps == nil {
		if err != nil {
			return -1
		}
		return 0
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -int(ws.Signal())
	}
	return ps.ExitCode()
}
