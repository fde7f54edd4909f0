// Package sshtest runs an in-process SSH server for tests: fresh ed25519
// host and client keys per server, public key auth that accepts only the
// client key (and, optionally, a password), "session" channels with "exec"
// requests answered by a handler, and knobs to script failures.
package sshtest

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
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Handler runs one exec request: cmd is the command string as the client
// sent it. It returns the exit status. ctx is cancelled when the channel or
// the connection closes, or the client sends a signal. Stdin(ctx) is the
// session's input.
type Handler func(ctx context.Context, cmd string, stdout, stderr io.Writer) int

// Option configures a Server.
type Option func(*Server)

// WithPassword also accepts password authentication with pw.
func WithPassword(pw string) Option { return func(s *Server) { s.password = pw } }

// WithoutPublicKey refuses public key authentication (use with WithPassword).
func WithoutPublicKey() Option { return func(s *Server) { s.noPubkey = true } }

// Server is a running test SSH server.
type Server struct {
	// Addr is the listening address, host:port on 127.0.0.1.
	Addr string
	// Host and Port split Addr.
	Host string
	Port int
	// HostKey is the server's public host key (for ssh.FixedHostKey).
	HostKey ssh.PublicKey
	// ClientSigner is the client key the server accepts.
	ClientSigner ssh.Signer
	// KeyFile is ClientSigner's private key in OpenSSH PEM form, in t.TempDir().
	KeyFile string
	// KnownHosts is a known_hosts file with one line for Addr.
	KnownHosts string

	handler  Handler
	password string
	noPubkey bool
	cfg      *ssh.ServerConfig
	ln       net.Listener
	wg       sync.WaitGroup
	closing  chan struct{}

	handshakeDelay atomic.Int64 // ns
	refuse         atomic.Int64 // sessions still to refuse; <0 all
	handshakes     atomic.Int64
	sessions       atomic.Int64
	execs          atomic.Int64

	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

type connKey struct{}

type stdinKey struct{}

// Stdin returns the input of the session whose handler got ctx: what the
// client sends, with io.EOF once it closes its side (or the channel
// closes, or ctx is cancelled). What a handler does not read is buffered, never blocking the
// client.
func Stdin(ctx context.Context) io.Reader {
	if in, ok := ctx.Value(stdinKey{}).(*input); ok {
		return in
	}
	return eofReader{}
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// input buffers a session's stdin without bound.
type input struct {
	mu   sync.Mutex
	cond *sync.Cond
	buf  []byte
	eof  bool
}

func newInput() *input {
	in := &input{}
	in.cond = sync.NewCond(&in.mu)
	return in
}

func (in *input) Write(p []byte) (int, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.buf = append(in.buf, p...)
	in.cond.Broadcast()
	return len(p), nil
}

func (in *input) close() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.eof = true
	in.cond.Broadcast()
}

func (in *input) Read(p []byte) (int, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for len(in.buf) == 0 && !in.eof {
		in.cond.Wait()
	}
	if len(in.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, in.buf)
	in.buf = in.buf[n:]
	return n, nil
}

// New starts a server on 127.0.0.1:0; t.Cleanup stops it and waits for its
// goroutines.
func New(t testing.TB, h Handler, opts ...Option) *Server {
	t.Helper()
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hostSigner, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	clientPriv, clientSigner, keyFile := NewClientKey(t)
	_ = clientPriv
	s := &Server{
		HostKey:      hostSigner.PublicKey(),
		ClientSigner: clientSigner,
		KeyFile:      keyFile,
		handler:      h,
		closing:      make(chan struct{}),
		conns:        map[net.Conn]struct{}{},
	}
	for _, o := range opts {
		o(s)
	}
	want := clientSigner.PublicKey().Marshal()
	s.cfg = &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
			if !s.noPubkey && string(k.Marshal()) == string(want) {
				return nil, nil
			}
			return nil, errors.New("unknown key")
		},
	}
	if s.password != "" {
		s.cfg.PasswordCallback = func(_ ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if string(pw) == s.password {
				return nil, nil
			}
			return nil, errors.New("wrong password")
		}
	}
	s.cfg.AddHostKey(hostSigner)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.ln = ln
	s.Addr = ln.Addr().String()
	host, port, _ := net.SplitHostPort(s.Addr)
	s.Host = host
	s.Port, _ = strconv.Atoi(port)
	s.KnownHosts = filepath.Join(filepath.Dir(keyFile), "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(s.Addr)}, s.HostKey) + "\n"
	if err := os.WriteFile(s.KnownHosts, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.Close)
	return s
}

