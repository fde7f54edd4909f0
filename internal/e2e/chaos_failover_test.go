package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/natstest"
	"github.com/jetplay/jetplay/internal/watcher"
)

const (
	chaosJobs      = 200
	chaosKillAfter = 60               // final jobs seen before the node is shut down
	chaosBound     = 90 * time.Second // from the first submit to the last final state
)

// TestChaosLeaderLoss runs 200 jobs on three executors against an R3 bus on
// a 3-node cluster and shuts a node down in the middle of the run: the node
// that leads the task stream, the status bucket or the executors' consumer.
// Every job must end, within chaosBound, succeeded; no command may run
// twice (each job's counter file has at most one line). The executors
// outlive the node (only their connection moves), so every command's
// outcome is known: a job that ends lost is an end that was not recorded,
// and the test says which executor lost it and why.
func TestChaosLeaderLoss(t *testing.T) {
	tests := []struct {
		name string
		// what the shut-down node leads
		lead func(c *r3Cluster) *server.Server
		// separate moves leaders so that the victim leads only this (best
		// effort: leaders are elected, not placed)
		separate func(c *r3Cluster)
	}{
		{
			name: "task stream leader",
			lead: func(c *r3Cluster) *server.Server { return natstest.StreamLeader(c.servers, job.StreamName) },
		},
		{
			name: "status bucket leader",
			lead: func(c *r3Cluster) *server.Server { return natstest.StreamLeader(c.servers, statusStream) },
			separate: func(c *r3Cluster) {
				stepDownUntil(c, func() bool {
					return natstest.StreamLeader(c.servers, statusStream) != natstest.StreamLeader(c.servers, job.StreamName)
				}, func(s *server.Server) error { return s.JetStreamStepdownStream(natstest.Account, statusStream) },
					func() *server.Server { return natstest.StreamLeader(c.servers, statusStream) })
			},
		},
		{
			name: "consumer leader",
			lead: func(c *r3Cluster) *server.Server {
				return natstest.ConsumerLeader(c.servers, job.StreamName, job.ConsumerName(""))
			},
			separate: func(c *r3Cluster) {
				consumer := func() *server.Server {
					return natstest.ConsumerLeader(c.servers, job.StreamName, job.ConsumerName(""))
				}
				stepDownUntil(c, func() bool {
					l := consumer()
					return l != natstest.StreamLeader(c.servers, job.StreamName) && l != natstest.StreamLeader(c.servers, statusStream)
				}, func(s *server.Server) error {
					return s.JetStreamStepdownConsumer(natstest.Account, job.StreamName, job.ConsumerName(""))
				}, consumer)
			},
		},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.name, " ", "_"), func(t *testing.T) {
			runChaos(t, tt.lead, tt.separate)
		})
	}
}

// stepDownUntil asks the leader (from leader()) to step down until ok holds,
// at most 10 times.
func stepDownUntil(c *r3Cluster, ok func() bool, stepDown func(*server.Server) error, leader func() *server.Server) {
	for range 10 {
		if l := leader(); l != nil && ok() {
			return
		}
		if l := leader(); l != nil {
			_ = stepDown(l)
		}
		deadline := time.Now().Add(5 * time.Second)
		for leader() == nil && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		// A new leader can be elected a moment after the old one left.
		time.Sleep(200 * time.Millisecond)
	}
}

// seen is one status change the observer saw.
type seen struct {
	at    time.Time
	id    job.ID
	state job.State
}

