package conn

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/job"
)

// ErrUnknownHost means host key checking is on and the host is in no
// known_hosts file. It is returned inside an UnreachableError.
var ErrUnknownHost = errors.New("host key is unknown")

// ErrNoPassphrase means a key file is encrypted and SSHConfig.Passphrase
// is not set.
var ErrNoPassphrase = errors.New("key is encrypted and no passphrase is configured")

// Defaults of SSHConfig.
const (
	DefaultSSHConnectTimeout = 10 * time.Second
	DefaultSSHKeepAlive      = 15 * time.Second
	DefaultSSHIdleTimeout    = 60 * time.Second
	DefaultSSHMaxSessions    = 10
	// DefaultSSHJobDir is where detached jobs keep their files on a host; the
	// remote shell expands $HOME.
	DefaultSSHJobDir = "$HOME/.jetplay/jobs"
)

// SSHConfig configures an SSHPool. Zero fields take the default their
// comment states.
type SSHConfig struct {
	// KnownHostsFiles are known_hosts files checked in addition to
	// ~/.ssh/known_hosts (which is always used when it exists). Files that do
	// not exist are skipped.
	KnownHostsFiles []string
	// InsecureSkipHostKeyCheck turns host key checking off (the cmd layer
	// maps ANSIBLE_HOST_KEY_CHECKING=False to true). Default false: keys are
	// checked and unknown hosts are refused (StrictHostKeyChecking=yes).
	// A warning is logged once per host when it is set.
	InsecureSkipHostKeyCheck bool
	// DefaultUser is the login user when a Target has none; default the
	// current user.
	DefaultUser string
	// KeyFiles are private keys tried after a Target's KeyFile; default
	// ~/.ssh/id_ed25519, ~/.ssh/id_ecdsa and ~/.ssh/id_rsa, those that exist.
	KeyFiles []string
	// Passphrase returns the passphrase of an encrypted key file (cli reads
	// JETPLAY_SSH_PASSPHRASE or asks on the terminal); default none: an
	// encrypted key fails with ErrNoPassphrase.
	Passphrase func(keyFile string) ([]byte, error)
	// Password returns the login password of a host (ansible_password); it
	// comes from the executor's own configuration, never from a task.
	// Default nil: no password authentication.
	Password func(host string) (string, error)
	// AgentSocket is the ssh-agent socket (cli passes $SSH_AUTH_SOCK);
	// default none. The agent is used when the socket is set and NoAgent is
	// false.
	AgentSocket string
	// NoAgent turns agent authentication off; default false.
	NoAgent bool
	// ConnectTimeout bounds TCP dial plus SSH handshake; default 10s.
	ConnectTimeout time.Duration
	// KeepAlive is the interval of keepalive@openssh.com requests; a
	// connection that does not answer within one interval is closed and
	// dropped from the pool. Default 15s.
	KeepAlive time.Duration
	// IdleTimeout closes a pooled connection unused that long; default 60s.
	IdleTimeout time.Duration
	// MaxSessions is the number of concurrent sessions per connection;
	// default 10 (OpenSSH's MaxSessions). Past it, Run waits for a free
	// session on the same connection (bounded by its ctx): the pool never
	// opens a second connection to the same (address, port, user).
	MaxSessions int
	// JobDir is the directory of detached jobs on the hosts, expanded by the
	// remote shell; default "$HOME/.jetplay/jobs".
	JobDir string
	// Logger receives the pool's logs; default a disabled logger.
	Logger zerolog.Logger
}

func (c SSHConfig) withDefaults() (SSHConfig, error) {
	home, _ := os.UserHomeDir()
	if home != "" {
		kh := filepath.Join(home, ".ssh", "known_hosts")
		c.KnownHostsFiles = append([]string{kh}, c.KnownHostsFiles...)
		if c.KeyFiles == nil {
			for _, n := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
				if p := filepath.Join(home, ".ssh", n); fileExists(p) {
					c.KeyFiles = append(c.KeyFiles, p)
				}
			}
		}
	}
	if c.DefaultUser == "" {
		u, err := user.Current()
		if err != nil {
			return c, fmt.Errorf("ssh config: default user: %w", err)
		}
		c.DefaultUser = u.Username
	}
	if c.Passphrase == nil {
		c.Passphrase = func(string) ([]byte, error) { return nil, ErrNoPassphrase }
	}
	c.ConnectTimeout = cmp.Or(c.ConnectTimeout, DefaultSSHConnectTimeout)
	c.KeepAlive = cmp.Or(c.KeepAlive, DefaultSSHKeepAlive)
	c.IdleTimeout = cmp.Or(c.IdleTimeout, DefaultSSHIdleTimeout)
	c.MaxSessions = cmp.Or(c.MaxSessions, DefaultSSHMaxSessions)
	c.JobDir = cmp.Or(c.JobDir, DefaultSSHJobDir)
	return c, c.validate()
}

