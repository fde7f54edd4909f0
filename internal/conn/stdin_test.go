package conn

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/sshdtest"
	"github.com/jetplay/jetplay/internal/sshtest"
)

// Tests of Command.Stdin and of the become handshake (become.go).

// bigInput is more than a pipe and an SSH channel window hold, with every
// byte value in it, so a command that gets it whole got all of it.
func bigInput() []byte {
	var b bytes.Buffer
	for b.Len() < 3<<20 {
		for i := range 256 {
			b.WriteByte(byte(i))
		}
		b.WriteString("\nline\r\n")
	}
	return b.Bytes()
}

// stdinCases are commands with their stdin and what they must print; run
// against each connection.
func stdinCases() []struct {
	name    string
	cmd     Command
	wantOut string
} {
	big := bigInput()
	return []struct {
		name    string
		cmd     Command
		wantOut string
	}{
		{name: "argv cat, binary and large", cmd: Command{Argv: []string{"cat"}, Stdin: big}, wantOut: string(big)},
		{name: "script reads lines", cmd: Command{Script: `read a; read b; echo "[$b|$a]"`, Stdin: []byte("one\ntwo\n")}, wantOut: "[two|one]\n"},
		{name: "empty stdin is at its end", cmd: Command{Script: `cat; echo end`, Stdin: []byte{}}, wantOut: "end\n"},
		{name: "no stdin is at its end", cmd: Command{Script: `cat; echo end`}, wantOut: "end\n"},
		{name: "a command that does not read it", cmd: Command{Script: `echo quick`, Stdin: big}, wantOut: "quick\n"},
		{name: "with env and dir", cmd: Command{Script: `printf '%s:' "$V"; cat`, Env: map[string]string{"V": "v"}, Dir: "/", Stdin: []byte("in")}, wantOut: "v:in"},
	}
}

func TestLocalStdin(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t, time.Minute)
	for _, tt := range stdinCases() {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Local{}.Run(ctx, tt.cmd)
			if err != nil {
				t.Fatal(err)
			}
			if res.RC != 0 || string(res.Stdout) != tt.wantOut {
				t.Fatalf("rc %d stdout %d bytes (%.80q), want rc 0 and %d bytes (%.80q); stderr %q", res.RC, len(res.Stdout), res.Stdout, len(tt.wantOut), tt.wantOut, res.Stderr)
			}
		})
	}
}

func TestOpenSSHStdin(t *testing.T) {
	t.Parallel()
	_, _, c, _ := startSSHD(t)
	ctx := testCtx(t, time.Minute)
	for _, tt := range stdinCases() {
		t.Run(tt.name, func(t *testing.T) {
			res, err := c.Run(ctx, tt.cmd)
			if err != nil {
				t.Fatal(err)
			}
			if res.RC != 0 || string(res.Stdout) != tt.wantOut {
				t.Fatalf("rc %d stdout %d bytes (%.80q), want rc 0 and %d bytes (%.80q); stderr %q", res.RC, len(res.Stdout), res.Stdout, len(tt.wantOut), tt.wantOut, res.Stderr)
			}
		})
	}
}

// TestSSHStdinReachesTheSession checks on the in-process server that the
// session's input is Stdin, then its end; and that a detached command with
// a Stdin is refused before anything is sent.
func TestSSHStdinReachesTheSession(t *testing.T) {
	t.Parallel()
	srv, _, c := setupFake(t, func(ctx context.Context, cmd string, stdout, stderr io.Writer) int {
		b, err := io.ReadAll(sshtest.Stdin(ctx))
		if err != nil {
			_, _ = io.WriteString(stderr, err.Error())
			return 1
		}
		_, _ = stdout.Write(b)
		return 0
	}, SSHConfig{})
	ctx := testCtx(t, 30*time.Second)
	big := bigInput()
	for _, in := range [][]byte{big, nil, []byte("x")} {
		res, err := c.Run(ctx, Command{Argv: []string{"cat"}, Stdin: in})
		if err != nil {
			t.Fatal(err)
		}
		if res.RC != 0 || !bytes.Equal(res.Stdout, in) {
			t.Fatalf("rc %d stdout %d bytes, want the %d bytes of stdin (stderr %q)", res.RC, len(res.Stdout), len(in), res.Stderr)
		}
	}
	execs := srv.Execs()
	_, err := c.Run(ctx, Command{Argv: []string{"cat"}, Stdin: []byte("x"), Detach: true, JobID: "r0123456789abcdef07.00000001"})
	if !errors.Is(err, ErrDetachedStdin) {
		t.Fatalf("detached with stdin: %v, want ErrDetachedStdin", err)
	}
	if srv.Execs() != execs {
		t.Fatal("a refused detached command reached the host")
	}
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root: sudo and su then ask for no password")
	}
}

