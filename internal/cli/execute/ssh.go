package execute

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	flag "github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
)

// SSHOptions are the SSH settings of executors: the daemon's and the
// publisher's embedded ones.
type SSHOptions struct {
	KnownHosts     []string
	HostKeyCheck   bool
	PrivateKeys    []string
	User           string
	ConnectTimeout int
	IdleTimeout    time.Duration
}

// SSHFlags registers the SSH flags on fs.
func SSHFlags(fs *flag.FlagSet, o *SSHOptions) {
	fs.StringArrayVar(&o.KnownHosts, "known-hosts", nil, "known_hosts file to verify host keys against, besides ~/.ssh/known_hosts (repeatable)")
	fs.BoolVar(&o.HostKeyCheck, "host-key-checking", hostKeyCheckingDefault(), "verify SSH host keys (env ANSIBLE_HOST_KEY_CHECKING=False turns it off)")
	fs.StringArrayVar(&o.PrivateKeys, "private-key", nil, "SSH private key file (repeatable; default ~/.ssh/id_*)")
	fs.StringVarP(&o.User, "user", "u", "", "remote user when the inventory names none (default: the current user)")
	fs.IntVar(&o.ConnectTimeout, "timeout", 10, "SSH connect timeout in seconds")
	fs.DurationVar(&o.IdleTimeout, "ssh-idle-timeout", 10*time.Minute, "close a pooled SSH connection unused this long")
}

func hostKeyCheckingDefault() bool {
	switch strings.ToLower(os.Getenv("ANSIBLE_HOST_KEY_CHECKING")) {
	case "false", "no", "0", "off":
		return false
	}
	return true
}

// Secrets reads passwords for a host from a variable source (an
// inventory's host variables). Passwords never reach the bus. A nil Secrets
// has none.
type Secrets func(host string) map[string]any

func (f Secrets) get(host string, keys ...string) string {
	if f == nil {
		return ""
	}
	vars := f(host)
	for _, k := range keys {
		if v, ok := vars[k]; ok && v != nil {
			return strings.TrimSpace(fmt.Sprint(v))
		}
	}
	return ""
}

// BecomePassword implements executor.Secrets: the host's
// ansible_become_password (or its older names), else the environment's
// JETPLAY_BECOME_PASSWORD.
func (f Secrets) BecomePassword(host string) string {
	if p := f.get(host, "ansible_become_password", "ansible_become_pass", "ansible_sudo_pass"); p != "" {
		return p
	}
	return os.Getenv("JETPLAY_BECOME_PASSWORD")
}

// dialer routes local targets to conn.Local and the rest to the SSH pool.
type dialer struct{ pool *conn.SSHPool }

func (d dialer) Conn(host string, t job.Target) conn.Conn {
	if t.Connection == job.ConnLocal {
		return conn.Local{}
	}
	return d.pool.Conn(host, t)
}

// OpenConns implements executor.PoolStats.
func (d dialer) OpenConns() int64 { return d.pool.Stats().OpenConns }

// NewDialer builds an executor's connections from the SSH options: local
// targets run locally, the rest through a pool of SSH connections, with
// passwords from secrets or the environment (JETPLAY_SSH_PASSWORD). The
// returned func closes the pool.
func NewDialer(o SSHOptions, secrets Secrets, log zerolog.Logger) (executor.Dialer, func(), error) {
	cfg := conn.SSHConfig{
		KnownHostsFiles:          o.KnownHosts,
		InsecureSkipHostKeyCheck: !o.HostKeyCheck,
		DefaultUser:              o.User,
		KeyFiles:                 o.PrivateKeys,
		AgentSocket:              os.Getenv("SSH_AUTH_SOCK"),
		Logger:                   log,
	}
	if o.ConnectTimeout > 0 {
		cfg.ConnectTimeout = time.Duration(o.ConnectTimeout) * time.Second
	}
	cfg.IdleTimeout = o.IdleTimeout
	cfg.Password = func(host string) (string, error) {
		if p := secrets.get(host, "ansible_password", "ansible_ssh_pass", "ansible_ssh_password"); p != "" {
			return p, nil
		}
		return os.Getenv("JETPLAY_SSH_PASSWORD"), nil
	}
	cfg.Passphrase = passphrase(os.Stdin, os.Stderr)
	pool, err := conn.NewSSHPool(cfg)
	if err != nil {
		return nil, nil, err
	}
	return dialer{pool}, func() { _ = pool.Close() }, nil
}

// passphrase returns the passphrase of an encrypted key: from
// JETPLAY_SSH_PASSPHRASE, or asked for once per key file on the terminal
// (without echo) when stdin is one. It is never logged.
func passphrase(in *os.File, prompt io.Writer) func(string) ([]byte, error) {
	var (
		mu    sync.Mutex
		cache = map[string][]byte{}
	)
	return func(file string) ([]byte, error) {
		if p, ok := os.LookupEnv("JETPLAY_SSH_PASSPHRASE"); ok {
			return []byte(p), nil
		}
		mu.Lock()
		defer mu.Unlock()
		if p, ok := cache[file]; ok {
			return p, nil
		}
		if !term.IsTerminal(int(in.Fd())) {
			return nil, fmt.Errorf("key %s is encrypted: set JETPLAY_SSH_PASSPHRASE or run on a terminal to be asked", file)
		}
		fmt.Fprintf(prompt, "Enter passphrase for key '%s': ", file)
		p, err := term.ReadPassword(int(in.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return nil, fmt.Errorf("read passphrase: %w", err)
		}
		cache[file] = p
		return p, nil
	}
}
