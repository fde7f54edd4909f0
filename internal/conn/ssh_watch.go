package conn

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The job control shell of a connection: one long-lived session that
// starts, waits for and removes every detached job of the connection (see
// ssh_detach.go).

// watchTick is how often the control shell looks at its pending jobs on the
// host while it has any.
var watchTick = 50 * time.Millisecond

// watchLinger is how long an idle control shell keeps its session before
// closing it, so that jobs started one after another share one session.
var watchLinger = time.Second

// watchScript: $1 the job base directory, $2 monitorScript. It reads one
// command a line on stdin:
//
//	sJID ARGS  start job JID unless its directory exists (ARGS, shell words:
//	           timeout, grace, command line, password flag, password),
//	           then watch it
//	+JID       watch job JID
//	-JID       stop watching it
//	fJID...    remove the directories of jobs JID...; answers "F RC JID..."
//	.          look at every watched job now
//
// and, once for each watched job whose state changed, which it then stops
// watching, prints "D JID RC TIMEDOUT PID START END N M" followed by the N
// bytes of the job's stdout and the M bytes of its stderr, "G JID" (no job
// directory), "L JID" (monitor gone without rc, or none 200 looks after the
// start) or "E JID MESSAGE" (cannot start). Before that, once per watch, a
// look that finds the job's pid file written and no rc yet prints "P JID
// PID": the job's process exists. A watch entry is "JID:K", K counting the
// looks that found no monitor yet, or "p" once P was printed (a pid file
// means the monitor exists: it writes mpid first). The mkdir that guards the start
// runs before the next line is read (a late mkdir could start a job again
// after its directory was removed); the rest of the start runs in a
// double-forked subshell, so the shell goes on at once and the monitor is
// not its child (kill -0 on a dead monitor must fail, not find a zombie).
// A look runs builtins only (test, read, kill -0). The shell ends at end of
// input, that is when its session or connection ends, so it never outlives
// its client.
const watchScript = `b=$1 mon=$2 l= ns= nl='
'
command -v setsid >/dev/null 2>&1 || ns=1
done_() {
  d=$b/$1 r= p=0 s=0 en=0 o=0 x=0 to=0
  read -r r <"$d/rc"
  { read -r p <"$d/pid"; read -r s <"$d/start"; read -r en <"$d/end"; } 2>/dev/null
  [ ! -e "$d/timedout" ] || to=1
  [ ! -s "$d/stdout" ] || { o=$(wc -c <"$d/stdout"); o=${o##* }; }
  [ ! -s "$d/stderr" ] || { x=$(wc -c <"$d/stderr"); x=${x##* }; }
  echo "D $1 ${r:-255} $to ${p:-0} ${s:-0} ${en:-0} $o $x"
  [ "$o" = 0 ] || head -c "$o" "$d/stdout" </dev/null
  [ "$x" = 0 ] || head -c "$x" "$d/stderr" </dev/null
}
look() {
  j=${1%:*} k=${1##*:} d=$b/${1%:*} m= p=
  if [ -e "$d/rc" ]; then done_ "$j"; return; fi
  if [ ! -d "$d" ]; then echo "G $j"; return; fi
  if [ "$k" != p ]; then
    { read -r p <"$d/pid"; } 2>/dev/null
    [ -z "$p" ] || { echo "P $j $p"; k=p; }
  fi
  { read -r m <"$d/mpid"; } 2>/dev/null
  if [ -n "$m" ]; then
    if kill -0 "$m" 2>/dev/null; then [ "$k" = p ] || k=0; n="$n $j:$k"
    elif [ -e "$d/rc" ]; then done_ "$j"
    else echo "L $j"; fi
  elif [ "$k" -lt 200 ]; then n="$n $j:$((k+1))"
  else echo "L $j"; fi
}
while IFS= read -r c; do
  case $c in
  s*)
    c=${c#s}; j=${c%% *}; a=${c#"$j"}; c=
    d=$b/$j
    if [ -n "$ns" ]; then
      echo "E $j setsid not found on the host"
    elif mkdir "$d" 2>/dev/null || { [ ! -e "$d" ] && mkdir -p "$b" 2>/dev/null && mkdir "$d" 2>/dev/null; }; then
      ( (
        eval "set -- $a"
        date +%s.%N >"$d/start"
        if [ "$4" = 1 ]; then
          printf '%s\n' "$5" | setsid /bin/sh -c "$mon" jetplay-monitor "$d" "$1" "$2" "$3" 1
        else
          exec setsid /bin/sh -c "$mon" jetplay-monitor "$d" "$1" "$2" "$3" 0 </dev/null
        fi
      ) </dev/null >/dev/null 2>&1 & )
      l="$l $j:0"
    elif [ -d "$d" ]; then
      l="$l $j:0"
    else
      echo "E $j cannot create the job directory $d"
    fi
    a= ;;
  +*) l="$l ${c#+}:0" ;;
  -*) n=; for e in $l; do [ "${e%:*}" = "${c#-}" ] || n="$n $e"; done; l=$n ;;
  f*)
    set --; for j in ${c#f}; do set -- "$@" "$b/$j"; done
    rm -rf -- "$@" </dev/null 2>/dev/null; echo "F $? ${c#f}"; set -- ;;
  .) n=; for e in $l; do look "$e"; done; l=$n ;;
  esac
done
`

