package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/cli/publish"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/natstest"
)

// repoRoot is the module root (examples/ lives there).
func repoRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

type cluster struct {
	srv *server.Server
	js  jetstream.JetStream
	bus *bus.Bus
	url string
}

// startServer starts an embedded JetStream server and opens the bus on it.
func startServer(t *testing.T, cfg bus.Config) *cluster {
	t.Helper()
	s, _, js := natstest.Run(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := bus.Open(ctx, js, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &cluster{srv: s, js: js, bus: b, url: s.ClientURL()}
}

// startExecutor runs an executor against the cluster until the test ends.
func (c *cluster) startExecutor(t *testing.T, name string, concurrency int) {
	t.Helper()
	c.runExecutor(t, executor.Config{Name: name, Concurrency: concurrency, Grace: 5 * time.Second})
}

// runExecutor runs an executor made from cfg (on the cluster's bus, logging
// warnings to the test log) until stop or the end of the test; an error
// from Run fails the test. stop cancels it and returns
// once Run has returned; it may be called more than once.
func (c *cluster) runExecutor(t *testing.T, cfg executor.Config) (stop func()) {
	t.Helper()
	cfg.Bus = c.bus
	cfg.Logger = zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	ex, err := executor.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := ex.Run(ctx); err != nil {
			t.Errorf("executor %s: %v", cfg.Name, err)
		}
	}()
	stop = func() { cancel(); wg.Wait() }
	t.Cleanup(stop)
	return stop
}

// startExecutorWithLog runs an executor whose debug log goes to w.
func (c *cluster) startExecutorWithLog(t *testing.T, name string, w io.Writer) {
	t.Helper()
	ex, err := executor.New(executor.Config{
		Bus: c.bus, Name: name, Concurrency: 4, Grace: 5 * time.Second,
		Logger: zerolog.New(w).Level(zerolog.DebugLevel),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = ex.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// syncWriter serialises writes from several goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// String returns what was written so far.
func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.w.(fmt.Stringer); ok {
		return b.String()
	}
	return ""
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// runPublisher runs the publisher with args against url ("" = embedded) and
// returns its exit code, stdout and stderr.
func runPublisher(t *testing.T, url string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	o := publish.Options{Forks: 10, Output: "text", NATS: url, Executors: 1, LogLevel: "warn", Replicas: 1}
	o.SSH.HostKeyCheck = true
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-i":
			i++
			o.Inventories = append(o.Inventories, args[i])
		case "-e":
			i++
			o.ExtraVars = append(o.ExtraVars, args[i])
		case "-o":
			i++
			o.Output = args[i]
		case "-f":
			i++
			o.Forks = atoi(args[i])
		default:
			o.Playbooks = append(o.Playbooks, args[i])
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := publish.Run(ctx, o, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

// writeFile writes content into dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// recapLine returns the PLAY RECAP line of host.
func recapLine(out, host string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, host+" ") && strings.Contains(l, " : ok=") {
			return strings.Join(strings.Fields(l), " ")
		}
	}
	return ""
}

// eventually polls cond every 20ms until it holds or d passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
