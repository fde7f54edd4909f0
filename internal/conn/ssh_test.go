package conn

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/sshdtest"
	"github.com/jetplay/jetplay/internal/sshtest"
)

// Unit tests against the in-process server (see sshtest). Its handler sees
// the whole exec string, prelude included; tests match on a word in it.

func echoHandler(_ context.Context, cmd string, stdout, stderr io.Writer) int {
	switch {
	case strings.Contains(cmd, "fail"):
		_, _ = io.WriteString(stderr, "it failed\n")
		return 3
	default:
		_, _ = io.WriteString(stdout, "hello\n")
		return 0
	}
}

func setupFake(t *testing.T, h sshtest.Handler, cfg SSHConfig, opts ...sshtest.Option) (*sshtest.Server, *SSHPool, Conn) {
	t.Helper()
	srv := sshtest.New(t, h, opts...)
	cfg.KnownHostsFiles = append(cfg.KnownHostsFiles, srv.KnownHosts)
	p := newTestPool(t, cfg)
	return srv, p, p.Conn("web1", fakeTarget(srv))
}

func TestSSHRunResult(t *testing.T) {
	t.Parallel()
	srv, _, c := setupFake(t, echoHandler, SSHConfig{})
	ctx := testCtx(t, 10*time.Second)
	tests := []struct {
		name       string
		cmd        Command
		wantRC     int
		wantStdout string
		wantStderr string
	}{
		{name: "success", cmd: Command{Argv: []string{"echo", "hello"}}, wantStdout: "hello\n"},
		{name: "non-zero exit", cmd: Command{Argv: []string{"fail"}}, wantRC: 3, wantStderr: "it failed\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := c.Run(ctx, tt.cmd)
			if err != nil {
				t.Fatal(err)
			}
			if res.RC != tt.wantRC || string(res.Stdout) != tt.wantStdout || string(res.Stderr) != tt.wantStderr {
				t.Fatalf("got rc %d stdout %q stderr %q", res.RC, res.Stdout, res.Stderr)
			}
		})
	}
	if _, err := c.Run(ctx, Command{}); !errors.Is(err, ErrNoCommand) {
		t.Fatalf("empty command: %v", err)
	}
	if srv.Handshakes() != 1 {
		t.Fatalf("%d handshakes", srv.Handshakes())
	}
}

func TestSSHCommandLine(t *testing.T) {
	t.Parallel()
	var got atomic.Value
	_, _, c := setupFake(t, func(_ context.Context, cmd string, _, _ io.Writer) int {
		got.Store(cmd)
		return 0
	}, SSHConfig{})
	_, err := c.Run(testCtx(t, 10*time.Second), Command{Argv: []string{"echo", "$(id)", "a b"}, Dir: "/tmp/x y", Env: map[string]string{"K": "v'1"}})
	if err != nil {
		t.Fatal(err)
	}
	// The exec string is: exec /bin/sh -c '<prelude; line>' with line quoted once more.
	want := `exec /bin/sh -c 'echo JETPLAY-PGID $$ >&2; export K='\''v'\''\'\'''\''1'\''; cd '\''/tmp/x y'\'' && exec echo '\''$(id)'\'' '\''a b'\'''`
	if got.Load() != want {
		t.Fatalf("exec string\n got %s\nwant %s", got.Load(), want)
	}
	if _, err := c.Run(testCtx(t, 10*time.Second), Command{Argv: []string{"x"}, Env: map[string]string{"A B": "1"}}); err == nil {
		t.Fatal("bad env name accepted")
	}
}

func assertUnreachable(t *testing.T, err error, want string) {
	t.Helper()
	var ue *UnreachableError
	if !errors.As(err, &ue) || !errors.Is(err, ErrUnreachable) {
		t.Fatalf("err %v (%T), want *UnreachableError", err, err)
	}
	if !strings.HasPrefix(err.Error(), "Failed to connect to the host via ssh: ") || !strings.Contains(err.Error(), want) {
		t.Fatalf("err %q, want Ansible's wording and %q", err, want)
	}
	if ue.Host != "web1" {
		t.Fatalf("host %q", ue.Host)
	}
}

