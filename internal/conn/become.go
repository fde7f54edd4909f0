package conn

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
)

// BecomeArgv wraps argv so that it runs as c.BecomeUser (root when empty)
// through c.BecomeMethod (sudo when empty). With a password, sudo reads it
// from stdin (-S) with an empty prompt; without, it must not ask (-n).
func BecomeArgv(c Command, argv []string) ([]string, error) {
	return becomeArgv(c, argv, "")
}

// becomeArgv is BecomeArgv with sudo's prompt (-p) when it reads a
// password.
func becomeArgv(c Command, argv []string, prompt string) ([]string, error) {
	user := cmp.Or(c.BecomeUser, "root")
	switch cmp.Or(c.BecomeMethod, "sudo") {
	case "sudo":
		out := []string{"sudo"}
		if c.BecomePassword != "" {
			out = append(out, "-S", "-p", prompt)
		} else {
			out = append(out, "-n")
		}
		out = append(out, "-H", "-u", user, "--")
		return append(out, argv...), nil
	case "su":
		return []string{"su", "-s", "/bin/sh", user, "-c", ShellQuote(argv)}, nil
	default:
		return nil, fmt.Errorf("become_method %q is not supported (use sudo or su)", c.BecomeMethod)
	}
}

// The become handshake: how a synchronous command run with Become and a
// BecomePassword gets exactly Stdin (nothing when nil), never the
// password.
//
// Sending "password\n" then Stdin down one pipe is not enough: sudo reads
// no password when it needs none (NOPASSWD, cached credentials, root
// calling sudo), so the password would become the first line of the
// command's input (cat would print it; for a Python payload, a syntax
// error that prints it); su's PAM conversation reads up to 511 bytes at
// once and would swallow the start of Stdin. So the command runs inside a
// small shell, after the become method has done its work:
//
//	sudo -S -p PROMPT -H -u USER -- /bin/sh -c 'echo MARK; while IFS= read -r l; do [ "$l" != MARK ] || exec "$@"; done; exit 1' jetplay-become ARGV...
//
// MARK is JETPLAY-BECOME-<random key>, PROMPT "[sudo via jetplay, key=<key>]
// password:". The client writes the password when sudo prints PROMPT on
// stderr (su: at once, as su always asks unless run by root), and nothing
// else until MARK appears on stdout: by then the become method has read
// all it will read. It then writes "MARK\n" and Stdin and closes the
// input. The shell reads its input one byte at a time (read(1) on a pipe,
// as POSIX requires of the read builtin), throws away every line before
// MARK (the password, when nobody read it) and execs the command, whose
// input is then exactly Stdin. MARK and every PROMPT are taken out of the
// command's stdout and stderr. A second PROMPT means sudo refused the
// password: the client closes the input (sudo stops at end of input) and
// Run returns a *BecomeError, as Ansible's "Incorrect sudo password".
// (su says so itself and exits.) The password only ever crosses stdin.

// handshake is one command's become handshake; see above.
type handshake struct {
	method   string
	password []byte
	marker   string
	prompt   string
	stdin    []byte

	seen    chan struct{} // closed when MARK went by on stdout
	prompts chan struct{} // one value per PROMPT on stderr
	failed  bool          // a second prompt came; read after fed is closed
	fed     chan struct{} // closed when feed returned
}

// needsHandshake reports whether c takes the become handshake when it
// runs synchronously (a detached SSH job's monitor hands the password to
// sudo itself, see ssh_detach.go).
func needsHandshake(c Command) bool {
	return c.Become && c.BecomePassword != ""
}

func newHandshake(c Command) (*handshake, error) {
	var k [12]byte
	if _, err := rand.Read(k[:]); err != nil {
		return nil, fmt.Errorf("become handshake key: %w", err)
	}
	key := hex.EncodeToString(k[:])
	return &handshake{
		method:   cmp.Or(c.BecomeMethod, "sudo"),
		password: []byte(c.BecomePassword + "\n"),
		marker:   "JETPLAY-BECOME-" + key,
		prompt:   "[sudo via jetplay, key=" + key + "] password:",
		stdin:    c.Stdin,
		seen:     make(chan struct{}),
		prompts:  make(chan struct{}, 2),
		fed:      make(chan struct{}),
	}, nil
}