// quoteLine single-quotes s as one shell word that fits on one line: its
// newlines become "$nl" (a newline in watchScript).
func quoteLine(s string) string {
	return strings.ReplaceAll(Quote(s), "\n", `'"$nl"'`)
}

// errWatcherOpen means the control shell could not open its session;
// waiters then use sessions of their own.
var errWatcherOpen = errors.New("cannot open the job control session")

// watchEvent is what the control shell said of a job at its end: kind D
// (done, with status fields and output), G (no such job), L (lost) or E
// (could not start, msg), or err when the control shell ended first. (P,
// the job's process exists, goes to the waiters' started callbacks.)
type watchEvent struct {
	kind           byte
	fields         []string // D: rc, timedout, pid, start, end
	stdout, stderr []byte
	msg            string
	err            error
}

// sshWatcher is the job control shell of one connection.
type sshWatcher struct {
	sc      *sshClient
	base    string        // shell expression of the job base directory
	kick    chan struct{} // wakes the session loop; capacity 1
	monitor string

	mu      sync.Mutex
	waiters map[string][]*jobWaiter // by job id
	pids    map[string]int          // by job id: the pid P reported, while watched
	forgets map[string][]chan error // by job id
	queue   []string                // lines not yet sent; may hold a become password: never log them
	forgetQ []string                // jobs to remove, sent as one line
	running bool                    // a session loop is on (or starting)
}

// jobWaiter is one wait for a job through the control shell: its end goes
// to ch, and started (when set) is called once with the job's pid.
type jobWaiter struct {
	ch      chan watchEvent // capacity 1
	started func(pid int)
}

// watcher returns the job control shell of c, creating it on first use.
func (c *sshClient) watcher(base string) *sshWatcher {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.jobs == nil {
		c.jobs = &sshWatcher{sc: c, base: base, monitor: monitorScript, kick: make(chan struct{}, 1),
			waiters: map[string][]*jobWaiter{}, pids: map[string]int{}, forgets: map[string][]chan error{}}
	}
	return c.jobs
}

// job waits for job id through the control shell: start is the "s" line
// that starts it, or "" to attach to it; started, when set, is called (from
// the shell's reader: it must not block) once the job's process exists. It
// returns what the shell reported at the job's end, or ctx.Err().
func (w *sshWatcher) job(ctx context.Context, id, start string, started func(pid int)) (watchEvent, error) {
	jw := &jobWaiter{ch: make(chan watchEvent, 1), started: started}
	w.mu.Lock()
	if len(w.waiters[id]) == 0 {
		if start == "" {
			start = "+" + id
		}
		w.queue = append(w.queue, start)
	}
	w.waiters[id] = append(w.waiters[id], jw)
	pid, known := w.pids[id]
	w.ensureRunning()
	w.mu.Unlock()
	if known && started != nil {
		started(pid) // reported to an earlier waiter of the same watch
	}
	select {
	case ev := <-jw.ch:
		return ev, nil
	case <-ctx.Done():
		w.remove(id, jw)
		return watchEvent{}, ctx.Err()
	}
}

