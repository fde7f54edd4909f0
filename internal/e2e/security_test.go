package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/client"
	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/cli"
	"github.com/jetplay/jetplay/internal/cli/watch"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/watcher"
)

// secureConf is the access-controlled server config the roles are defined in.
const secureConf = "examples/security/nats-secure.conf"

// secure is a server started from secureConf, with the stream, buckets and
// consumer created by its admin user.
type secure struct {
	srv       *server.Server
	url       string
	passwords map[string]string // user → password, as in the config
	admin     *bus.Bus
	adminJS   jetstream.JetStream
}

// role is one user's connection, recording every permission violation the
// server reports to it.
type role struct {
	name string
	nc   *nats.Conn
	bus  *bus.Bus

	mu         sync.Mutex
	violations []string
}

// Violations returns the permission errors the server sent so far.
func (r *role) Violations() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.violations...)
}

// startSecure starts an embedded server from secureConf on a free loopback
// port with a store in t.TempDir, and sets the bus up as its admin.
func startSecure(t *testing.T, cfg bus.Config) *secure {
	t.Helper()
	opts, err := server.ProcessConfigFile(filepath.Join(repoRoot(t), secureConf))
	if err != nil {
		t.Fatalf("%s: %v", secureConf, err)
	}
	opts.Host, opts.Port = "127.0.0.1", -1
	opts.StoreDir = t.TempDir()
	opts.NoSigs = true
	opts.NoLog = os.Getenv("NATS_LOGGING") != "debug"
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatalf("nats-server: %v", err)
	}
	if !opts.NoLog {
		s.ConfigureLogger()
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	sc := &secure{srv: s, url: s.ClientURL(), passwords: map[string]string{}}
	for _, u := range opts.Users {
		sc.passwords[u.Username] = u.Password
	}
	for _, name := range []string{"admin", "producer", "executor", "watcher"} {
		if sc.passwords[name] == "" {
			t.Fatalf("%s has no user %q", secureConf, name)
		}
	}
	nc := sc.conn(t, "admin", nil)
	sc.adminJS, err = jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if sc.admin, err = bus.Setup(ctx, sc.adminJS, cfg); err != nil {
		t.Fatalf("admin setup: %v", err)
	}
	if _, err := sc.admin.Consumer(ctx, job.DefaultPool); err != nil {
		t.Fatalf("admin consumer: %v", err)
	}
	return sc
}