func TestSSHUnreachable(t *testing.T) {
	t.Parallel()
	t.Run("garbage server", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				_, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\n\r\n")
				_ = c.Close()
			}
		}()
		p := newTestPool(t, SSHConfig{})
		addr := ln.Addr().(*net.TCPAddr)
		_, err = p.Conn("web1", job.Target{Address: "127.0.0.1", Port: addr.Port}).Run(testCtx(t, 10*time.Second), Command{Argv: []string{"true"}})
		assertUnreachable(t, err, "ssh handshake with 127.0.0.1:")
	})
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		_ = ln.Close()
		p := newTestPool(t, SSHConfig{})
		_, err = p.Conn("web1", job.Target{Address: "127.0.0.1", Port: port}).Run(testCtx(t, 10*time.Second), Command{Argv: []string{"true"}})
		assertUnreachable(t, err, "connection refused")
	})
	t.Run("auth failure", func(t *testing.T) {
		t.Parallel()
		srv := sshtest.New(t, echoHandler)
		_, _, otherKey := sshtest.NewClientKey(t)
		p := newTestPool(t, SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}})
		tgt := fakeTarget(srv)
		tgt.KeyFile = otherKey
		_, err := p.Conn("web1", tgt).Run(testCtx(t, 10*time.Second), Command{Argv: []string{"true"}})
		assertUnreachable(t, err, "unable to authenticate")
	})
	t.Run("slow handshake", func(t *testing.T) {
		t.Parallel()
		srv := sshtest.New(t, echoHandler)
		srv.SetHandshakeDelay(time.Minute)
		p := newTestPool(t, SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}, ConnectTimeout: 300 * time.Millisecond})
		start := time.Now()
		_, err := p.Conn("web1", fakeTarget(srv)).Run(testCtx(t, 10*time.Second), Command{Argv: []string{"true"}})
		assertUnreachable(t, err, "timed out after 300ms")
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("took %v with a 300ms ConnectTimeout", d)
		}
	})
	t.Run("missing key file", func(t *testing.T) {
		t.Parallel()
		srv := sshtest.New(t, echoHandler)
		p := newTestPool(t, SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}})
		tgt := fakeTarget(srv)
		tgt.KeyFile = filepath.Join(t.TempDir(), "nope")
		_, err := p.Conn("web1", tgt).Run(testCtx(t, 10*time.Second), Command{Argv: []string{"true"}})
		assertUnreachable(t, err, "nope")
	})
}

func TestSSHPasswordAndEncryptedKey(t *testing.T) {
	t.Parallel()
	t.Run("password", func(t *testing.T) {
		t.Parallel()
		srv := sshtest.New(t, echoHandler, sshtest.WithPassword("s3cret"), sshtest.WithoutPublicKey())
		var asked atomic.Value
		p := newTestPool(t, SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}, Password: func(host string) (string, error) {
			asked.Store(host)
			return "s3cret", nil
		}})
		res, err := p.Conn("web1", fakeTarget(srv)).Run(testCtx(t, 10*time.Second), Command{Argv: []string{"x"}})
		if err != nil || string(res.Stdout) != "hello\n" {
			t.Fatalf("%+v %v", res, err)
		}
		if asked.Load() != "web1" {
			t.Fatalf("password asked for %v", asked.Load())
		}
	})
	t.Run("encrypted key", func(t *testing.T) {
		t.Parallel()
		srv := sshtest.New(t, echoHandler)
		priv := mustReadKey(t, srv.KeyFile)
		blk, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("pass phrase"))
		if err != nil {
			t.Fatal(err)
		}
		enc := filepath.Join(t.TempDir(), "id_enc")
		if err := os.WriteFile(enc, pem.EncodeToMemory(blk), 0o600); err != nil {
			t.Fatal(err)
		}
		p := newTestPool(t, SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}, KeyFiles: []string{enc},
			Passphrase: func(string) ([]byte, error) { return []byte("pass phrase"), nil }})
		tgt := fakeTarget(srv)
		tgt.KeyFile = ""
		if _, err := p.Conn("web1", tgt).Run(testCtx(t, 10*time.Second), Command{Argv: []string{"x"}}); err != nil {
			t.Fatal(err)
		}
	})
}

