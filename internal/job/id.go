package job

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"regexp"
	"sync/atomic"
	"time"
)

// RunID names one run: one publisher invocation or one producer's batch.
// Its form is "r" + 12 hex digits of Unix milliseconds + 6 random hex digits,
// e.g. r019ad3c4e5f6a1b2c3, so run ids sort by start time.
type RunID string

// ID is a job id (jid): the run id, a dot, and an 8-digit sequence number
// within the run, e.g. r019ad3c4e5f6a1b2c3.00000042. It is a valid KV key,
// unique, and sorts by time (run start, then publish order). The dot lets a
// watcher match a whole run with one wildcard (see RunPattern).
type ID string

var (
	runRe = regexp.MustCompile(`^r[0-9a-f]{18}$`)
	idRe  = regexp.MustCompile(`^(r[0-9a-f]{18})\.([0-9]{8})$`)
)

// NewRunID returns a fresh run id for the current time.
func NewRunID() RunID { return newRunID(time.Now()) }

func newRunID(t time.Time) RunID {
	var b [4]byte
	_, _ = rand.Read(b[:])
	r := binary.BigEndian.Uint32(b[:]) & 0xffffff
	return RunID(fmt.Sprintf("r%012x%06x", t.UnixMilli(), r))
}

// Valid reports whether r has the run id form.
func (r RunID) Valid() bool { return runRe.MatchString(string(r)) }

// Job returns the id of job number seq (1-based) of run r.
func (r RunID) Job(seq int) ID { return ID(fmt.Sprintf("%s.%08d", r, seq)) }

// Sequence hands out the job ids of one run in order; it is safe for
// concurrent use.
type Sequence struct {
	Run RunID
	n   atomic.Int64
}

// NewSequence starts a sequence for run.
func NewSequence(run RunID) *Sequence { return &Sequence{Run: run} }

// NewSequenceAfter starts a sequence for run whose first id follows job
// number last (for a run that already has jobs).
func NewSequenceAfter(run RunID, last int) *Sequence {
	s := &Sequence{Run: run}
	s.n.Store(int64(last))
	return s
}

// Seq returns a job's number within its run (0 if id is not a jid).
func (id ID) Seq() int {
	m := idRe.FindStringSubmatch(string(id))
	if m == nil {
		return 0
	}
	var n int
	_, _ = fmt.Sscanf(m[2], "%d", &n)
	return n
}

// Next returns the next job id of the run.
func (s *Sequence) Next() ID { return s.Run.Job(int(s.n.Add(1))) }

// ParseID checks that s is a jid and returns it.
func ParseID(s string) (ID, error) {
	if !idRe.MatchString(s) {
		return "", fmt.Errorf("%w: %q", ErrBadID, s)
	}
	return ID(s), nil
}

// Run returns the run a job belongs to.
func (id ID) Run() RunID {
	m := idRe.FindStringSubmatch(string(id))
	if m == nil {
		return ""
	}
	return RunID(m[1])
}

// Started is the time encoded in a run id (millisecond precision).
func (r RunID) Started() time.Time {
	var ms int64
	if _, err := fmt.Sscanf(string(r), "r%012x", &ms); err != nil {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
