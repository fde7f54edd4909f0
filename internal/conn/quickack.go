package conn

import (
	"net"
	"sync/atomic"
)

// quickAckReads is how many reads of a new connection ask the kernel to
// acknowledge at once (setQuickAck): enough for the handshake, the
// authentication and the first session.
const quickAckReads = 64

// quickAckConn is a TCP connection whose first quickAckReads reads are
// acknowledged at once instead of by the delayed-ACK timer.
//
// Why: after authentication OpenSSH's sshd sends a few messages the client
// does not answer (hostkeys-00@openssh.com, ext-info), then, with Nagle's
// algorithm still on (it sets TCP_NODELAY only when a session starts), holds
// its answer to the first channel open until those are acknowledged. The
// client's kernel delays that acknowledgement (40 ms on Linux), so the first
// session of every connection took about 45 ms to open instead of 1-3 ms.
type quickAckConn struct {
	*net.TCPConn
	reads atomic.Int32
}

// withQuickAck wraps c when it is a TCP connection; other connections (a
// channel through a jump host) are returned as they are.
func withQuickAck(c net.Conn) net.Conn {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return c
	}
	return &quickAckConn{TCPConn: tc}
}

func (c *quickAckConn) Read(b []byte) (int, error) {
	n, err := c.TCPConn.Read(b)
	if n > 0 && c.reads.Load() < quickAckReads {
		c.reads.Add(1)
		setQuickAck(c.TCPConn)
	}
	return n, err
}