// The pool reads no environment: without SSHConfig.Passphrase an encrypted
// key fails with ErrNoPassphrase, even when JETPLAY_SSH_PASSPHRASE (which cli
// reads) holds the right one. Not parallel: it sets a variable.
func TestSSHEncryptedKeyWithoutPassphrase(t *testing.T) {
	t.Setenv("JETPLAY_SSH_PASSPHRASE", "pass phrase")
	srv := sshtest.New(t, echoHandler)
	blk, err := ssh.MarshalPrivateKeyWithPassphrase(mustReadKey(t, srv.KeyFile), "", []byte("pass phrase"))
	if err != nil {
		t.Fatal(err)
	}
	enc := filepath.Join(t.TempDir(), "id_enc")
	if err := os.WriteFile(enc, pem.EncodeToMemory(blk), 0o600); err != nil {
		t.Fatal(err)
	}
	p := newTestPool(t, SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}})
	tgt := fakeTarget(srv)
	tgt.KeyFile = enc // the target's own key: its error is the run's
	_, err = p.Conn("web1", tgt).Run(testCtx(t, 10*time.Second), Command{Argv: []string{"x"}})
	if !errors.Is(err, ErrNoPassphrase) {
		t.Fatalf("run: %v, want ErrNoPassphrase", err)
	}
}

func mustReadKey(t *testing.T, file string) ed25519.PrivateKey {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.ParseRawPrivateKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return *k.(*ed25519.PrivateKey)
}

