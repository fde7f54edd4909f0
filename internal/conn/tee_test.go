package conn

import (
	"bytes"
	"context"
	"sync"
	"testing"
)

// A command's output reaches both the result and the live-output callback
// whole, read in chunks of at most teeBufSize (os/exec's own copy would
// read up to 32 KiB at a time, holding such a buffer per stream).
func TestLocalOutputIsCopiedWithSmallBuffers(t *testing.T) {
	t.Parallel()
	var (
		mu     sync.Mutex
		live   [2]bytes.Buffer
		maxLen int
	)
	out := func(stderr bool, b []byte) {
		mu.Lock()
		defer mu.Unlock()
		i := 0
		if stderr {
			i = 1
		}
		live[i].Write(b)
		maxLen = max(maxLen, len(b))
	}
	// 200 KB on stdout in one write, and a line on stderr.
	res, err := Local{}.Run(context.Background(), Command{
		Script: "head -c 200000 /dev/zero | tr '\\0' x; echo oops >&2",
		Output: out,
	})
	if err != nil || res.RC != 0 {
		t.Fatalf("rc %d, %v", res.RC, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(res.Stdout) != 200000 || !bytes.Equal(live[0].Bytes(), res.Stdout) {
		t.Errorf("stdout: result %d bytes, live %d bytes, want 200000 in both", len(res.Stdout), live[0].Len())
	}
	if string(res.Stderr) != "oops\n" || live[1].String() != "oops\n" {
		t.Errorf("stderr: result %q, live %q", res.Stderr, live[1].String())
	}
	if maxLen > teeBufSize {
		t.Errorf("output came in chunks of up to %d bytes, want at most %d", maxLen, teeBufSize)
	}
}
