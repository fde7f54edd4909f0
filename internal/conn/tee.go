package conn

import (
	"errors"
	"io"
)

// A command's output stream is read into a buffer of teeBufStart bytes,
// grown up to teeBufSize while reads fill it: a command that prints little
// (most) holds a small buffer for its whole life.
const (
	teeBufStart = 512
	teeBufSize  = 4 << 10
)

// teeWriter writes to both the buffer a result keeps and the live-output
// callback (none when live.fn is nil). It copies with a buffer of its own (ReadFrom): os/exec and
// io.Copy would otherwise give each output stream of a command a 32 KiB
// buffer for its whole life, 64 KiB per running command — most of an
// executor's memory with a thousand commands running at once.
type teeWriter struct {
	keep io.Writer
	live outputWriter
}

func (t teeWriter) Write(p []byte) (int, error) {
	n, err := t.keep.Write(p)
	if err != nil {
		return n, err
	}
	if t.live.fn != nil {
		_, _ = t.live.Write(p)
	}
	return len(p), nil
}

// ReadFrom implements io.ReaderFrom, so io.Copy(t, r) uses a buffer of
// teeBufStart growing to teeBufSize.
func (t teeWriter) ReadFrom(r io.Reader) (int64, error) {
	buf := make([]byte, teeBufStart)
	var total int64
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := t.Write(buf[:n]); werr != nil {
				return total, werr
			}
			total += int64(n)
		}
		if errors.Is(err, io.EOF) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
		if n == len(buf) && len(buf) < teeBufSize {
			buf = make([]byte, min(2*len(buf), teeBufSize))
		}
	}
}