func runChaos(t *testing.T, lead func(c *r3Cluster) *server.Server, separate func(c *r3Cluster)) {
	c := newR3Cluster(t)
	if separate != nil {
		separate(c)
	}
	victim, _ := waitLeader(10*time.Second, func() *server.Server { return lead(c) })
	if victim == nil {
		t.Fatalf("no leader to shut down (%s)", c.leaders())
	}
	c.events.add("leaders before: %s; victim %s", c.leaders(), victim.Name())
	for i, s := range c.servers {
		c.startExecutor(t, fmt.Sprintf("ex%d", i+1), s, 4) // one on each node
	}
	other := c.survivor(victim)

	// The observer, the submitter and the probe use a node that stays up.
	obsBus := c.openBus(t, c.connect(t, "observer", other))
	subBus := c.openBus(t, c.connect(t, "submitter", other))
	probeBus := c.openBus(t, c.connect(t, "probe", other))

	run := job.NewRunID()
	var (
		mu     sync.Mutex
		events []seen
		final  = map[job.ID]bool{}
	)
	octx, stopObserver := context.WithCancel(context.Background())
	var owg sync.WaitGroup
	owg.Add(1)
	go func() {
		defer owg.Done()
		_ = watcher.Watch(octx, obsBus, job.RunPattern(run), func(u watcher.Update) error {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, seen{time.Now(), u.Status.JID, u.Status.State})
			if u.Status.State.Final() {
				final[u.Status.JID] = true
			}
			return nil
		})
	}()
	t.Cleanup(func() { stopObserver(); owg.Wait() })
	nFinal := func() int { mu.Lock(); defer mu.Unlock(); return len(final) }

	dir := t.TempDir()
	start := time.Now()
	ids := make([]job.ID, chaosJobs)
	for i := range ids {
		ids[i] = run.Job(i + 1)
	}
	// Submit from a few goroutines: one at a time takes longer than running
	// the jobs, and the node must go down while most jobs are still to run.
	var (
		swg  sync.WaitGroup
		next = make(chan int)
	)
	for range 8 {
		swg.Add(1)
		go func() {
			defer swg.Done()
			for i := range next {
				sleep := 0.2 + float64(i%9)*0.1 // 0.2s to 1s
				script := fmt.Sprintf("echo ran >> %[1]s/%[2]d; sleep %.1[3]f; touch %[1]s/%[2]d.done", dir, i+1, sleep)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				err := subBus.Submit(ctx, shellTask(ids[i], script, 0))
				cancel()
				if err != nil {
					t.Errorf("submit %d: %v", i+1, err)
				}
			}
		}()
	}
	for i := range chaosJobs {
		next <- i
	}
	close(next)
	swg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	c.events.add("submitted %d jobs in %s; %d final", chaosJobs, time.Since(start).Round(time.Millisecond), nFinal())

	// Mid-run: shut the leader down.
	for nFinal() < chaosKillAfter {
		if time.Since(start) > chaosBound/2 {
			t.Fatalf("only %d jobs final after %s, before any failure\n%s", nFinal(), time.Since(start), c.events)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if l := lead(c); l != victim {
		c.events.add("leadership moved before the shutdown: now %v", l)
		if l != nil {
			victim = l
		}
	}
	c.events.add("leaders at shutdown: %s; %d jobs final", c.leaders(), nFinal())
	killedAt := c.kill(victim)

	// Failover, seen from the servers and from a client of a surviving node.
	type took struct {
		what string
		d    time.Duration
	}
	var (
		tmu   sync.Mutex
		tooks []took
		fwg   sync.WaitGroup
	)
	record := func(what string, d time.Duration) {
		tmu.Lock()
		defer tmu.Unlock()
		tooks = append(tooks, took{what, d})
	}
	for _, l := range []struct {
		what string
		f    func() *server.Server
	}{
		{"task stream leader elected", func() *server.Server { return natstest.StreamLeader(c.servers, job.StreamName) }},
		{"status bucket leader elected", func() *server.Server { return natstest.StreamLeader(c.servers, statusStream) }},
		{"consumer leader elected", func() *server.Server {
			return natstest.ConsumerLeader(c.servers, job.StreamName, job.ConsumerName(""))
		}},
	} {
		fwg.Add(1)
		go func() {
			defer fwg.Done()
			s, _ := waitLeader(30*time.Second, l.f)
			d := time.Since(killedAt)
			if s == nil {
				d = -1
			}
			record(l.what, d)
		}()
	}
	fwg.Add(1)
	go func() {
		defer fwg.Done()
		for time.Since(killedAt) < 30*time.Second {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_, err := probeBus.KV().Put(ctx, "chaos-probe", []byte(time.Now().String()))
			cancel()
			if err == nil {
				record("probe status write succeeded", time.Since(killedAt))
				return
			}
		}
		record("probe status write succeeded", -1)
	}()

	// Every job ends, within the bound, seen from a fresh client.
	waitBus := c.openBus(t, c.connect(t, "waiter", other))
	wctx, cancel := context.WithDeadline(context.Background(), start.Add(chaosBound))
	got, err := watcher.WaitAll(wctx, waitBus, ids, watcher.Final)
	cancel()
	elapsed := time.Since(start)
	fwg.Wait()

	// What the observer saw after the shutdown.
	mu.Lock()
	var lastBefore time.Time
	var firstAny, firstRunning, firstFinal time.Duration = -1, -1, -1
	for _, e := range events {
		if e.at.Before(killedAt) {
			lastBefore = e.at
			continue
		}
		d := e.at.Sub(killedAt)
		if firstAny < 0 {
			firstAny = d
		}
		if e.state == job.Running && firstRunning < 0 {
			firstRunning = d
		}
		if e.state.Final() && firstFinal < 0 {
			firstFinal = d
		}
	}
	nEvents := len(events)
	mu.Unlock()
	sort.Slice(tooks, func(i, j int) bool { return tooks[i].d < tooks[j].d })
	var report strings.Builder
	fmt.Fprintf(&report, "failover after shutting down %s (last status change before it: %s earlier):\n",
		victim.Name(), killedAt.Sub(lastBefore).Round(time.Millisecond))
	for _, tk := range tooks {
		fmt.Fprintf(&report, "  %-32s %s\n", tk.what, fmtDur(tk.d))
	}
	fmt.Fprintf(&report, "  %-32s %s\n", "observer: next status change", fmtDur(firstAny))
	fmt.Fprintf(&report, "  %-32s %s\n", "observer: next claim (running)", fmtDur(firstRunning))
	fmt.Fprintf(&report, "  %-32s %s\n", "observer: next final state", fmtDur(firstFinal))
	fmt.Fprintf(&report, "  observer saw %d status changes; leaders after: %s\n", nEvents, c.leaders())
	fmt.Fprintf(&report, "all jobs ended after %s (bound %s)\nevents:\n%s", elapsed.Round(time.Millisecond), chaosBound, c.events)
	t.Log(report.String())
	if err != nil {
		states := map[job.State]int{}
		for _, id := range ids {
			states[got[id].Status.State]++
		}
		t.Fatalf("not every job ended within %s: %v; states %v", chaosBound, err, states)
	}

	// Each job: succeeded and ran once; or lost, and then tell why.
	states := map[job.State]int{}
	byExec := map[string]int{}
	redelivered := 0
	for i, id := range ids {
		st := got[id].Status
		states[st.State]++
		byExec[st.Executor]++
		if st.Attempt > 1 {
			redelivered++
		}
		file := filepath.Join(dir, strconv.Itoa(i+1))
		runs := countLines(t, file)
		_, derr := os.Stat(file + ".done")
		finished := derr == nil
		switch {
		case runs > 1:
			t.Errorf("%s ran %d times (state %s, executor %s, attempt %d)", id, runs, st.State, st.Executor, st.Attempt)
		case st.State == job.Succeeded && (runs != 1 || !finished):
			t.Errorf("%s succeeded but its command ran %d times (finished: %v)", id, runs, finished)
		case st.State == job.Succeeded:
		case st.State == job.Lost && finished:
			// The executors outlive the node, so every outcome is known:
			// a lost job here is an end that was not recorded.
			t.Errorf("%s lost although its command ran once and finished (the executor knew the outcome); executor %s, attempt %d; reason: %s",
				id, st.Executor, st.Attempt, st.Reason)
		default:
			t.Errorf("%s ended %s (command ran %d times, finished: %v; executor %s, attempt %d): %s",
				id, st.State, runs, finished, st.Executor, st.Attempt, st.Reason)
		}
	}
	t.Logf("states %v; jobs per executor %v; claimed on a redelivery: %d", states, byExec, redelivered)
}

func fmtDur(d time.Duration) string {
	if d < 0 {
		return "never (within the wait)"
	}
	return d.Round(time.Millisecond).String()
}

// countLines returns the number of lines in file (0 if it does not exist).
func countLines(t *testing.T, file string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(data), "\n")
}