func TestSSHHostKeys(t *testing.T) {
	t.Parallel()
	t.Run("mismatch", func(t *testing.T) {
		t.Parallel()
		srv := sshtest.New(t, echoHandler)
		_, other, _ := ed25519.GenerateKey(rand.Reader)
		sg, _ := ssh.NewSignerFromKey(other)
		kh := filepath.Join(t.TempDir(), "known_hosts")
		content := "# comment\n" + knownhosts.Line([]string{knownhosts.Normalize(srv.Addr)}, sg.PublicKey()) + "\n"
		if err := os.WriteFile(kh, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		p := newTestPool(t, SSHConfig{KnownHostsFiles: []string{kh}})
		_, err := p.Conn("web1", fakeTarget(srv)).Run(testCtx(t, 10*time.Second), Command{Argv: []string{"true"}})
		if !errors.Is(err, ErrHostKey) || !errors.Is(err, ErrUnreachable) {
			t.Fatalf("err %v, want ErrHostKey inside an UnreachableError", err)
		}
		for _, want := range []string{"web1", kh + ":2", "[127.0.0.1]:"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %q", err, want)
			}
		}
	})
	t.Run("unknown host", func(t *testing.T) {
		t.Parallel()
		srv := sshtest.New(t, echoHandler)
		empty := filepath.Join(t.TempDir(), "known_hosts")
		if err := os.WriteFile(empty, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		p := newTestPool(t, SSHConfig{KnownHostsFiles: []string{empty}})
		_, err := p.Conn("web1", fakeTarget(srv)).Run(testCtx(t, 10*time.Second), Command{Argv: []string{"true"}})
		if !errors.Is(err, ErrUnknownHost) || !errors.Is(err, ErrUnreachable) {
			t.Fatalf("err %v, want ErrUnknownHost inside an UnreachableError", err)
		}
		for _, want := range []string{"ssh-keyscan", "ANSIBLE_HOST_KEY_CHECKING=False"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
	})
	t.Run("checking off", func(t *testing.T) {
		t.Parallel()
		srv := sshtest.New(t, echoHandler)
		var logs sshdtest.SyncBuffer
		p, err := NewSSHPool(SSHConfig{InsecureSkipHostKeyCheck: true, KeyFiles: []string{}, NoAgent: true, Logger: zerolog.New(&logs)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = p.Close() })
		c := p.Conn("web1", fakeTarget(srv))
		for range 2 {
			if _, err := c.Run(testCtx(t, 10*time.Second), Command{Argv: []string{"x"}}); err != nil {
				t.Fatal(err)
			}
			p.dropAll()
		}
		if n := strings.Count(logs.String(), "host key checking is off"); n != 1 || !strings.Contains(logs.String(), `"level":"warn"`) {
			t.Fatalf("want one warning, got logs: %s", logs.String())
		}
	})
}

func TestSSHRefusedSession(t *testing.T) {
	t.Parallel()
	t.Run("once: retried on a fresh connection", func(t *testing.T) {
		t.Parallel()
		srv, p, c := setupFake(t, echoHandler, SSHConfig{})
		srv.RefuseSessions(1)
		res, err := c.Run(testCtx(t, 10*time.Second), Command{Argv: []string{"x"}})
		if err != nil || string(res.Stdout) != "hello\n" {
			t.Fatalf("%+v %v", res, err)
		}
		if h := p.Stats().Handshakes; h != 2 {
			t.Fatalf("%d handshakes, want 2 (a fresh connection for the retry)", h)
		}
		waitFor(t, 5*time.Second, "the retired connection to close", func() bool { return p.Stats().OpenConns == 1 })
	})
	t.Run("always: ordinary error", func(t *testing.T) {
		t.Parallel()
		srv, _, c := setupFake(t, echoHandler, SSHConfig{})
		srv.RefuseSessions(-1)
		_, err := c.Run(testCtx(t, 10*time.Second), Command{Argv: []string{"x"}})
		var oce *ssh.OpenChannelError
		if err == nil || errors.Is(err, ErrUnreachable) || !errors.As(err, &oce) {
			t.Fatalf("err %v, want a non-unreachable channel open error", err)
		}
	})
}

func TestSSHHostVanishesMidCommand(t *testing.T) {
	t.Parallel()
	_, _, c := setupFake(t, func(ctx context.Context, _ string, stdout, _ io.Writer) int {
		_, _ = io.WriteString(stdout, "partial")
		sshtest.Drop(ctx)
		<-ctx.Done()
		return 0
	}, SSHConfig{})
	start := time.Now()
	_, err := c.Run(testCtx(t, 10*time.Second), Command{Argv: []string{"x"}})
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("err %v, want unreachable", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("took %v", d)
	}
}

func hangHandler(ctx context.Context, _ string, _, _ io.Writer) int {
	<-ctx.Done()
	return 143
}

func TestSSHTimeoutAndCancelWithoutPGID(t *testing.T) {
	t.Parallel()
	_, p, c := setupFake(t, hangHandler, SSHConfig{})
	res, err := c.Run(testCtx(t, 10*time.Second), Command{Argv: []string{"x"}, Timeout: 100 * time.Millisecond, Grace: 100 * time.Millisecond})
	if err != nil || !res.TimedOut || res.RC != 143 {
		t.Fatalf("%+v %v, want TimedOut with the handler's rc", res, err)
	}
	ctx, cancel := context.WithCancel(testCtx(t, 10*time.Second))
	time.AfterFunc(100*time.Millisecond, cancel)
	if _, err := c.Run(ctx, Command{Argv: []string{"x"}, Grace: 100 * time.Millisecond}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if h := p.Stats().Handshakes; h != 1 {
		t.Fatalf("%d handshakes", h)
	}
}

func TestSSHPooling(t *testing.T) {
	t.Parallel()
	srv, p, c := setupFake(t, echoHandler, SSHConfig{})
	ctx := testCtx(t, 10*time.Second)
	for range 20 {
		if _, err := c.Run(ctx, Command{Argv: []string{"x"}}); err != nil {
			t.Fatal(err)
		}
	}
	// Another Conn to the same (address, port, user) shares the connection.
	if _, err := p.Conn("alias", fakeTarget(srv)).Run(ctx, Command{Argv: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	s := p.Stats()
	if s.Handshakes != 1 || s.Dials != 1 || s.OpenConns != 1 || s.Sessions != 21 || srv.Handshakes() != 1 {
		t.Fatalf("stats %+v, server handshakes %d", s, srv.Handshakes())
	}
}

func TestSSHMaxSessionsQueues(t *testing.T) {
	t.Parallel()
	var cur, peak atomic.Int64
	handler := func(ctx context.Context, _ string, stdout, _ io.Writer) int {
		n := cur.Add(1)
		defer cur.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		t := time.NewTimer(30 * time.Millisecond)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
		_, _ = io.WriteString(stdout, "ok")
		return 0
	}
	srv, p, c := setupFake(t, handler, SSHConfig{MaxSessions: 4})
	ctx := testCtx(t, 20*time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.Run(ctx, Command{Argv: []string{"x"}})
			if err == nil && string(res.Stdout) != "ok" {
				err = errors.New("bad output " + string(res.Stdout))
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// One of the 4 sessions is kept for kills: at most 3 commands at once.
	if pk := peak.Load(); pk > 3 || pk < 2 {
		t.Fatalf("peak %d concurrent sessions, want 2..3", pk)
	}
	if s := p.Stats(); s.Handshakes != 1 || srv.Handshakes() != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestSSHIdleClose(t *testing.T) {
	t.Parallel()
	srv, p, c := setupFake(t, echoHandler, SSHConfig{IdleTimeout: 100 * time.Millisecond})
	ctx := testCtx(t, 10*time.Second)
	if _, err := c.Run(ctx, Command{Argv: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the idle connection to close", func() bool { return p.Stats().OpenConns == 0 && srv.Conns() == 0 })
	if _, err := c.Run(ctx, Command{Argv: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	if h := p.Stats().Handshakes; h != 2 {
		t.Fatalf("%d handshakes, want 2", h)
	}
}

func TestSSHKeepAliveDropsDeadConnection(t *testing.T) {
	t.Parallel()
	srv, p, c := setupFake(t, echoHandler, SSHConfig{KeepAlive: 50 * time.Millisecond})
	ctx := testCtx(t, 10*time.Second)
	if _, err := c.Run(ctx, Command{Argv: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	srv.DropAll()
	waitFor(t, 5*time.Second, "the dead connection to leave the pool", func() bool { return p.Stats().OpenConns == 0 })
	if _, err := c.Run(ctx, Command{Argv: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
}

func TestSSHCloseTwice(t *testing.T) {
	t.Parallel()
	_, p, c := setupFake(t, echoHandler, SSHConfig{})
	if _, err := c.Run(testCtx(t, 10*time.Second), Command{Argv: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(testCtx(t, 10*time.Second), Command{Argv: []string{"x"}}); !errors.Is(err, errPoolClosed) {
		t.Fatalf("Run after Close: %v", err)
	}
}

func TestParseSSHArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args string
		want []jumpHop
	}{
		{name: "none", args: "-o StrictHostKeyChecking=no"},
		{name: "-o form", args: "-o ProxyJump=admin@bastion:2222", want: []jumpHop{{addr: "bastion:2222", user: "admin"}}},
		{name: "-oform no port", args: "-oProxyJump=bastion", want: []jumpHop{{addr: "bastion:22"}}},
		{name: "-J chain", args: `-C -J "a@j1,j2:23"`, want: []jumpHop{{addr: "j1:22", user: "a"}, {addr: "j2:23"}}},
		{name: "space form", args: `-o 'ProxyJump u@[::1]:2200'`, want: []jumpHop{{addr: "[::1]:2200", user: "u"}}},
		{name: "none value", args: "-J none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseSSHArgs(tt.args, zerolog.Nop())
			if len(got.jumps) != len(tt.want) {
				t.Fatalf("got %+v want %+v", got.jumps, tt.want)
			}
			for i := range tt.want {
				if got.jumps[i] != tt.want[i] {
					t.Fatalf("got %+v want %+v", got.jumps, tt.want)
				}
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		rc     int
		stderr string
		want   bool
	}{
		{"dash", 127, "sh: 1: exec: nope: not found\n", true},
		{"bash path", 127, "bash: line 1: /x/nope: No such file or directory\n", true},
		{"other rc", 1, "sh: 1: exec: nope: not found\n", false},
		{"program's own output", 127, "nope: something\nelse not found\n", false},
		{"other name", 127, "sh: 1: exec: other: not found\n", false},
	}
	for _, tt := range tests {
		prog := "nope"
		if strings.Contains(tt.stderr, "/x/nope") {
			prog = "/x/nope"
		}
		if got := notFound(tt.rc, []byte(tt.stderr), prog); got != tt.want {
			t.Errorf("%s: got %v", tt.name, got)
		}
	}
}