// TestLocalBecomeStdinPasswordNotAsked: root's sudo and su ask for no
// password, so nobody reads the one given: the command must still read
// exactly Stdin, never the password (nothing for a nil Stdin: see
// TestLocalBecomeEnv).
func TestLocalBecomeStdinPasswordNotAsked(t *testing.T) {
	t.Parallel()
	requireRoot(t)
	ctx := testCtx(t, time.Minute)
	big := bigInput()
	for _, method := range []string{"sudo", "su"} {
		t.Run(method, func(t *testing.T) {
			res, err := Local{}.Run(ctx, Command{Argv: []string{"cat"}, Stdin: big, Become: true, BecomeMethod: method, BecomeUser: "nobody", BecomePassword: "s3cret"})
			if err != nil {
				t.Fatal(err)
			}
			if res.RC != 0 || !bytes.Equal(res.Stdout, big) {
				t.Fatalf("rc %d stdout %d bytes (%.80q), want exactly the %d bytes of stdin; stderr %q", res.RC, len(res.Stdout), res.Stdout, len(big), res.Stderr)
			}
			res, err = Local{}.Run(ctx, Command{Script: "id -un; cat", Stdin: []byte("in\n"), Become: true, BecomeMethod: method, BecomeUser: "nobody", BecomePassword: "s3cret"})
			if err != nil {
				t.Fatal(err)
			}
			if string(res.Stdout) != "nobody\nin\n" || len(res.Stderr) != 0 {
				t.Fatalf("stdout %q stderr %q, want \"nobody\\nin\\n\" and nothing on stderr", res.Stdout, res.Stderr)
			}
		})
	}
}

func TestOpenSSHBecomeStdinPasswordNotAsked(t *testing.T) {
	t.Parallel()
	requireRoot(t)
	_, _, c, _ := startSSHD(t)
	ctx := testCtx(t, time.Minute)
	for _, method := range []string{"sudo", "su"} {
		for _, in := range [][]byte{bigInput(), nil} {
			res, err := c.Run(ctx, Command{Argv: []string{"cat"}, Stdin: in, Become: true, BecomeMethod: method, BecomeUser: "nobody", BecomePassword: "s3cret",
				Env: map[string]string{"A": "1"}})
			if err != nil {
				t.Fatal(err)
			}
			if res.RC != 0 || !bytes.Equal(res.Stdout, in) {
				t.Fatalf("%s: rc %d stdout %d bytes (%.80q), want exactly the %d bytes of stdin; stderr %q", method, res.RC, len(res.Stdout), res.Stdout, len(in), res.Stderr)
			}
		}
	}
}

// standInSudo answers -S -p PROMPT ... -- ARGV as sudo does: it prints
// PROMPT on stderr and reads a line, at most three times, accepting
// "right pw"; it also reports whether the password is in the arguments of
// any process on the machine.
const standInSudo = `#!/bin/sh
prompt=
while [ $# -gt 0 ]; do
  case $1 in
  -p) prompt=$2; shift 2 ;;
  -u) shift 2 ;;
  --) shift; break ;;
  *) shift ;;
  esac
done
n=0
while :; do
  printf '%s' "$prompt" >&2
  IFS= read -r pw || { echo "sudo: no password was provided" >&2; exit 1; }
  [ "$pw" != "right pw" ] || break
  n=$((n+1))
  echo "Sorry, try again." >&2
  [ $n -lt 3 ] || { echo "sudo: 3 incorrect password attempts" >&2; exit 1; }
done
leak=none
for f in /proc/[0-9]*/cmdline; do
  a=$( { tr '\000' ' ' <"$f"; } 2>/dev/null) || continue
  case $a in *"$pw"*) leak=$f ;; esac
done
echo "in argv: $leak" >&2
exec "$@"
`