// conn connects as user with the password from the config, through the
// same options the commands' --nats-user/--nats-password flags give.
func (sc *secure) conn(t *testing.T, user string, onErr func(error)) *nats.Conn {
	t.Helper()
	opts, err := cli.NATSAuth{User: user, Password: sc.passwords[user]}.Options()
	if err != nil {
		t.Fatal(err)
	}
	opts = append(opts, nats.Name("test-"+user), nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		if onErr != nil {
			onErr(err)
		}
	}))
	nc, err := nats.Connect(sc.url, opts...)
	if err != nil {
		t.Fatalf("connect as %s: %v", user, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// role connects as user and opens the bus (which only looks things up).
func (sc *secure) role(t *testing.T, user string) *role {
	t.Helper()
	r := &role{name: user}
	r.nc = sc.conn(t, user, func(err error) {
		if errors.Is(err, nats.ErrPermissionViolation) || strings.Contains(strings.ToLower(err.Error()), "permissions violation") {
			r.mu.Lock()
			r.violations = append(r.violations, err.Error())
			r.mu.Unlock()
		}
	})
	js, err := jetstream.New(r.nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if r.bus, err = bus.Open(ctx, js, bus.Config{}); err != nil {
		t.Fatalf("open the bus as %s: %v (violations %v)", user, err, r.Violations())
	}
	return r
}

// tasksStored is the number of task messages in the stream.
func (sc *secure) tasksStored(t *testing.T) uint64 {
	t.Helper()
	st, err := sc.adminJS.Stream(context.Background(), job.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// noViolations fails the test if any role was refused anything.
func noViolations(t *testing.T, roles ...*role) {
	t.Helper()
	for _, r := range roles {
		if v := r.Violations(); len(v) > 0 {
			t.Errorf("role %s was refused: %v", r.name, v)
		}
	}
}

// refused waits for a permission violation on subject to reach r.
func refused(t *testing.T, r *role, subject string) {
	t.Helper()
	eventually(t, 5*time.Second, r.name+" refused "+subject, func() bool {
		for _, v := range r.Violations() {
			if strings.Contains(v, `"`+subject+`"`) {
				return true
			}
		}
		return false
	})
}

func localTask(id job.ID, script string) *job.Task {
	return &job.Task{V: job.Version, JID: id, Run: id.Run(), Host: "localhost",
		Target: job.Target{Connection: job.ConnLocal}, Module: "shell",
		Args: map[string]any{"_raw_params": script}}
}

// TestSecurityConfigsLoad: nats.conf and the secure example load with
// nats-server's own parser, and the secure one defines the four roles with
// the permissions that matter most.
func TestSecurityConfigsLoad(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	if _, err := server.ProcessConfigFile(filepath.Join(root, "nats.conf")); err != nil {
		t.Fatalf("nats.conf: %v", err)
	}
	o, err := server.ProcessConfigFile(filepath.Join(root, secureConf))
	if err != nil {
		t.Fatalf("%s: %v", secureConf, err)
	}
	if !o.JetStream || o.Host != "127.0.0.1" {
		t.Errorf("jetstream %v on %q, want on, loopback", o.JetStream, o.Host)
	}
	perms := map[string]*server.Permissions{}
	for _, u := range o.Users {
		perms[u.Username] = u.Permissions
	}
	if p, ok := perms["admin"]; !ok || p != nil {
		t.Errorf("admin: present %v, permissions %+v; want every right", ok, p)
	}
	allows := func(list *server.SubjectPermission, subject string) bool {
		if list == nil {
			return false
		}
		for _, a := range list.Allow {
			if a == subject {
				return true
			}
		}
		return false
	}
	for user, want := range map[string]struct{ pub, noPub []string }{
		"producer": {pub: []string{"jetplay.tasks.>", "jetplay.cancel.>", "$KV.jetplay_status.>"}},
		"executor": {pub: []string{"$JS.ACK.JETPLAY_TASKS.>", "$KV.jetplay_status.>"}, noPub: []string{"jetplay.tasks.>", "jetplay.cancel.>"}},
		"watcher":  {noPub: []string{"jetplay.tasks.>", "jetplay.cancel.>", "$KV.jetplay_status.>", "$KV.jetplay_idempotency.>"}},
	} {
		p := perms[user]
		if p == nil || p.Publish == nil {
			t.Errorf("%s: no publish permissions", user)
			continue
		}
		for _, s := range want.pub {
			if !allows(p.Publish, s) {
				t.Errorf("%s may not publish %s", user, s)
			}
		}
		for _, s := range want.noPub {
			if allows(p.Publish, s) {
				t.Errorf("%s may publish %s", user, s)
			}
		}
	}
}

// TestSecurityRolesRefuseWhatTheyMayNotDo: a watcher can neither record nor
// publish a task; an executor can write status but not publish a task; a
// producer submits. Nothing a refused role tried lands in the stream.
func TestSecurityRolesRefuseWhatTheyMayNotDo(t *testing.T) {
	t.Parallel()
	sc := startSecure(t, busConfig())
	run := job.NewRunID()

	// watcher: the queued record is refused, so nothing is published.
	w := sc.role(t, "watcher")
	// A refusal fails the submit at once, with the reason, rather than
	// after the caller's whole deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	start := time.Now()
	err := w.bus.Submit(ctx, localTask(run.Job(1), "true"))
	cancel()
	if err == nil {
		t.Fatal("watcher submitted a task")
	}
	if !errors.Is(err, nats.ErrPermissionViolation) || time.Since(start) > 20*time.Second {
		t.Errorf("refused submit: %v after %v; want a permissions violation, fast", err, time.Since(start))
	}
	refused(t, w, "$KV.jetplay_status."+string(run.Job(1)))
	if _, _, err := sc.admin.Status(context.Background(), run.Job(1)); !errors.Is(err, bus.ErrNotFound) {
		t.Errorf("watcher's submit left a record: %v", err)
	}
	// ... and through the public client, with an idempotency key.
	wc, err := client.New(context.Background(), client.Config{Conn: w.nc})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 2*time.Second)
	_, err = wc.Submit(ctx, *localTask(run.Job(2), "true"), client.WithIdempotencyKey("watcher-try"))
	cancel()
	if err == nil {
		t.Fatal("watcher submitted a task through the client")
	}

	// executor: status writes work, task publishes do not.
	e := sc.role(t, "executor")
	id := run.Job(3)
	if _, err := sc.admin.Create(context.Background(), job.NewQueued(localTask(id, "true"), time.Now())); err != nil {
		t.Fatal(err)
	}
	st, err := e.bus.Update(context.Background(), id, func(s job.Status) (job.Status, error) {
		s.Executor = "ex-secure"
		return s.Move(job.Running, time.Now())
	})
	if err != nil || st.State != job.Running {
		t.Fatalf("executor's status write: %v (state %s, violations %v)", err, st.State, e.Violations())
	}
	ctx, cancel = context.WithTimeout(context.Background(), 2*time.Second)
	err = e.bus.Submit(ctx, localTask(run.Job(4), "true"))
	cancel()
	if err == nil {
		t.Fatal("executor published a task")
	}
	refused(t, e, job.TaskSubject(job.DefaultPool))
	if n := sc.tasksStored(t); n != 0 {
		t.Fatalf("%d task(s) in the stream after refused submits", n)
	}

	// producer: submits.
	p := sc.role(t, "producer")
	pc, err := client.New(context.Background(), client.Config{Conn: p.nc})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := pc.Submit(ctx, *localTask(run.Job(5), "true"), client.WithIdempotencyKey("producer-try"))
	if err != nil || got != run.Job(5) {
		t.Fatalf("producer's submit: %s %v (violations %v)", got, err, p.Violations())
	}
	if n := sc.tasksStored(t); n != 1 {
		t.Fatalf("%d task(s) in the stream, want the producer's one", n)
	}
	noViolations(t, p)
}

// TestSecurityFullRun: a producer submits, an executor with the executor
// role runs the jobs, a watcher with the watcher role waits for them, and
// the producer cancels a running one; none of the roles is refused anything
// on the way. The watcher command, given the watcher's credentials as its
// flags would, waits too; with a wrong password it cannot connect.
func TestSecurityFullRun(t *testing.T) {
	t.Parallel()
	sc := startSecure(t, busConfig())
	p, e, w := sc.role(t, "producer"), sc.role(t, "executor"), sc.role(t, "watcher")
	runExecutor(t, executor.Config{Bus: e.bus, Name: "ex-secure", Concurrency: 4, Grace: 5 * time.Second})

	pc, err := client.New(context.Background(), client.Config{Conn: p.nc})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run := job.NewRunID()
	ok, slow := run.Job(1), run.Job(2)
	if _, err := pc.Submit(ctx, *localTask(ok, "echo hello from the producer"), client.WithIdempotencyKey("full-run-ok")); err != nil {
		t.Fatal(err)
	}
	got, err := watcher.WaitAll(ctx, w.bus, []job.ID{ok}, watcher.Final)
	if err != nil {
		t.Fatal(err)
	}
	st := got[ok].Status
	if st.State != job.Succeeded || st.Executor != "ex-secure" || fmt.Sprint(st.Result["stdout"]) != "hello from the producer" {
		t.Fatalf("state %s executor %s result %v reason %q", st.State, st.Executor, st.Result, st.Reason)
	}
	// The producer waits too, and a resubmission under the same key finds
	// the first job.
	if st, err := pc.Wait(ctx, ok, client.Final); err != nil || st.State != job.Succeeded {
		t.Fatalf("producer waits: %v %s", err, st.State)
	}
	if again, err := pc.Submit(ctx, *localTask(run.Job(9), "echo twice"), client.WithIdempotencyKey("full-run-ok")); err != nil || again != ok {
		t.Fatalf("resubmission: %s %v, want %s", again, err, ok)
	}
	// Both read the job's live output.
	for _, r := range []*role{w, p} {
		var out strings.Builder
		if err := r.bus.Output(ctx, ok, false, func(c job.OutputChunk) bool { out.WriteString(c.Data); return true }); err != nil {
			t.Errorf("%s reads output: %v", r.name, err)
		}
		if !strings.Contains(out.String(), "hello from the producer") {
			t.Errorf("%s read output %q", r.name, out.String())
		}
	}

	// The producer cancels a running job; the executor answers.
	if _, err := pc.Submit(ctx, *localTask(slow, "sleep 60")); err != nil {
		t.Fatal(err)
	}
	if _, err := watcher.WaitAll(ctx, w.bus, []job.ID{slow}, func(u watcher.Update) (bool, error) {
		return u.Status.State == job.Running, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := pc.Cancel(ctx, slow, "security-test"); err != nil {
		t.Fatalf("producer cancels: %v", err)
	}
	got, err = watcher.WaitAll(ctx, w.bus, []job.ID{slow}, watcher.Final)
	if err != nil {
		t.Fatal(err)
	}
	if st := got[slow].Status; st.State != job.Cancelled {
		t.Fatalf("cancelled job: state %s reason %q", st.State, st.Reason)
	}

	// The watcher command with the watcher's credentials.
	auth := cli.NATSAuth{User: "watcher", Password: sc.passwords["watcher"]}
	if code, stdout, stderr := runWatcher(t, sc.url, watch.Options{Auth: auth}, "wait", string(ok)); code != watch.ExitOK || !strings.Contains(stdout, "succeeded") {
		t.Errorf("watcher wait as watcher: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := runWatcher(t, sc.url, watch.Options{Auth: auth}, "status", string(ok)); code != watch.ExitOK || !strings.Contains(stdout, `"succeeded"`) {
		t.Errorf("watcher status as watcher: exit %d\n%s%s", code, stdout, stderr)
	}
	auth.Password = "wrong"
	if code, _, stderr := runWatcher(t, sc.url, watch.Options{Auth: auth}, "status", string(ok)); code != watch.ExitError || !strings.Contains(stderr, "uthorization") {
		t.Errorf("watcher with a wrong password: exit %d %s", code, stderr)
	}
	noViolations(t, p, e, w)
}

// TestSecurityMaxDeliveriesAsExecutor: an executor with the executor role
// hears the max-deliveries advisory, reads the abandoned task, records the
// job lost and removes the message, without being refused anything.
func TestSecurityMaxDeliveriesAsExecutor(t *testing.T) {
	t.Parallel()
	sc := startSecure(t, bus.Config{AckWait: time.Second, MaxDeliver: 2})
	p, e, w := sc.role(t, "producer"), sc.role(t, "executor"), sc.role(t, "watcher")
	id := job.NewRunID().Job(1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.bus.Submit(ctx, localTask(id, "true")); err != nil {
		t.Fatal(err)
	}
	// Take every delivery by hand (as dying executors would), as admin.
	cons, err := sc.admin.Consumer(ctx, job.DefaultPool)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := cons.Next(5 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	ex, err := executor.New(executor.Config{Bus: e.bus, Name: "survivor", Concurrency: 2,
		Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)})
	if err != nil {
		t.Fatal(err)
	}
	rctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = ex.Run(rctx) }()
	t.Cleanup(func() { stop(); <-done })
	got, err := watcher.WaitAll(ctx, w.bus, []job.ID{id}, watcher.Final)
	if err != nil {
		t.Fatal(err)
	}
	if st := got[id].Status; st.State != job.Lost || !strings.Contains(st.Reason, "gave up after 2 deliveries") {
		t.Fatalf("state %s reason %q", st.State, st.Reason)
	}
	eventually(t, 10*time.Second, "abandoned task removed", func() bool { return sc.tasksStored(t) == 0 })
	noViolations(t, p, e, w)
}

// TestSecurityWatchFlowControl: a watch that must catch up on more data
// than the server sends without flow control (here 6 MiB of records)
// completes for the watcher role: it may answer flow-control requests.
func TestSecurityWatchFlowControl(t *testing.T) {
	t.Parallel()
	sc := startSecure(t, busConfig())
	w := sc.role(t, "watcher")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	val := []byte(strings.Repeat("x", 256<<10))
	const n = 24
	for i := range n {
		if _, err := sc.admin.KV().Put(ctx, fmt.Sprintf("big%04d", i), val); err != nil {
			t.Fatal(err)
		}
	}
	kw, err := w.bus.KV().WatchAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = kw.Stop() }()
	got := 0
	for got < n {
		select {
		case e := <-kw.Updates():
			if e != nil {
				got++
			}
		case <-ctx.Done():
			t.Fatalf("watch stalled after %d of %d records; violations %v", got, n, w.Violations())
		}
	}
	noViolations(t, w)
}
