package conn

import (
	"net"
	"syscall"
)

// setQuickAck turns TCP_QUICKACK on: the kernel acknowledges what has
// arrived now rather than when its delayed-ACK timer fires. The kernel
// leaves quick-ack mode again on its own, so it is set after each read.
// Failures are ignored: it only changes when an ACK is sent.
func setQuickAck(c *net.TCPConn) {
	rc, err := c.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
	})
}
