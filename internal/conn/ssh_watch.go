package conn

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// The job watcher of a connection: one long-lived session that waits for
// every detached job of the connection at once (see ssh_detach.go).

// watchTick is how often the watcher looks at its pending jobs on the host
// while it has any.
var watchTick = 50 * time.Millisecond

// watchLinger is how long an idle watcher keeps its session before closing
// it, so that jobs started one after another share one watcher session.
var watchLinger = time.Second

// watchScript: $1 the job base directory. It reads lines on stdin:
//
//	+JID   watch job JID
//	-JID   stop watching it
//	.      look at every watched job now
//
// and prints "D JID" (rc written), "G JID" (job directory gone) or "L JID"
// (monitor gone without rc) once for each watched job whose state changed,
// which it then stops watching. Only builtins run per look: test, read and
// kill -0. It ends at end of input, that is when its session or
// connection ends, so it never outlives its client.
const watchScript = `b=$1 l=
while IFS= read -r c; do
  case $c in
  +*) l="$l ${c#+}" ;;
  -*) n=; for j in $l; do [ "$j" = "${c#-}" ] || n="$n $j"; done; l=$n ;;
  .)
    n=
    for j in $l; do
      d=$b/$j m=
      if [ -e "$d/rc" ]; then echo "D $j"
      elif [ ! -d "$d" ]; then echo "G $j"
      elif { read -r m <"$d/mpid"; } 2>/dev/null; [ -n "$m" ] && kill -0 "$m" 2>/dev/null; then n="$n $j"
      elif [ -e "$d/rc" ]; then echo "D $j"
      else echo "L $j"; fi
    done
    l=$n
    ;;
  esac
done
`

// errWatcherOpen means the watcher could not open its session; waiters then
// wait in a session of their own.
var errWatcherOpen = errors.New("cannot open the job watcher's session")

// sshWatcher waits for the detached jobs of one connection through one
// long-lived session. A waiter is told when its job's state changes on the
// host (nil) or when the watcher's session ends (an error); it then looks
// at the job in a short session of its own.
type sshWatcher struct {
	sc   *sshClient
	base string        // shell expression of the job base directory
	kick chan struct{} // wakes the session loop; capacity 1

	mu      sync.Mutex
	waiters map[string][]chan error // by job id
	queue   []string                // lines not yet sent
	running bool                    // a session loop is on (or starting)
}

// watcher returns the job watcher of c, creating it on first use.
func (c *sshClient) watcher(base string) *sshWatcher {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.jobs == nil {
		c.jobs = &sshWatcher{sc: c, base: base, kick: make(chan struct{}, 1), waiters: map[string][]chan error{}}
	}
	return c.jobs
}

// wait blocks until the watcher reports a change of job id on the host
// (nil), the watcher's session ends (an error; errWatcherOpen when it could
// not be opened) or ctx is done (ctx.Err()).
func (w *sshWatcher) wait(ctx context.Context, id string) error {
	ch := make(chan error, 1)
	w.mu.Lock()
	if len(w.waiters[id]) == 0 {
		w.queue = append(w.queue, "+"+id)
	}
	w.waiters[id] = append(w.waiters[id], ch)
	start := !w.running
	w.running = true
	w.mu.Unlock()
	if start {
		w.start()
	} else {
		w.poke()
	}
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		w.remove(id, ch)
		return ctx.Err()
	}
}

// remove drops the waiter ch of job id.
func (w *sshWatcher) remove(id string, ch chan error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	chs := w.waiters[id]
	for i, c := range chs {
		if c == ch {
			chs = append(chs[:i:i], chs[i+1:]...)
			break
		}
	}
	if len(chs) > 0 {
		w.waiters[id] = chs
		return
	}
	if _, ok := w.waiters[id]; ok {
		delete(w.waiters, id)
		w.queue = append(w.queue, "-"+id)
	}
}

