// Package sshdtest runs the real OpenSSH server (/usr/sbin/sshd) on loopback
// addresses for integration tests, with its own host keys, client key,
// config and known_hosts, all under t.TempDir(). Tests are skipped when sshd
// is not installed, except when the environment variable CI is set: there a
// missing sshd fails the test.
//
// By default clients log in as the current user, whose login shell runs its
// rc files at every session (a ~/.bashrc that initializes pyenv costs
// hundreds of milliseconds per session). Options.User = TestUser logs in as
// a dedicated unprivileged user whose login shell is /bin/sh, which reads no
// rc file (created by EnsureUser when running as root). Its home is shared
// by every test that uses it: tell your own files apart by name (job ids).
// Options.CleanHome keeps the user but points HOME at a fresh directory.
package sshdtest

import (
	"bytes"
	"cmp"
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

// TestUser is the dedicated login user of Options.User: /bin/sh as login
// shell, no privileges, no sudo.
const TestUser = "jetplay-test"

// Options configures Start.
type Options struct {
	// Addrs are the loopback addresses to listen on; default ["127.0.0.1"].
	// More than 16 start several sshd processes.
	Addrs []string
	// MaxSessions is sshd's MaxSessions; default 50.
	MaxSessions int
	// ExtraConfig is appended to sshd_config.
	ExtraConfig string
	// User is the login user: "" is the current user; TestUser (or another
	// name) is created when missing, see EnsureUser. Default "".
	User string
	// CleanHome sets HOME of every session to a fresh empty directory owned
	// by the login user (Server.Home) with sshd's SetEnv, so that no
	// ~/.bashrc runs at login. Default false. Ansible's async does not work
	// with it: async_status looks for jobs under the home from passwd (~user)
	// while async_wrapper writes them under $HOME.
	CleanHome bool
	// LogLevel is sshd's LogLevel; default ERROR. VERBOSE logs one
	// "Accepted publickey" line per connection (see Server.Log).
	LogLevel string
	// Port is the port to listen on; default a free one. A fixed port is
	// tried once, and takes at most 16 addresses.
	Port int
}

// Host is one address sshd listens on, with what a client needs.
type Host struct {
	Addr       string // IP address
	Port       int
	User       string // the login user
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
	// Home is $HOME of the sessions: the login user's home from passwd or,
	// with CleanHome, a fresh directory owned by the user.
	Home string

	dir      string
	uid, gid int
	opts     Options
	hostKey  string
	auth     string
	groups   [][]string // the addresses of each sshd process
	ports    []int      // the port of each sshd process
	logs     []*SyncBuffer

	mu    sync.Mutex
	procs []*exec.Cmd
	waits []chan error
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
	if opts.Port != 0 && len(opts.Addrs) > maxListen {
		t.Fatalf("sshdtest: a fixed port takes at most %d addresses", maxListen)
	}
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil { //nolint:gosec // sshd's own mode for its privilege separation directory
		t.Fatalf("sshdtest: privilege separation directory: %v", err)
	}
	u := loginUser(t, opts.User)
	s := &Server{User: u.Username, Home: u.HomeDir, dir: t.TempDir(), opts: opts}
	s.uid, _ = strconv.Atoi(u.Uid)
	s.gid, _ = strconv.Atoi(u.Gid)
	if opts.CleanHome {
		s.Home = s.ownedDir(t, "sshdtest-home-", 0o700)
	}

	hostPEM, hostPub := newKey(t)
	s.HostKey = hostPub
	s.hostKey = filepath.Join(s.dir, "ssh_host_ed25519_key")
	writeFile(t, s.hostKey, hostPEM)
	clientPEM, clientPub := newKey(t)
	s.KeyFile = filepath.Join(s.dir, "id_ed25519")
	writeFile(t, s.KeyFile, clientPEM)
	// sshd reads authorized_keys as the login user: another user needs a
	// path it can reach (t.TempDir() is 0700).
	authDir := s.dir
	if s.uid != os.Getuid() {
		authDir = s.ownedDir(t, "sshdtest-auth-", 0o755)
	}
	s.auth = filepath.Join(authDir, "authorized_keys")
	writeFile(t, s.auth, ssh.MarshalAuthorizedKey(clientPub))
	if err := os.Chmod(s.auth, 0o644); err != nil { //nolint:gosec // the login user reads it; it holds a public key
		t.Fatal(err)
	}
	s.KnownHosts = filepath.Join(s.dir, "known_hosts")

	t.Cleanup(s.Stop)
	for i := 0; i < len(opts.Addrs); i += maxListen {
		group := opts.Addrs[i:min(i+maxListen, len(opts.Addrs))]
		n := len(s.groups)
		s.groups = append(s.groups, group)
		s.ports = append(s.ports, 0)
		s.logs = append(s.logs, &SyncBuffer{})
		port := s.startGroup(t, n)
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

func loginUser(t testing.TB, name string) *user.User {
	t.Helper()
	if name == "" {
		u, err := user.Current()
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	return EnsureUser(t, name)
}

// startGroup starts sshd number n and returns its port, retrying with
// another port when the chosen one turns out to be taken, unless the port
// is fixed (Options.Port, or a Restart).
func (s *Server) startGroup(t testing.TB, n int) int {
	t.Helper()
	addrs, opts := s.groups[n], s.opts
	fixed := cmp.Or(s.ports[n], opts.Port)
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port := fixed
		if port == 0 {
			var err error
			if port, err = freePort(addrs); err != nil {
				lastErr = err
				continue
			}
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
LogLevel %s
UseDNS no
PrintMotd no
`, port, filepath.Join(s.dir, fmt.Sprintf("sshd.%d.pid", n)), s.hostKey, s.auth, opts.MaxSessions, cmp.Or(opts.LogLevel, "ERROR"))
		if opts.CleanHome {
			fmt.Fprintf(&b, "SetEnv HOME=%s\n", s.Home)
		}
		b.WriteString(opts.ExtraConfig + "\n")
		writeFile(t, cfgFile, []byte(b.String()))
		logs := s.logs[n]
		cmd := exec.Command(SSHD, "-D", "-e", "-f", cfgFile)
		cmd.Stdout, cmd.Stderr = logs, logs
		// Connection processes inherit the log pipe and may outlive the
		// listener: Wait must not wait for them.
		cmd.WaitDelay = time.Second
		// Pdeathsig: no sshd outlives a test binary that panics or times out.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			t.Fatalf("sshdtest: start %s: %v", SSHD, err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if err := waitListening(addrs, port, exited); err != nil {
			_ = cmd.Process.Kill()
			_ = <-exited // killed: waitListening's error says why
			lastErr = fmt.Errorf("%w; sshd said: %s", err, strings.TrimSpace(logs.String()))
			if fixed != 0 {
				break
			}
			continue
		}
		s.mu.Lock()
		s.procs = append(s.procs, cmd)
		s.waits = append(s.waits, exited)
		s.mu.Unlock()
		s.ports[n] = port
		return port
	}
	t.Fatalf("sshdtest: sshd did not start: %v", lastErr)
	return 0
}

// Stop kills every sshd process of the Server, the listeners and those
// serving connections: clients see their connections drop. Processes that
// sessions started (in sessions of their own) are left alone. Stop may be
// called more than once.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, p := range s.procs {
		_ = syscall.Kill(-p.Process.Pid, syscall.SIGSTOP) // accept nothing more
		killAll(sshdDescendants([]int{p.Process.Pid}))
		_ = syscall.Kill(-p.Process.Pid, syscall.SIGKILL)
		_ = <-s.waits[i] // killed: its exit status says nothing
	}
	s.procs, s.waits = nil, nil
}

// ConnPIDs returns the process ids of the sshd processes serving client
// connections now (the per-connection monitors and their unprivileged
// children).
func (s *Server) ConnPIDs() []int {
	return sshdDescendants(s.PIDs())
}

// DropConns severs every client connection by killing the sshd processes
// serving them (see ConnPIDs); the listeners keep accepting, and processes
// that sessions started in sessions of their own keep running. It returns
// how many processes it killed.
func (s *Server) DropConns() int {
	pids := s.ConnPIDs()
	killAll(pids)
	return len(pids)
}

func killAll(pids []int) {
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// sshdDescendants returns the descendants of roots named sshd, read from
// /proc. sshd puts each connection in a session of its own, so a process
// group kill of the listener does not reach them.
func sshdDescendants(roots []int) []int {
	entries, _ := os.ReadDir("/proc")
	children := map[int][]int{}
	comm := map[int]string{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(stat, ')')
		j := bytes.IndexByte(stat, '(')
		if i < 0 || j < 0 {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		children[ppid] = append(children[ppid], pid)
		comm[pid] = string(stat[j+1 : i])
	}
	var out []int
	queue := append([]int(nil), roots...)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			if comm[c] == "sshd" {
				out = append(out, c)
				queue = append(queue, c)
			}
		}
	}
	return out
}

// Restart starts the Server again after Stop on the same addresses, ports
// and keys: the hosts come back.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	for n := range s.groups {
		s.startGroup(t, n)
	}
}

// PIDs returns the process ids of the listening sshd processes. Each client
// connection is served by a child of one of them (pgrep -P PID).
func (s *Server) PIDs() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	pids := make([]int, 0, len(s.procs))
	for _, p := range s.procs {
		pids = append(pids, p.Process.Pid)
	}
	return pids
}

// Log returns what the sshd processes have logged so far, at
// Options.LogLevel.
func (s *Server) Log() string {
	var b strings.Builder
	for _, l := range s.logs {
		b.WriteString(l.String())
	}
	return b.String()
}

// TempDir returns a new directory the login user can write to, removed when
// the test ends.
func (s *Server) TempDir(t testing.TB) string {
	t.Helper()
	if s.uid == os.Getuid() {
		return t.TempDir()
	}
	return s.ownedDir(t, "sshdtest-tmp-", 0o755)
}

// ownedDir creates a directory owned by the login user in the system's
// temporary directory, removed when the test ends.
func (s *Server) ownedDir(t testing.TB, prefix string, mode os.FileMode) string {
	t.Helper()
	d, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(d) })
	if err := os.Chmod(d, mode); err != nil {
		t.Fatal(err)
	}
	if s.uid != os.Getuid() {
		if err := os.Chown(d, s.uid, s.gid); err != nil {
			t.Fatalf("sshdtest: chown %s to %s: %v", d, s.User, err)
		}
	}
	return d
}

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

// SyncBuffer is a bytes.Buffer safe for concurrent writes: a log that
// servers, clients and daemons under test write to while the test reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
