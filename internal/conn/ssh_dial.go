package conn

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// dial connects to c's target, through its jump hosts if any. Each hop gets
// ConnectTimeout for TCP dial plus handshake.
func (p *SSHPool) dial(ctx context.Context, c *sshConn) (*sshClient, error) {
	var jumps []*ssh.Client
	closeJumps := func() {
		for i := len(jumps) - 1; i >= 0; i-- {
			_ = jumps[i].Close()
		}
	}
	var via *ssh.Client
	for _, j := range c.jumps {
		cl, _, err := p.handshake(ctx, via, j.addr, cmp.Or(j.user, p.cfg.DefaultUser), j.addr, c.target.KeyFile)
		if err != nil {
			closeJumps()
			return nil, fmt.Errorf("jump host %s: %w", j.addr, err)
		}
		jumps = append(jumps, cl)
		via = cl
	}
	cl, raw, err := p.handshake(ctx, via, c.key.addr, c.key.user, c.host, c.target.KeyFile)
	if err != nil {
		closeJumps()
		return nil, err
	}
	p.log.Debug().Str("host", c.host).Str("addr", c.key.addr).Str("user", c.key.user).Msg("ssh connected")
	return newSSHClient(p, c.key, cl, raw, jumps), nil
}

// handshake dials addr (directly, or through via) and authenticates as user.
// The raw connection is closed on every error path.
func (p *SSHPool) handshake(ctx context.Context, via *ssh.Client, addr, user, host, keyFile string) (*ssh.Client, net.Conn, error) {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, p.cfg.ConnectTimeout)
	defer cancel()
	timedOut := func(err error) error {
		if parent.Err() == nil && (ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded)) {
			return fmt.Errorf("timed out after %v (ConnectTimeout)", p.cfg.ConnectTimeout)
		}
		return err
	}
	p.dials.Add(1)
	var raw net.Conn
	var err error
	if via == nil {
		var d net.Dialer
		raw, err = d.DialContext(ctx, "tcp", addr)
	} else {
		raw, err = via.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("dial %s: %w", addr, timedOut(err))
	}
	cfg, cleanup, err := p.clientConfig(host, user, addr, keyFile)
	if err != nil {
		_ = raw.Close()
		return nil, nil, err
	}
	defer cleanup()
	if dl, ok := ctx.Deadline(); ok {
		_ = raw.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = raw.Close() })
	sc, chans, reqs, err := ssh.NewClientConn(withQuickAck(raw), addr, cfg)
	if !stop() {
		// ctx ended during the handshake and the conn is closed.
		if err == nil {
			_ = sc.Close()
		}
		_ = raw.Close()
		return nil, nil, fmt.Errorf("ssh handshake with %s: %w", addr, timedOut(ctx.Err()))
	}
	if err != nil {
		_ = raw.Close()
		return nil, nil, fmt.Errorf("ssh handshake with %s as %s: %w", addr, user, timedOut(err))
	}
	_ = raw.SetDeadline(time.Time{})
	p.handshakes.Add(1)
	return ssh.NewClient(sc, chans, reqs), raw, nil
}

// clientConfig builds the auth methods and host key check for one handshake.
// cleanup releases the agent connection.
func (p *SSHPool) clientConfig(host, user, addr, keyFile string) (*ssh.ClientConfig, func(), error) {
	cleanup := func() {}
	var methods []ssh.AuthMethod
	if !p.cfg.NoAgent && p.cfg.AgentSocket != "" {
		if ac, err := net.Dial("unix", p.cfg.AgentSocket); err != nil {
			p.log.Debug().Err(err).Msg("ssh agent unavailable")
		} else {
			cleanup = func() { _ = ac.Close() }
			methods = append(methods, ssh.PublicKeysCallback(agent.NewClient(ac).Signers))
		}
	}
	signers, err := p.auth.signers(keyFile)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	if len(signers) > 0 {
		methods = append(methods, ssh.PublicKeys(signers...))
	}
	if pw := p.cfg.Password; pw != nil {
		methods = append(methods,
			ssh.PasswordCallback(func() (string, error) { return pw(host) }),
			ssh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
				s, err := pw(host)
				if err != nil {
					return nil, err
				}
				out := make([]string, len(qs))
				for i := range out {
					out[i] = s
				}
				return out, nil
			}))
	}
	cb, algos := p.hkc.callback(host, addr)
	return &ssh.ClientConfig{
		User:              user,
		Auth:              methods,
		HostKeyCallback:   cb,
		HostKeyAlgorithms: algos,
	}, cleanup, nil
}

// authCache loads private keys once.
type authCache struct {
	cfg  SSHConfig
	log  zerolog.Logger
	mu   sync.Mutex
	keys map[string]ssh.Signer
}