// startStandInSudo runs sshd for the test user with the stand-in sudo
// first in the PATH of its sessions.
func startStandInSudo(t *testing.T) *sshConn {
	t.Helper()
	d, err := os.MkdirTemp("", "jetplay-sudo-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(d) })
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, "sudo"), []byte(standInSudo), 0o755); err != nil { //nolint:gosec // an executable for the test user
		t.Fatal(err)
	}
	// Not CleanHome: sshd takes the first SetEnv line only.
	srv := sshdtest.Start(t, sshdtest.Options{User: sshdtest.TestUser, ExtraConfig: "SetEnv PATH=" + d + ":/usr/bin:/bin"})
	p := newTestPool(t, SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}})
	return p.conn("host1", realTarget(srv.Hosts[0]))
}

// TestOpenSSHBecomeStdinHandshake: a sudo that asks gets the password after
// its prompt, through stdin only; the command then reads exactly Stdin and
// neither the prompt nor the marker shows in the output. A refused
// password ends the command at once with a *BecomeError.
func TestOpenSSHBecomeStdinHandshake(t *testing.T) {
	t.Parallel()
	c := startStandInSudo(t)
	ctx := testCtx(t, time.Minute)
	big := bigInput()
	var live bytes.Buffer
	res, err := c.Run(ctx, Command{Argv: []string{"cat"}, Stdin: big, Become: true, BecomePassword: "right pw",
		Output: func(stderr bool, p []byte) {
			if !stderr {
				live.Write(p)
			}
		}})
	if err != nil {
		t.Fatalf("%v (rc %d, stderr %q)", err, res.RC, res.Stderr)
	}
	if res.RC != 0 || !bytes.Equal(res.Stdout, big) || !bytes.Equal(live.Bytes(), big) {
		t.Fatalf("rc %d stdout %d bytes (%.80q), live %d bytes, want exactly the %d bytes of stdin; stderr %q",
			res.RC, len(res.Stdout), res.Stdout, live.Len(), len(big), res.Stderr)
	}
	if string(res.Stderr) != "in argv: none\n" {
		t.Fatalf("stderr %q, want only the stand-in's report \"in argv: none\"", res.Stderr)
	}

	start := time.Now()
	res, err = c.Run(ctx, Command{Argv: []string{"cat"}, Stdin: []byte("payload"), Become: true, BecomePassword: "wrong pw"})
	var be *BecomeError
	if !errors.As(err, &be) || !errors.Is(err, ErrBecomePassword) || be.Error() != "Incorrect sudo password" {
		t.Fatalf("wrong password: %v, want a *BecomeError \"Incorrect sudo password\"", err)
	}
	if res.RC != 1 || len(res.Stdout) != 0 || string(res.Stderr) != "Sorry, try again.\nsudo: no password was provided\n" {
		t.Fatalf("wrong password: rc %d stdout %q stderr %q", res.RC, res.Stdout, res.Stderr)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("a refused password took %v", d)
	}
	if strings.Contains(err.Error(), "wrong pw") {
		t.Fatalf("the password is in the error: %v", err)
	}
}

