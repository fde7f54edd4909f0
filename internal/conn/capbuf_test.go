package conn

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/sshdtest"
)

// capped is what a capBuffer must return for out: all of it when it fits,
// else its head, the marker line and its tail.
func capped(out []byte) []byte {
	if len(out) <= OutputHead+OutputTail {
		return out
	}
	cut := len(out) - OutputHead - OutputTail
	want := append([]byte{}, out[:OutputHead]...)
	if want[len(want)-1] != '\n' {
		want = append(want, '\n')
	}
	want = append(want, fmt.Sprintf("[%d bytes cut]\n", cut)...)
	return append(want, out[len(out)-OutputTail:]...)
}

func TestCapBufferKeepsHeadAndTail(t *testing.T) {
	t.Parallel()
	// Distinct bytes everywhere, so a misplaced ring segment shows.
	out := make([]byte, OutputHead+OutputTail+3*OutputTail/2+17)
	for i := range out {
		out[i] = byte(i*7 + i/251)
	}
	for _, size := range []int{1 << 20, 4093, len(out)} {
		for _, n := range []int{OutputHead + OutputTail - 5, OutputHead + OutputTail, len(out)} {
			var b capBuffer
			for p := out[:n]; len(p) > 0; {
				k := min(size, len(p))
				if w, err := b.Write(p[:k]); w != k || err != nil {
					t.Fatalf("write: %d, %v", w, err)
				}
				p = p[k:]
			}
			if got, want := b.bytes(), capped(out[:n]); !bytes.Equal(got, want) {
				t.Fatalf("%d bytes in writes of %d: got %d bytes, want %d", n, size, len(got), len(want))
			}
			if want := int64(max(0, n-OutputHead-OutputTail)); b.cut() != want {
				t.Fatalf("%d bytes: cut %d, want %d", n, b.cut(), want)
			}
		}
	}
}

func TestWrapperOutputDropsDotLines(t *testing.T) {
	t.Parallel()
	in := ".\n.\n.\nJETPLAY-DONE 0 0 1 2 3\n.\nout\n"
	for size := 1; size <= len(in); size++ {
		var w wrapperOutput
		for p := in; len(p) > 0; {
			k := min(size, len(p))
			_, _ = w.Write([]byte(p[:k]))
			p = p[k:]
		}
		if got, want := string(w.bytes()), "JETPLAY-DONE 0 0 1 2 3\n.\nout\n"; got != want {
			t.Fatalf("writes of %d: got %q, want %q", size, got, want)
		}
	}
	var w wrapperOutput
	_, _ = w.Write([]byte(".x\nout"))
	if got := string(w.bytes()); got != ".x\nout" {
		t.Fatalf("got %q", got)
	}
}

// floodLen is what floodScript prints on each stream: START, 20 MiB of
// zero bytes, END and a newline.
const (
	floodScript = "f() { printf START; head -c 20M /dev/zero; echo END; }; f; f >&2"
	floodLen    = 5 + 20<<20 + 4
)

// checkFlood checks that a stream of floodScript came back within the cap,
// with its head, its tail and the marker counting the cut bytes.
func checkFlood(t *testing.T, name string, got []byte) {
	t.Helper()
	marker := fmt.Sprintf("\n[%d bytes cut]\n", floodLen-OutputHead-OutputTail)
	if len(got) != OutputHead+OutputTail+len(marker) {
		t.Errorf("%s: %d bytes, want %d (the cap and the marker)", name, len(got), OutputHead+OutputTail+len(marker))
	}
	if !bytes.HasPrefix(got, []byte("START\x00")) || !bytes.HasSuffix(got, []byte("\x00END\n")) {
		t.Errorf("%s: head %q tail %q", name, got[:min(len(got), 8)], got[max(0, len(got)-8):])
	}
	if i := bytes.Index(got, []byte(marker)); i != OutputHead {
		t.Errorf("%s: marker %q at %d, want %d", name, strings.TrimSpace(marker), i, OutputHead)
	}
}

func TestLocalOutputCapped(t *testing.T) {
	t.Parallel()
	var live [2]int
	for _, out := range []func(bool, []byte){nil, func(stderr bool, p []byte) {
		if stderr {
			live[1] += len(p)
		} else {
			live[0] += len(p)
		}
	}} {
		res, err := Local{}.Run(testCtx(t, time.Minute), Command{Script: floodScript, Output: out})
		if err != nil || res.RC != 0 {
			t.Fatalf("rc %d, %v (stderr %q)", res.RC, err, res.Stderr[:min(len(res.Stderr), 200)])
		}
		checkFlood(t, "stdout", res.Stdout)
		checkFlood(t, "stderr", res.Stderr)
	}
	// The cap is on what the result keeps; live output saw every byte.
	if live != [2]int{floodLen, floodLen} {
		t.Errorf("live output %v bytes, want %d on each stream", live, floodLen)
	}
}

func TestSSHOutputCapped(t *testing.T) {
	t.Parallel()
	flood := func(w io.Writer) {
		_, _ = io.WriteString(w, "START")
		zero := make([]byte, 64<<10)
		for range 20 << 4 {
			if _, err := w.Write(zero); err != nil {
				return
			}
		}
		_, _ = io.WriteString(w, "END\n")
	}
	h := func(_ context.Context, cmd string, stdout, stderr io.Writer) int {
		if !strings.Contains(cmd, "flood") {
			return 1
		}
		flood(stdout)
		flood(stderr)
		return 0
	}
	_, _, c := setupFake(t, h, SSHConfig{})
	res, err := c.Run(testCtx(t, time.Minute), Command{Argv: []string{"flood"}})
	if err != nil || res.RC != 0 {
		t.Fatalf("rc %d, %v", res.RC, err)
	}
	checkFlood(t, "stdout", res.Stdout)
	checkFlood(t, "stderr", res.Stderr)
}

// A detached job's output comes back through the control shell (or, with
// no room for one, a session of its own) within the cap, and the stream
// stays in step: the next job's result is read right.
func TestOpenSSHDetachedOutputCapped(t *testing.T) {
	t.Parallel()
	for _, maxSessions := range []int{0, 2} {
		t.Run(fmt.Sprintf("MaxSessions=%d", maxSessions), func(t *testing.T) {
			t.Parallel()
			srv := sshdtest.Start(t, sshdtest.Options{})
			p := newTestPool(t, SSHConfig{KnownHostsFiles: []string{srv.KnownHosts}, JobDir: t.TempDir(), MaxSessions: maxSessions})
			c := p.conn("host1", realTarget(srv.Hosts[0]))
			ctx := testCtx(t, 2*time.Minute)
			res, err := c.Run(ctx, Command{Script: floodScript, Detach: true, JobID: "r0123456789abcdef01.20000001"})
			if err != nil || res.RC != 0 {
				t.Fatalf("rc %d, %v", res.RC, err)
			}
			checkFlood(t, "stdout", res.Stdout)
			checkFlood(t, "stderr", res.Stderr)
			res, err = c.Run(ctx, Command{Script: "echo next; echo err >&2", Detach: true, JobID: "r0123456789abcdef01.20000002"})
			if err != nil || res.RC != 0 || string(res.Stdout) != "next\n" || string(res.Stderr) != "err\n" {
				t.Fatalf("next job: rc %d stdout %q stderr %q, %v", res.RC, res.Stdout, res.Stderr, err)
			}
		})
	}
}
