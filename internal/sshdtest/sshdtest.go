// Package sshdtest runs the real OpenSSH server (/usr/sbin/sshd) on loopback
// addresses for integration tests, with its own host keys, client key,
// config and known_hosts, all under t.TempDir(). Tests are skipped when sshd
// is not installed, except when the environment variable CI is set: there a
// missing sshd fails the test.
package sshdtest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// SSHD is the sshd binary; sshd insists on an absolute path.
const SSHD = "/usr/sbin/sshd"

// maxListen is the most ListenAddress lines one sshd process takes.
const maxListen = 16

// Options configures Start.
type Options struct {
	// Addrs are the loopback addresses to listen on; default ["127.0.0.1"].
	// More than 16 start several sshd processes.
	Addrs []string
	// MaxSessions is sshd's MaxSessions; default 50.
	MaxSessions int
	// ExtraConfig is appended to sshd_config.
	ExtraConfig string
}

// Host is one address sshd listens on, with what a client needs.
type Host struct {
	Addr       string // IP address
	Port       int
	User       string // the current user
	KeyFile    string // client private key (unencrypted, OpenSSH PEM)
	KnownHosts string // known_hosts with every address of the Server
}

// Server is a set of running sshd processes sharing keys.
type Server struct {
	Hosts      []Host
	User       string
	KeyFile    string
	KnownHosts string
	HostKey    ssh.PublicKey
	dir        string
	mu         sync.Mutex
	procs      []*exec.Cmd
	waits      []chan error
}

// Available reports whether sshd is installed. When it is not, it skips t,
// or fails it when the environment variable CI is set.
func Available(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(SSHD); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing; CI must install openssh-server", SSHD)
		}
		t.Skipf("%s is not installed (apt-get install openssh-server); skipping the OpenSSH integration test", SSHD)
	}
}

// Start runs sshd on opts.Addrs and returns when every address accepts
// connections. t.Cleanup kills the processes.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	Available(t)
	if len(opts.Addrs) == 0 {
		opts.Addrs = []string{"127.0.0.1"}
	}
	if opts.MaxSessions == 0 {
		opts.MaxSessions = 50
	}
	for _, a := range opts.Addrs {
		ip := net.ParseIP(a)
		if ip == nil || !ip.IsLoopback() {
			t.Fatalf("sshdtest: %q is not a loopback address", a)
		}
	}
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatalf("sshdtest: privilege separation directory: %v", err)
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := &Server{User: u.Username, dir: dir}

	hostPEM, hostPub := newKey(t)
	s.HostKey = hostPub
	hostKey := filepath.Join(dir, "ssh_host_ed25519_key")
	writeFile(t, hostKey, hostPEM)
	clientPEM, clientPub := newKey(t)
	s.KeyFile = filepath.Join(dir, "id_ed25519")
	writeFile(t, s.KeyFile, clientPEM)
	authKeys := filepath.Join(dir, "authorized_keys")
	writeFile(t, authKeys, ssh.MarshalAuthorizedKey(clientPub))
	s.KnownHosts = filepath.Join(dir, "known_hosts")

	t.Cleanup(s.stop)
	for i := 0; i < len(opts.Addrs); i += maxListen {
		group := opts.Addrs[i:min(i+maxListen, len(opts.Addrs))]
		port := s.startGroup(t, i/maxListen, group, opts, hostKey, authKeys)
		for _, a := range group {
			s.Hosts = append(s.Hosts, Host{Addr: a, Port: port, User: s.User, KeyFile: s.KeyFile, KnownHosts: s.KnownHosts})
		}
	}
	var kh bytes.Buffer
	for _, h := range s.Hosts {
		kh.WriteString(knownhosts.Line([]string{knownhosts.Normalize(net.JoinHostPort(h.Addr, strconv.Itoa(h.Port)))}, hostPub) + "\n")
	}
	writeFile(t, s.KnownHosts, kh.Bytes())
	return s
}

// startGroup starts one sshd for addrs and returns its port, retrying with
// another port when the chosen one turns out to be taken.
func (s *Server) startGroup(t testing.TB, n int, addrs []string, opts Options, hostKey, authKeys string) int {
	t.Helper()
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort(addrs)
		if err != nil {
			lastErr = err
			continue
		}
		cfgFile := filepath.Join(s.dir, fmt.Sprintf("sshd_config.%d", n))
		var b strings.Builder
		for _, a := range addrs {
			fmt.Fprintf(&b, "ListenAddress %s\n", net.JoinHostPort(a, strconv.Itoa(port)))
		}
		fmt.Fprintf(&b, `Port %d
PidFile %s
HostKey %s
AuthorizedKeysFile %s
StrictModes no
UsePAM no
PermitRootLogin yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
MaxSessions %d
MaxStartups 200
MaxAuthTries 10
LogLevel ERROR
UseDNS no
PrintMotd no
%s
`, port, filepath.Join(s.dir, fmt.Sprintf("sshd.%d.pid", n)), hostKey, authKeys, opts.MaxSessions, opts.ExtraConfig)
		writeFile(t, cfgFile, []byte(b.String()))
		var logs syncBuffer
		cmd := exec.Command(SSHD, "-D", "-e", "-f", cfgFile)
		cmd.Stdout, cmd.Stderr = &logs, &logs
		// Pdeathsig: no sshd outlives a test binary that panics or times out.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			t.Fatalf("sshdtest: start %s: %v", SSHD, err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if err := waitListening(addrs, port, exited); err != nil {
			_ = cmd.Process.Kill()
			<-exited
			lastErr = fmt.Errorf("%w; sshd said: %s", err, strings.TrimSpace(logs.String()))
			continue
		}
		s.mu.Lock()
		s.procs = append(s.procs, cmd)
		s.waits = append(s.waits, exited)
		s.mu.Unlock()
		return port
	}
	t.Fatalf("sshdtest: sshd did not start: %v", lastErr)
	return 0
}

func (s *Server) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, p := range s.procs {
		_ = syscall.Kill(-p.Process.Pid, syscall.SIGKILL)
		<-s.waits[i]
	}
	s.procs, s.waits = nil, nil
}

// waitListening polls until every address accepts on port, sshd exits, or
// 10s pass.
func waitListening(addrs []string, port int, exited <-chan error) error {
	deadline := time.Now().Add(10 * time.Second)
	for _, a := range addrs {
		addr := net.JoinHostPort(a, strconv.Itoa(port))
		for {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				_ = c.Close()
				break
			}
			select {
			case err := <-exited:
				return fmt.Errorf("sshd exited: %v", err)
			case <-time.After(20 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s not accepting after 10s: %v", addr, err)
			}
		}
	}
	return nil
}

// freePort finds a port free on every address.
func freePort(addrs []string) (int, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(addrs[0], "0"))
	if err != nil {
		return 0, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	defer func() { _ = ln.Close() }()
	for _, a := range addrs[1:] {
		l, err := net.Listen("tcp", net.JoinHostPort(a, strconv.Itoa(port)))
		if err != nil {
			return 0, err
		}
		_ = l.Close()
	}
	return port, nil
}

func newKey(t testing.TB) ([]byte, ssh.PublicKey) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	blk, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(blk), signer.PublicKey()
}

func writeFile(t testing.TB, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
