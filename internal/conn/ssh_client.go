package conn

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// sshClient is one pooled SSH connection. Command sessions are bounded by
// tokens (MaxSessions-1 when MaxSessions > 1); one more session is kept for
// control commands (killing a timed-out command's process group), so a kill
// never waits behind the commands it is meant to stop.
type sshClient struct {
	pool   *SSHPool
	key    poolKey
	client *ssh.Client
	raw    net.Conn
	jumps  []*ssh.Client
	tokens chan struct{}
	ctl    chan struct{}
	done   chan struct{} // closed when the connection is gone

	mu       sync.Mutex
	active   int
	retired  bool
	dead     bool
	idle     *time.Timer
	lastUsed time.Time
	jobs     *sshWatcher // created on first use
}

func newSSHClient(p *SSHPool, key poolKey, cl *ssh.Client, raw net.Conn, jumps []*ssh.Client) *sshClient {
	n := p.cfg.MaxSessions
	if n > 1 {
		n--
	}
	c := &sshClient{
		pool: p, key: key, client: cl, raw: raw, jumps: jumps,
		tokens:   make(chan struct{}, n),
		ctl:      make(chan struct{}, 1),
		done:     make(chan struct{}),
		lastUsed: time.Now(),
	}
	p.openConns.Add(1)
	c.idle = time.AfterFunc(p.cfg.IdleTimeout, c.idleCheck)
	p.wg.Add(2)
	go c.waitClosed()
	go c.keepAlive()
	return c
}

// waitClosed does the bookkeeping once the connection ends, however it ends.
func (c *sshClient) waitClosed() {
	defer c.pool.wg.Done()
	_ = c.client.Wait()
	c.mu.Lock()
	c.dead = true
	c.idle.Stop()
	c.mu.Unlock()
	close(c.done)
	for i := len(c.jumps) - 1; i >= 0; i-- {
		_ = c.jumps[i].Close()
	}
	_ = c.raw.Close()
	c.pool.forget(c.key, c)
	c.pool.openConns.Add(-1)
	c.pool.log.Debug().Str("addr", c.key.addr).Str("user", c.key.user).Msg("ssh connection closed")
}

// keepAlive sends keepalive@openssh.com every KeepAlive and closes the
// connection when a reply does not come within one interval.
func (c *sshClient) keepAlive() {
	defer c.pool.wg.Done()
	every := c.pool.cfg.KeepAlive
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		reply := make(chan error, 1)
		c.pool.wg.Add(1)
		go func() {
			defer c.pool.wg.Done()
			_, _, err := c.client.SendRequest("keepalive@openssh.com", true, nil)
			reply <- err
		}()
		timer := time.NewTimer(every)
		select {
		case err := <-reply:
			timer.Stop()
			if err != nil {
				c.pool.log.Warn().Err(err).Str("addr", c.key.addr).Msg("ssh keepalive failed; dropping connection")
				c.close()
				return
			}
		case <-timer.C:
			c.pool.log.Warn().Str("addr", c.key.addr).Dur("after", every).Msg("ssh keepalive unanswered; dropping connection")
			c.close()
			return
		case <-c.done:
			timer.Stop()
			return
		}
	}
}

func (c *sshClient) idleCheck() {
	c.mu.Lock()
	idle := c.active == 0 && time.Since(c.lastUsed) >= c.pool.cfg.IdleTimeout
	c.mu.Unlock()
	if idle {
		c.pool.log.Debug().Str("addr", c.key.addr).Msg("closing idle ssh connection")
		c.pool.forget(c.key, c)
		c.close()
	}
}

func (c *sshClient) close() { _ = c.client.Close() }

func (c *sshClient) usable() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.dead && !c.retired
}

// retire stops new sessions; the connection closes once its last session ends.
func (c *sshClient) retire() {
	c.mu.Lock()
	c.retired = true
	idle := c.active == 0
	c.mu.Unlock()
	if idle {
		c.close()
	}
}

// newSession opens a session, waiting for a free one past MaxSessions.
// ctl picks the control slot instead of a command slot. The returned
// release must be called once the session is closed.
func (c *sshClient) newSession(ctx context.Context, ctl bool) (*ssh.Session, func(), error) {
	tokens := c.tokens
	if ctl {
		tokens = c.ctl
	}
	select {
	case tokens <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	case <-c.done:
		return nil, nil, fmt.Errorf("ssh connection to %s closed", c.key.addr)
	}
	c.mu.Lock()
	c.active++
	c.idle.Stop()
	c.mu.Unlock()
	var once sync.Once
	release := func() {
		once.Do(func() {
			<-tokens
			c.mu.Lock()
			c.active--
			c.lastUsed = time.Now()
			last := c.active == 0
			retired := c.retired
			if last && !c.dead {
				c.idle.Reset(c.pool.cfg.IdleTimeout)
			}
			c.mu.Unlock()
			if last && retired {
				c.close()
			}
		})
	}
	s, err := c.client.NewSession()
	if err != nil {
		release()
		return nil, nil, err
	}
	c.pool.sessions.Add(1)
	return s, release, nil
}