// argv wraps argv in the handshake's shell and the become method.
func (h *handshake) argv(c Command, argv []string) ([]string, error) {
	script := "echo " + h.marker + `; while IFS= read -r l; do [ "$l" != ` + h.marker + ` ] || exec "$@"; done; exit 1`
	return becomeArgv(c, append([]string{"/bin/sh", "-c", script, "jetplay-become"}, argv...), h.prompt)
}

// feed writes the command's input as the handshake goes, until the input is
// done or ended is closed, then closes w. Run it in a goroutine.
func (h *handshake) feed(w io.WriteCloser, ended <-chan struct{}) {
	defer close(h.fed)
	defer func() { _ = w.Close() }()
	if h.method == "su" {
		if _, err := w.Write(h.password); err != nil {
			return
		}
	}
	asked := 0
	for {
		select {
		case <-h.prompts:
			asked++
			if asked > 1 {
				h.failed = true
				return
			}
			if _, err := w.Write(h.password); err != nil {
				return
			}
		case <-h.seen:
			if _, err := w.Write([]byte(h.marker + "\n")); err != nil {
				return
			}
			_, _ = w.Write(h.stdin)
			return
		case <-ended:
			return
		}
	}
}

// refused reports whether sudo refused the password; call it once the
// command has ended and feed returned.
func (h *handshake) refused() bool {
	<-h.fed
	return h.failed
}

// maxHeld bounds what markerWriter keeps while it waits for MARK: past it,
// the output is not the handshake's and is passed on.
const maxHeld = 64 << 10

// markerWriter passes a command's stdout to dst once MARK has gone by,
// dropping MARK's line and what came before it (a prompt, at most).
type markerWriter struct {
	h    *handshake
	dst  io.Writer
	mu   sync.Mutex
	held []byte
	done bool // MARK seen, or given up on
}

func (w *markerWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return w.dst.Write(p)
	}
	w.held = append(w.held, p...)
	if i := bytes.Index(w.held, []byte(w.h.marker+"\n")); i >= 0 {
		rest := w.held[i+len(w.h.marker)+1:]
		w.held, w.done = nil, true
		close(w.h.seen)
		if len(rest) > 0 {
			_, _ = w.dst.Write(rest)
		}
	} else if len(w.held) > maxHeld {
		_, _ = w.flushLocked()
	}
	return len(p), nil
}

// flush passes on what is held (the command ended before MARK).
func (w *markerWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, _ = w.flushLocked()
}

func (w *markerWriter) flushLocked() (int, error) {
	w.done = true
	held := w.held
	w.held = nil
	if len(held) == 0 {
		return 0, nil
	}
	return w.dst.Write(held)
}

// promptWriter passes a command's stderr to dst without the handshake's
// PROMPT, telling the handshake of each one.
type promptWriter struct {
	h    *handshake
	dst  io.Writer
	mu   sync.Mutex
	held []byte // a tail that may be the start of PROMPT
}

func (w *promptWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	buf := append(w.held, p...)
	prompt := []byte(w.h.prompt)
	for {
		i := bytes.Index(buf, prompt)
		if i < 0 {
			break
		}
		if i > 0 {
			_, _ = w.dst.Write(buf[:i])
		}
		buf = buf[i+len(prompt):]
		select {
		case w.h.prompts <- struct{}{}:
		default: // feed has given up: more prompts change nothing
		}
	}
	keep := 0
	for n := min(len(buf), len(prompt)-1); n > 0; n-- {
		if bytes.HasSuffix(buf, prompt[:n]) {
			keep = n
			break
		}
	}
	if len(buf) > keep {
		_, _ = w.dst.Write(buf[:len(buf)-keep])
	}
	w.held = append([]byte(nil), buf[len(buf)-keep:]...)
	return len(p), nil
}

// flush passes on a held tail (the command ended).
func (w *promptWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.held) > 0 {
		_, _ = w.dst.Write(w.held)
		w.held = nil
	}
}