// forget removes job id's directory through the control shell if it is
// running; ok is false when it is not (or it ended before answering).
func (w *sshWatcher) forget(ctx context.Context, id string) (ok bool, err error) {
	ch := make(chan error, 1)
	w.mu.Lock()
	if !w.running {
		w.mu.Unlock()
		return false, nil
	}
	if len(w.forgets[id]) == 0 {
		w.forgetQ = append(w.forgetQ, id)
	}
	w.forgets[id] = append(w.forgets[id], ch)
	w.mu.Unlock()
	w.poke()
	select {
	case err := <-ch:
		var ended *watcherEnded
		if errors.As(err, &ended) {
			return false, nil
		}
		return true, err
	case <-ctx.Done():
		return true, ctx.Err()
	}
}

// watcherEnded is the error forgets get when the control shell ends.
type watcherEnded struct{ err error }

func (e *watcherEnded) Error() string { return e.err.Error() }

// ensureRunning starts the session loop unless it runs; w.mu is held.
func (w *sshWatcher) ensureRunning() {
	if w.running {
		w.poke()
		return
	}
	w.running = true
	p := w.sc.pool
	p.mu.Lock()
	if p.isDone {
		p.mu.Unlock()
		go w.fail(errPoolClosed)
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

// remove drops the waiter jw of job id.
func (w *sshWatcher) remove(id string, jw *jobWaiter) {
	w.mu.Lock()
	defer w.mu.Unlock()
	jws := w.waiters[id]
	for i, c := range jws {
		if c == jw {
			jws = append(jws[:i:i], jws[i+1:]...)
			break
		}
	}
	if len(jws) > 0 {
		w.waiters[id] = jws
		return
	}
	if _, ok := w.waiters[id]; ok {
		delete(w.waiters, id)
		delete(w.pids, id)
		w.queue = append(w.queue, "-"+id)
	}
}

func (w *sshWatcher) poke() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// fail ends the session loop and tells every waiter err.
func (w *sshWatcher) fail(err error) {
	w.mu.Lock()
	waiters, forgets := w.waiters, w.forgets
	w.waiters, w.pids, w.forgets = map[string][]*jobWaiter{}, map[string]int{}, map[string][]chan error{}
	w.queue, w.forgetQ = nil, nil
	w.running = false
	w.mu.Unlock()
	for _, jws := range waiters {
		for _, jw := range jws {
			jw.ch <- watchEvent{err: err}
		}
	}
	for _, chs := range forgets {
		for _, ch := range chs {
			ch <- &watcherEnded{err}
		}
	}
}

// read parses the control shell's output until it ends.
func (w *sshWatcher) read(out io.Reader) error {
	r := bufio.NewReader(out)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			if err == io.EOF {
				err = errors.New("end of output")
			}
			return err
		}
		f := strings.Fields(line)
		if len(f) < 2 || len(f[0]) != 1 {
			return fmt.Errorf("unexpected output %q", line)
		}
		id := f[1]
		ev := watchEvent{kind: f[0][0]}
		switch ev.kind {
		case 'D':
			if len(f) != 9 {
				return fmt.Errorf("bad status line %q", line)
			}
			o, err1 := strconv.Atoi(f[7])
			x, err2 := strconv.Atoi(f[8])
			if err1 != nil || err2 != nil || o < 0 || x < 0 {
				return fmt.Errorf("bad status line %q", line)
			}
			ev.fields = f[2:7]
			if ev.stdout, err = readN(r, o); err != nil {
				return fmt.Errorf("job %s output: %w", id, err)
			}
			if ev.stderr, err = readN(r, x); err != nil {
				return fmt.Errorf("job %s output: %w", id, err)
			}
		case 'P':
			if len(f) != 3 {
				return fmt.Errorf("bad pid line %q", line)
			}
			pid, err := strconv.Atoi(f[2])
			if err != nil || pid <= 0 {
				return fmt.Errorf("bad pid line %q", line)
			}
			w.mu.Lock()
			var calls []func(int)
			if jws, ok := w.waiters[id]; ok {
				w.pids[id] = pid
				for _, jw := range jws {
					if jw.started != nil {
						calls = append(calls, jw.started)
					}
				}
			}
			w.mu.Unlock()
			for _, f := range calls {
				f(pid)
			}
			continue
		case 'G', 'L':
		case 'E':
			ev.msg = strings.Join(f[2:], " ")
		case 'F':
			var ferr error
			if id != "0" {
				ferr = fmt.Errorf("rm of the job directory failed (exit %s)", id)
			}
			for _, id := range f[2:] {
				w.mu.Lock()
				chs := w.forgets[id]
				delete(w.forgets, id)
				w.mu.Unlock()
				for _, ch := range chs {
					ch <- ferr
				}
			}
			continue
		default:
			return fmt.Errorf("unexpected output %q", line)
		}
		w.mu.Lock()
		jws := w.waiters[id]
		delete(w.waiters, id)
		delete(w.pids, id)
		w.mu.Unlock()
		for _, jw := range jws {
			jw.ch <- ev
		}
	}
}

