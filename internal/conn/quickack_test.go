package conn

import (
	"bytes"
	"io"
	"net"
	"testing"
)

// The wrapper passes the bytes through unchanged, asks for quick ACKs on
// the first quickAckReads reads only, and leaves non-TCP connections alone.
func TestQuickAckConn(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	want := bytes.Repeat([]byte("0123456789"), quickAckReads*2)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		for i := 0; i < len(want); i += 5 {
			if _, err := c.Write(want[i : i+5]); err != nil {
				return
			}
		}
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := withQuickAck(raw)
	defer c.Close()
	qc, ok := c.(*quickAckConn)
	if !ok {
		t.Fatalf("withQuickAck(TCP) = %T, want *quickAckConn", c)
	}
	got := make([]byte, 0, len(want))
	buf := make([]byte, 5)
	for len(got) < len(want) {
		n, err := qc.Read(buf)
		got = append(got, buf[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes that differ from the %d written", len(got), len(want))
	}
	if n := qc.reads.Load(); n != quickAckReads {
		t.Errorf("quick ACKs asked on %d reads, want %d", n, quickAckReads)
	}

	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if got := withQuickAck(a); got != a {
		t.Errorf("withQuickAck(pipe) = %T, want the pipe itself", got)
	}
}
