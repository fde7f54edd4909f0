//go:build !linux

package conn

import "net"

// setQuickAck does nothing where TCP_QUICKACK does not exist.
func setQuickAck(*net.TCPConn) {}
