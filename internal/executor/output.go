package executor

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jetplay/jetplay/internal/job"
)

// outputFlushEvery is how long output may wait before it is published.
const outputFlushEvery = 100 * time.Millisecond

// outputPump streams a job's output to the bus in bounded chunks: at most
// job.OutputChunkBytes a message, job.MaxLiveOutput in all, batched so a
// job that prints a line at a time does not send a message per line.
type outputPump struct {
	publish func(job.OutputChunk) error

	mu      sync.Mutex
	id      job.ID
	seq     int
	pending [2]strings.Builder // stdout, stderr
	sent    int64
	dropped int64
	closed  bool
	// started: the flushing goroutine runs (from the first write on, so a
	// job that prints nothing costs no goroutine while it runs).
	started bool

	stop chan struct{}
	done chan struct{}
}

func newOutputPump(id job.ID, publish func(job.OutputChunk) error) *outputPump {
	return &outputPump{publish: publish, id: id, stop: make(chan struct{}), done: make(chan struct{})}
}

// write is conn.Command.Output.
func (p *outputPump) write(stderr bool, b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	room := job.MaxLiveOutput - p.sent - int64(p.pending[0].Len()+p.pending[1].Len())
	if room <= 0 {
		p.dropped += int64(len(b))
		return
	}
	if int64(len(b)) > room {
		p.dropped += int64(len(b)) - room
		b = b[:room]
	}
	i := 0
	if stderr {
		i = 1
	}
	p.pending[i].Write(b)
	if !p.started {
		p.started = true
		go p.loop()
	}
	if p.pending[i].Len() >= job.OutputChunkBytes {
		p.flushLocked()
	}
}

func (p *outputPump) loop() {
	defer close(p.done)
	t := time.NewTicker(outputFlushEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			p.mu.Lock()
			p.flushLocked()
			p.mu.Unlock()
		case <-p.stop:
			return
		}
	}
}

// flushLocked publishes what is pending; called with mu held.
func (p *outputPump) flushLocked() {
	for i, name := range []string{"stdout", "stderr"} {
		s := p.pending[i].String()
		p.pending[i].Reset()
		for len(s) > 0 {
			n := min(len(s), job.OutputChunkBytes)
			p.seq++
			_ = p.publish(job.OutputChunk{JID: p.id, Seq: p.seq, Stream: name, Data: s[:n]})
			p.sent += int64(n)
			s = s[n:]
		}
	}
}

// close publishes the rest and the EOF marker.
func (p *outputPump) close() {
	p.mu.Lock()
	started := p.started
	p.started = true // no goroutine starts from here on
	p.mu.Unlock()
	if started {
		close(p.stop)
		<-p.done
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.flushLocked()
	p.closed = true
	p.seq++
	_ = p.publish(job.OutputChunk{JID: p.id, Seq: p.seq, EOF: true, Dropped: p.dropped})
}

// truncateOutput keeps the tail of long stdout and stderr in a result, as
// the status record must stay small; <key>_truncated counts the bytes cut.
func truncateOutput(r map[string]any) {
	for _, k := range []string{"stdout", "stderr"} {
		s, ok := r[k].(string)
		if !ok || len(s) <= job.MaxResultOutput {
			continue
		}
		cut := len(s) - job.MaxResultOutput
		r[k] = fmt.Sprintf("[%d bytes cut]\n", cut) + s[cut:]
		r[k+"_truncated"] = cut
	}
}
