package action

import (
	"context"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/render"
)

// fakeEngine is an Engine without NATS: it records what actions ask of it
// and answers from a script.
type fakeEngine struct {
	mu sync.Mutex
	// run answers Run; nil: a succeeded, unchanged result.
	run func(j Job) Outcome
	// jobs are the jobs Run was asked for, in order.
	jobs []Job
	// facts are the facts set per host.
	facts map[string]map[string]any
	// statuses are the records Status finds.
	statuses map[job.ID]job.Status
	// statusErr fails Status.
	statusErr error
	// updates are what Wait feeds cond, in order; then Wait blocks until
	// its context ends.
	updates []job.Status
	// deleted are the jobs Delete removed; deleteErr fails Delete.
	deleted   []job.ID
	deleteErr error
	// retries are the left counts of Retry's lines, in order.
	retries []int
}

var _ Engine = (*fakeEngine)(nil)

func (f *fakeEngine) Run(_ context.Context, _ *Call, j Job) Outcome {
	f.mu.Lock()
	f.jobs = append(f.jobs, j)
	run := f.run
	f.mu.Unlock()
	if run != nil {
		return run(j)
	}
	return Outcome{Result: map[string]any{"changed": false}}
}

func (f *fakeEngine) SetFacts(host string, facts map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.facts == nil {
		f.facts = map[string]map[string]any{}
	}
	if f.facts[host] == nil {
		f.facts[host] = map[string]any{}
	}
	maps.Copy(f.facts[host], facts)
}

func (f *fakeEngine) Status(_ context.Context, id job.ID) (job.Status, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.statusErr != nil {
		return job.Status{}, false, f.statusErr
	}
	st, ok := f.statuses[id]
	return st, ok, nil
}

func (f *fakeEngine) Wait(ctx context.Context, id job.ID, cond func(job.Status, bool) (bool, error)) error {
	f.mu.Lock()
	updates := f.updates
	f.mu.Unlock()
	for _, st := range updates {
		ok, err := cond(st, st.State != "")
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
	}
	<-ctx.Done()
	return ctx.Err()
}

func (f *fakeEngine) Delete(_ context.Context, id job.ID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.deleteErr != nil {
		return f.deleteErr
	}
	f.deleted = append(f.deleted, id)
	delete(f.statuses, id)
	return nil
}

func (f *fakeEngine) Retry(_ *Call, left int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.retries = append(f.retries, left)
}

// newCall is the Call of a task running module with raw args (rendered
// with vars, as the play engine renders them) on host "h1".
func newCall(t *testing.T, module string, args, vars map[string]any) *Call {
	t.Helper()
	if args == nil {
		args = map[string]any{}
	}
	if vars == nil {
		vars = map[string]any{}
	}
	r := render.New()
	rendered, err := r.Value(args, vars)
	if err != nil {
		t.Fatalf("render args: %v", err)
	}
	return &Call{
		Task: &playbook.Task{Name: "t", Module: module, Args: args}, Host: "h1", Module: module,
		Args: rendered.(map[string]any), Vars: vars, Render: r, Poll: 15, Retries: 3, Delay: 5 * time.Second,
	}
}

// run looks the module's action up and runs it.
func run(t *testing.T, c *Call, e Engine) Outcome {
	t.Helper()
	f, ok := Lookup(c.Module)
	if !ok {
		t.Fatalf("no action for %s", c.Module)
	}
	return f(context.Background(), c, e)
}