func (w *sshWatcher) poke() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// start runs the session loop in a goroutine of the pool.
func (w *sshWatcher) start() {
	p := w.sc.pool
	p.mu.Lock()
	if p.isDone {
		p.mu.Unlock()
		w.fail(errPoolClosed)
		return
	}
	p.wg.Add(1)
	p.mu.Unlock()
	go func() {
		defer p.wg.Done()
		if err := w.session(); err != nil {
			w.fail(err)
		}
	}()
}

// fail ends the session loop and tells every waiter err.
func (w *sshWatcher) fail(err error) {
	w.mu.Lock()
	waiters := w.waiters
	w.waiters = map[string][]chan error{}
	w.queue = nil
	w.running = false
	w.mu.Unlock()
	for _, chs := range waiters {
		for _, ch := range chs {
			ch <- err
		}
	}
}

// report handles one line of the watcher's output.
func (w *sshWatcher) report(line string) {
	kind, id, ok := strings.Cut(line, " ")
	if !ok || len(kind) != 1 {
		w.sc.pool.log.Warn().Str("addr", w.sc.key.addr).Str("line", line).Msg("unexpected job watcher output")
		return
	}
	w.mu.Lock()
	chs := w.waiters[id]
	delete(w.waiters, id)
	w.mu.Unlock()
	for _, ch := range chs {
		ch <- nil
	}
}

// session runs one watcher session until it has had no job to wait for
// during watchLinger (nil) or it ends otherwise (an error).
func (w *sshWatcher) session() error {
	// A connection that is gone is a reason to reconnect, not to wait
	// without a watcher.
	openErr := func(err error) error {
		if isClosed(w.sc.done) {
			return fmt.Errorf("job watcher on %s: %w", w.sc.key.addr, err)
		}
		return fmt.Errorf("%w on %s: %w", errWatcherOpen, w.sc.key.addr, err)
	}
	sess, release, err := w.sc.newSession(context.Background(), false)
	if err != nil {
		return openErr(err)
	}
	defer release()
	in, err := sess.StdinPipe()
	if err != nil {
		_ = sess.Close()
		return openErr(err)
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		_ = sess.Close()
		return openErr(err)
	}
	if err := sess.Start("exec /bin/sh -c " + Quote(watchScript) + " jetplay-watch " + w.base); err != nil {
		_ = sess.Close()
		return openErr(err)
	}
	ended := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			w.report(sc.Text())
		}
		err := sc.Err()
		if err == nil {
			err = errors.New("end of output")
		}
		// Wait for the exit status so that the session's resources go.
		_ = sess.Wait()
		ended <- err
	}()
	stop := func() {
		_ = in.Close()
		_ = sess.Close()
		<-ended
	}

	tick := time.NewTicker(watchTick)
	defer tick.Stop()
	var idleSince time.Time
	ticked := false
	var buf []byte
	for {
		w.mu.Lock()
		q := w.queue
		w.queue = nil
		pending := len(w.waiters)
		if pending == 0 && len(q) == 0 {
			if idleSince.IsZero() {
				idleSince = time.Now()
			} else if time.Since(idleSince) >= watchLinger {
				w.running = false
				w.mu.Unlock()
				stop()
				return nil
			}
		} else {
			idleSince = time.Time{}
		}
		w.mu.Unlock()
		buf = buf[:0]
		look := ticked && pending > 0
		for _, l := range q {
			buf = append(buf, l...)
			buf = append(buf, '\n')
			look = look || l[0] == '+'
		}
		if look {
			buf = append(buf, ".\n"...)
		}
		if len(buf) > 0 {
			if _, err := in.Write(buf); err != nil {
				stop()
				return fmt.Errorf("job watcher on %s: %w", w.sc.key.addr, err)
			}
		}
		ticked = false
		select {
		case <-w.kick:
		case <-tick.C:
			ticked = true
		case err := <-ended:
			_ = sess.Close()
			return fmt.Errorf("job watcher on %s ended: %w", w.sc.key.addr, err)
		}
	}
}
