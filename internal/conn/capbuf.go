package conn

import (
	"fmt"
	"io"
)

// What one output stream (stdout or stderr) of one command may hold in the
// executor: its first OutputHead bytes and its last OutputTail bytes. The
// bytes between are read (so the command and the stream go on) but not
// kept; the result gets a marker line "[N bytes cut]" in their place. The
// status record keeps far less (job.MaxResultOutput), so normal jobs see no
// change; the cap only stops a job printing gigabytes from exhausting the
// executor's memory.
const (
	OutputHead = 1 << 20
	OutputTail = 7 << 20
)

// capBuffer collects one output stream within the cap: a head of up to
// OutputHead bytes, then a ring of the last OutputTail bytes. It grows as
// the bytes come, so a short stream holds a small buffer. Not safe for
// concurrent use.
type capBuffer struct {
	head    []byte
	tail    []byte // ring once len(tail) == OutputTail, oldest byte at start
	start   int
	dropped int64 // bytes evicted from the ring: the cut middle
}

func (b *capBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if k := min(OutputHead-len(b.head), len(p)); k > 0 {
		b.head = append(b.head, p[:k]...)
		p = p[k:]
	}
	if k := min(OutputTail-len(b.tail), len(p)); k > 0 {
		b.tail = append(b.tail, p[:k]...)
		p = p[k:]
	}
	if len(p) == 0 {
		return n, nil
	}
	// The ring is full: each new byte evicts the oldest one.
	b.dropped += int64(len(p))
	if len(p) > OutputTail {
		p = p[len(p)-OutputTail:]
	}
	c := copy(b.tail[b.start:], p)
	copy(b.tail, p[c:])
	b.start = (b.start + len(p)) % OutputTail
	return n, nil
}

// cut is the number of bytes dropped from the middle of the stream.
func (b *capBuffer) cut() int64 { return b.dropped }

// bytes returns what was kept, in order, with the marker line between head
// and tail when bytes were cut. The result is a copy.
func (b *capBuffer) bytes() []byte {
	if b.dropped == 0 {
		out := make([]byte, 0, len(b.head)+len(b.tail))
		return append(append(out, b.head...), b.tail...)
	}
	marker := fmt.Sprintf("[%d bytes cut]\n", b.dropped)
	if len(b.head) > 0 && b.head[len(b.head)-1] != '\n' {
		marker = "\n" + marker
	}
	out := make([]byte, 0, len(b.head)+len(marker)+len(b.tail))
	out = append(out, b.head...)
	out = append(out, marker...)
	out = append(out, b.tail[b.start:]...)
	return append(out, b.tail[:b.start]...)
}

var _ io.Writer = (*capBuffer)(nil)