func newAuthCache(cfg SSHConfig, log zerolog.Logger) *authCache {
	return &authCache{cfg: cfg, log: log, keys: map[string]ssh.Signer{}}
}

// signers returns the target's key (an error if it cannot be used) followed
// by the configured keys that can be used.
func (a *authCache) signers(targetKey string) ([]ssh.Signer, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []ssh.Signer
	if targetKey != "" {
		s, err := a.load(targetKey)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	for _, f := range a.cfg.KeyFiles {
		if f == targetKey {
			continue
		}
		s, err := a.load(f)
		if err != nil {
			a.log.Debug().Err(err).Str("key_file", f).Msg("skipping ssh key")
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

func (a *authCache) load(file string) (ssh.Signer, error) {
	if s, ok := a.keys[file]; ok {
		return s, nil
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read key: %w", err)
	}
	s, err := ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		var pass []byte
		pass, err = a.cfg.Passphrase(file)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", file, err)
		}
		s, err = ssh.ParsePrivateKeyWithPassphrase(pem, pass)
	}
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", file, err)
	}
	a.keys[file] = s
	return s, nil
}

// hostKeys checks host keys against the known_hosts files, reread at each
// handshake so that entries added while running are seen.
type hostKeys struct {
	cfg    SSHConfig
	log    zerolog.Logger
	warned sync.Map // host → struct{}
	probe  ssh.PublicKey
}

func newHostKeys(cfg SSHConfig, log zerolog.Logger) *hostKeys {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	sg, _ := ssh.NewSignerFromKey(priv)
	return &hostKeys{cfg: cfg, log: log, probe: sg.PublicKey()}
}

// callback returns the host key callback for addr and the host key
// algorithms to ask for (those of the keys known for addr, so that a host
// with several keys presents one we know).
func (h *hostKeys) callback(host, addr string) (ssh.HostKeyCallback, []string) {
	if h.cfg.InsecureSkipHostKeyCheck {
		if _, dup := h.warned.LoadOrStore(host, struct{}{}); !dup {
			h.log.Warn().Str("host", host).Str("addr", addr).Msg("host key checking is off: the host's identity is not verified")
		}
		return func(string, net.Addr, ssh.PublicKey) error { return nil }, nil
	}
	var files []string
	for _, f := range h.cfg.KnownHostsFiles {
		if fileExists(f) {
			files = append(files, f)
		}
	}
	named := strings.Join(h.cfg.KnownHostsFiles, ", ")
	unknown := func(key ssh.PublicKey) error {
		hp := addr
		sh, port, _ := net.SplitHostPort(addr)
		if port == "22" {
			hp = sh
		}
		return fmt.Errorf("%w: %s (%s key %s) is not in %s; add it with `ssh-keyscan -p %s %s >> ~/.ssh/known_hosts` or turn host key checking off (ANSIBLE_HOST_KEY_CHECKING=False)",
			ErrUnknownHost, hp, key.Type(), ssh.FingerprintSHA256(key), named, port, sh)
	}
	if len(files) == 0 {
		return func(_ string, _ net.Addr, key ssh.PublicKey) error { return unknown(key) }, nil
	}
	cb, err := knownhosts.New(files...)
	if err != nil {
		return func(string, net.Addr, ssh.PublicKey) error {
			return fmt.Errorf("%w: read known_hosts: %v", ErrHostKey, err)
		}, nil
	}
	var algos []string
	var probeErr *knownhosts.KeyError
	if errors.As(cb(addr, dummyAddr, h.probe), &probeErr) {
		seen := map[string]bool{}
		for _, k := range probeErr.Want {
			for _, a := range algosOf(k.Key.Type()) {
				if !seen[a] {
					seen[a] = true
					algos = append(algos, a)
				}
			}
		}
	}
	return func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := cb(hostname, remote, key)
		var ke *knownhosts.KeyError
		var re *knownhosts.RevokedError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &ke) && len(ke.Want) == 0:
			return unknown(key)
		case errors.As(err, &ke):
			w := ke.Want[0]
			return fmt.Errorf("%w: the %s key of %s (%s) does not match %s:%d; if the host was reinstalled, remove the old key with `ssh-keygen -R '%s' -f %s`",
				ErrHostKey, key.Type(), host, addr, w.Filename, w.Line, knownhosts.Normalize(addr), w.Filename)
		case errors.As(err, &re):
			return fmt.Errorf("%w: the key of %s (%s) is revoked in %s:%d", ErrHostKey, host, addr, re.Revoked.Filename, re.Revoked.Line)
		default:
			return fmt.Errorf("%w: %v", ErrHostKey, err)
		}
	}, algos
}

var dummyAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 22}

func algosOf(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}