// NewClientKey generates an ed25519 key and writes it, unencrypted, to a
// file id_ed25519 in a fresh t.TempDir().
func NewClientKey(t testing.TB) (ed25519.PrivateKey, ssh.Signer, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	blk, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(file, pem.EncodeToMemory(blk), 0o600); err != nil {
		t.Fatal(err)
	}
	return priv, signer, file
}

// SetHandshakeDelay makes the server wait d before each handshake.
func (s *Server) SetHandshakeDelay(d time.Duration) { s.handshakeDelay.Store(int64(d)) }

// RefuseSessions makes the server refuse the next n session channels
// (n < 0: all of them, 0: none).
func (s *Server) RefuseSessions(n int) { s.refuse.Store(int64(n)) }

// Handshakes returns the number of completed handshakes.
func (s *Server) Handshakes() int64 { return s.handshakes.Load() }

// Sessions returns the number of session channels accepted.
func (s *Server) Sessions() int64 { return s.sessions.Load() }

// Execs returns the number of exec requests handed to the handler.
func (s *Server) Execs() int64 { return s.execs.Load() }

// Conns returns the number of open connections.
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// DropAll closes every connection at the TCP level, as a vanishing host would.
func (s *Server) DropAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		_ = c.Close()
	}
}

// Drop closes the connection of the exec request whose handler got ctx.
func Drop(ctx context.Context) {
	if c, ok := ctx.Value(connKey{}).(net.Conn); ok {
		_ = c.Close()
	}
}

// Close stops the server, closes its connections and waits for its
// goroutines. It may be called more than once.
func (s *Server) Close() {
	select {
	case <-s.closing:
		return
	default:
	}
	close(s.closing)
	_ = s.ln.Close()
	s.DropAll()
	s.wg.Wait()
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				_ = c.Close()
			}()
			s.serve(c)
		}()
	}
}

func (s *Server) serve(c net.Conn) {
	if d := time.Duration(s.handshakeDelay.Load()); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-s.closing:
			t.Stop()
			return
		}
	}
	sc, chans, reqs, err := ssh.NewServerConn(c, s.cfg)
	if err != nil {
		return
	}
	s.handshakes.Add(1)
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), connKey{}, c))
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() {
		defer wg.Done()
		ssh.DiscardRequests(reqs)
	}()
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "only session channels")
			continue
		}
		if n := s.refuse.Load(); n != 0 {
			if n > 0 {
				s.refuse.Add(-1)
			}
			_ = nc.Reject(ssh.Prohibited, "sessions refused by test")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		s.sessions.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.session(ctx, ch, creqs)
		}()
	}
	_ = sc.Close()
}

func (s *Server) session(ctx context.Context, ch ssh.Channel, reqs <-chan *ssh.Request) {
	in := newInput()
	ctx, cancel := context.WithCancel(context.WithValue(ctx, stdinKey{}, in))
	defer cancel()
	defer func() { _ = ch.Close() }()
	go func() {
		_, _ = io.Copy(in, ch)
		in.close()
	}()
	go func() {
		<-ctx.Done() // a handler reading stdin is not left waiting
		in.close()
	}()
	exit := make(chan int, 1)
	started, exited := false, false
	defer func() {
		cancel()
		if started && !exited {
			<-exit
		}
	}()
	for {
		select {
		case req, ok := <-reqs:
			if !ok {
				return // channel closed by the client
			}
			switch {
			case req.Type == "exec" && !started:
				var p struct{ Cmd string }
				if err := ssh.Unmarshal(req.Payload, &p); err != nil {
					_ = req.Reply(false, nil)
					continue
				}
				_ = req.Reply(true, nil)
				started = true
				s.execs.Add(1)
				go func() { exit <- s.handler(ctx, p.Cmd, ch, ch.Stderr()) }()
			case req.Type == "signal":
				cancel()
				if req.WantReply {
					_ = req.Reply(true, nil)
				}
			default:
				if req.WantReply {
					_ = req.Reply(req.Type == "env", nil)
				}
			}
		case code := <-exit:
			exited = true
			_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(code)}))
			_ = ch.CloseWrite()
			return
		}
	}
}