// TestOpenSSHBecomeStdinRealSudoRefuses: the real sudo, for a user it
// knows no password of, refuses the one given; the handshake sees its
// second prompt and ends the command at once.
func TestOpenSSHBecomeStdinRealSudoRefuses(t *testing.T) {
	t.Parallel()
	srv := sshdtest.Start(t, sshdtest.Options{User: sshdtest.TestUser, CleanHome: true})
	p := newTestPool(t, SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}})
	c := p.conn("host1", realTarget(srv.Hosts[0]))
	start := time.Now()
	res, err := c.Run(testCtx(t, time.Minute), Command{Argv: []string{"cat"}, Stdin: []byte("payload"), Become: true, BecomePassword: "not it"})
	if !errors.Is(err, ErrBecomePassword) {
		t.Fatalf("%v (rc %d stdout %q stderr %q), want ErrBecomePassword", err, res.RC, res.Stdout, res.Stderr)
	}
	if res.RC == 0 || len(res.Stdout) != 0 || strings.Contains(string(res.Stderr), "sudo via jetplay") {
		t.Fatalf("rc %d stdout %q stderr %q: want a failure, no output, no prompt", res.RC, res.Stdout, res.Stderr)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("a refused password took %v", d)
	}
}

// TestBecomeFilters checks the handshake's output filters on their
// own: a marker or prompt cut at any byte is still found and taken out.
func TestBecomeFilters(t *testing.T) {
	h, err := newHandshake(Command{Become: true, BecomePassword: "pw", Stdin: []byte{}})
	if err != nil {
		t.Fatal(err)
	}
	out := "Password: " + h.marker + "\nthe output\n"
	errText := "lecture\n" + h.prompt + "Sorry, try again.\n" + h.prompt + "J" + h.prompt[:5]
	for cut := 0; cut <= len(errText); cut++ {
		h.seen = make(chan struct{})
		h.prompts = make(chan struct{}, 2)
		var stdout, stderr bytes.Buffer
		mw := &markerWriter{h: h, dst: &stdout}
		pw := &promptWriter{h: h, dst: &stderr}
		c := min(cut, len(out))
		_, _ = mw.Write([]byte(out[:c]))
		_, _ = mw.Write([]byte(out[c:]))
		_, _ = pw.Write([]byte(errText[:cut]))
		_, _ = pw.Write([]byte(errText[cut:]))
		mw.flush()
		pw.flush()
		if stdout.String() != "the output\n" {
			t.Fatalf("cut %d: stdout %q", cut, stdout.String())
		}
		select {
		case <-h.seen:
		default:
			t.Fatalf("cut %d: marker not seen", cut)
		}
		if want := "lecture\nSorry, try again.\nJ" + h.prompt[:5]; stderr.String() != want {
			t.Fatalf("cut %d: stderr %q, want %q", cut, stderr.String(), want)
		}
		if len(h.prompts) != 2 {
			t.Fatalf("cut %d: %d prompts, want 2", cut, len(h.prompts))
		}
	}
	// Without the marker, what was held comes out at the end.
	h.seen = make(chan struct{})
	var stdout bytes.Buffer
	mw := &markerWriter{h: h, dst: &stdout}
	_, _ = mw.Write([]byte("sudo: unknown user\n"))
	mw.flush()
	if stdout.String() != "sudo: unknown user\n" {
		t.Fatalf("stdout %q", stdout.String())
	}
}

// TestLocalBecomeEnv: sudo and su reset the environment; Env must still
// reach the command, as over SSH.
func TestLocalBecomeEnv(t *testing.T) {
	t.Parallel()
	requireRoot(t)
	ctx := testCtx(t, time.Minute)
	for _, method := range []string{"sudo", "su"} {
		for _, in := range [][]byte{nil, []byte("in")} {
			res, err := Local{}.Run(ctx, Command{Script: `printf '%s|%s|' "$A" "$B"; cat`, Env: map[string]string{"A": "x y", "B": "$(id)'"}, Stdin: in,
				Become: true, BecomeMethod: method, BecomeUser: "nobody", BecomePassword: "pw"})
			if err != nil {
				t.Fatal(err)
			}
			if want := "x y|$(id)'|" + string(in); string(res.Stdout) != want || res.RC != 0 {
				t.Fatalf("%s, stdin %q: stdout %q rc %d stderr %q, want %q", method, in, res.Stdout, res.RC, res.Stderr, want)
			}
		}
	}
	if _, err := (Local{}).Run(ctx, Command{Argv: []string{"true"}, Env: map[string]string{"A=B": "x"}, Become: true}); err == nil {
		t.Fatal("an environment name with = was accepted under become")
	}
}