// readN reads the n bytes of output a status line announced, keeping them
// within the output cap (see capBuffer): all n bytes are consumed, so the
// stream stays in step. The buffer grows as the bytes come, so a length the
// host got wrong (or a garbled line) ends in an error at the end of input,
// not in one huge allocation.
func readN(r io.Reader, n int) ([]byte, error) {
	var b capBuffer
	if _, err := io.CopyN(&b, r, int64(n)); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return b.bytes(), nil
}

// session runs one control shell session until it has had nothing to do
// during watchLinger (nil) or it ends otherwise (an error).
func (w *sshWatcher) session() error {
	// A connection that is gone is a reason to reconnect, not to go on
	// without a control shell.
	openErr := func(err error) error {
		if isClosed(w.sc.done) {
			return fmt.Errorf("job control session on %s: %w", w.sc.key.addr, err)
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
	if err := sess.Start("exec /bin/sh -c " + Quote(watchScript) + " jetplay-watch " + w.base + " " + Quote(w.monitor)); err != nil {
		_ = sess.Close()
		return openErr(err)
	}
	ended := make(chan error, 1)
	go func() {
		err := w.read(out)
		_ = sess.Close()
		_ = sess.Wait()
		ended <- err
	}()
	stop := func() {
		_ = in.Close()
		_ = sess.Close()
		_ = <-ended // the reader's error after a stop we asked for
	}

	tick := time.NewTicker(watchTick)
	defer tick.Stop()
	var idleSince time.Time
	ticked := false
	var buf []byte
	for {
		w.mu.Lock()
		q, fq := w.queue, w.forgetQ
		w.queue, w.forgetQ = nil, nil
		waiting := len(w.waiters)
		if waiting == 0 && len(w.forgets) == 0 && len(q) == 0 {
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
		look := ticked && waiting > 0
		for _, l := range q {
			buf = append(buf, l...)
			buf = append(buf, '\n')
			look = look || l[0] == 's' || l[0] == '+'
		}
		if len(fq) > 0 {
			buf = append(buf, "f"+strings.Join(fq, " ")+"\n"...)
		}
		if look {
			buf = append(buf, ".\n"...)
		}
		if len(buf) > 0 {
			_, err := in.Write(buf)
			clear(buf) // it may hold a become password
			if err != nil {
				stop()
				return fmt.Errorf("job control session on %s: %w", w.sc.key.addr, err)
			}
		}
		ticked = false
		select {
		case <-w.kick:
		case <-tick.C:
			ticked = true
		case err := <-ended:
			return fmt.Errorf("job control session on %s ended: %w", w.sc.key.addr, err)
		}
	}
}