func (c SSHConfig) validate() error {
	switch {
	case c.ConnectTimeout < 0, c.KeepAlive < 0, c.IdleTimeout < 0:
		return errors.New("ssh config: durations must not be negative")
	case c.MaxSessions < 0:
		return errors.New("ssh config: MaxSessions must not be negative")
	}
	return nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// SSHStats counts what an SSHPool did.
type SSHStats struct {
	// Dials is the number of TCP connections attempted (jump hosts included).
	Dials int64
	// Handshakes is the number of completed SSH handshakes.
	Handshakes int64
	// OpenConns is the number of SSH connections open now.
	OpenConns int64
	// Sessions is the number of sessions opened so far.
	Sessions int64
}

// SSHPool hands out SSH connections: one SSH connection per (address, port,
// user), dialed on first use and shared by every command to that target.
// It is safe for concurrent use.
type SSHPool struct {
	cfg    SSHConfig
	log    zerolog.Logger
	auth   *authCache
	hkc    *hostKeys
	closed chan struct{}
	wg     sync.WaitGroup

	mu      sync.Mutex
	clients map[poolKey]*poolEntry
	isDone  bool

	dials, handshakes, openConns, sessions atomic.Int64
}

type poolKey struct {
	addr string // host:port
	user string
	via  string // ProxyJump chain, as given
}

// poolEntry is one slot of the pool; ready is closed once dialing ended,
// with c or err set.
type poolEntry struct {
	ready chan struct{}
	c     *sshClient
	err   error
}

// NewSSHPool returns a pool configured by cfg.
func NewSSHPool(cfg SSHConfig) (*SSHPool, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	p := &SSHPool{
		cfg:     cfg,
		log:     cfg.Logger.With().Str("component", "ssh").Logger(),
		closed:  make(chan struct{}),
		clients: make(map[poolKey]*poolEntry),
	}
	p.auth = newAuthCache(cfg, p.log)
	p.hkc = newHostKeys(cfg, p.log)
	return p, nil
}

// Stats returns the pool's counters.
func (p *SSHPool) Stats() SSHStats {
	return SSHStats{
		Dials:      p.dials.Load(),
		Handshakes: p.handshakes.Load(),
		OpenConns:  p.openConns.Load(),
		Sessions:   p.sessions.Load(),
	}
}

// Close closes every connection and waits for the pool's goroutines. Runs
// in progress fail; detached jobs keep running on their hosts. Close may be
// called more than once.
func (p *SSHPool) Close() error {
	p.mu.Lock()
	if p.isDone {
		p.mu.Unlock()
		return nil
	}
	p.isDone = true
	close(p.closed)
	entries := p.clients
	p.clients = map[poolKey]*poolEntry{}
	p.mu.Unlock()
	for _, e := range entries {
		<-e.ready
		if e.c != nil {
			e.c.close()
		}
	}
	p.wg.Wait()
	return nil
}

// errPoolClosed is returned by Run after Close.
var errPoolClosed = errors.New("ssh pool is closed")

// Conn returns a connection to the host named host (its inventory name)
// reached as t says. Nothing is dialed until the first Run. The returned
// Conn also implements Attacher, Forgetter and Killer.
func (p *SSHPool) Conn(host string, t job.Target) Conn {
	return p.conn(host, t)
}

func (p *SSHPool) conn(host string, t job.Target) *sshConn {
	addr := cmp.Or(t.Address, host)
	port := cmp.Or(t.Port, 22)
	args := parseSSHArgs(t.SSHArgs, p.log.With().Str("host", host).Logger())
	return &sshConn{
		pool:   p,
		host:   host,
		target: t,
		key: poolKey{
			addr: net.JoinHostPort(addr, strconv.Itoa(port)),
			user: cmp.Or(t.User, p.cfg.DefaultUser),
			via:  args.proxyJump,
		},
		jumps: args.jumps,
	}
}

// client returns the pooled client of c's key, dialing it when there is
// none. fresh asks for a new connection even if one is pooled: the old one
// is retired (it serves its open sessions, then closes).
func (p *SSHPool) client(ctx context.Context, c *sshConn, fresh *sshClient) (*sshClient, error) {
	for {
		p.mu.Lock()
		if p.isDone {
			p.mu.Unlock()
			return nil, errPoolClosed
		}
		e := p.clients[c.key]
		if e != nil && fresh != nil && isClosed(e.ready) && e.c == fresh {
			delete(p.clients, c.key)
			fresh.retire()
			e = nil
		}
		if e == nil {
			e = &poolEntry{ready: make(chan struct{})}
			p.clients[c.key] = e
			p.mu.Unlock()
			e.c, e.err = p.dial(ctx, c)
			if e.err != nil {
				p.mu.Lock()
				if p.clients[c.key] == e {
					delete(p.clients, c.key)
				}
				p.mu.Unlock()
			}
			close(e.ready)
			return e.c, e.err
		}
		p.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if e.err != nil {
			// Someone else's dial failed; its error is as good as ours.
			return nil, e.err
		}
		if e.c.usable() {
			return e.c, nil
		}
		p.forget(c.key, e.c)
	}
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// forget removes sc from the pool if it is still the pooled client of key.
func (p *SSHPool) forget(key poolKey, sc *sshClient) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.clients[key]; e != nil && e.c == sc {
		delete(p.clients, key)
	}
}

// dropAll closes every pooled connection abruptly (a test hook simulating a
// network failure).
func (p *SSHPool) dropAll() {
	p.mu.Lock()
	entries := p.clients
	p.clients = map[poolKey]*poolEntry{}
	p.mu.Unlock()
	for _, e := range entries {
		<-e.ready
		if e.c != nil {
			_ = e.c.raw.Close()
		}
	}
}
