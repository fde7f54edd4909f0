package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
)

func runExecutor(t *testing.T, cfg executor.Config) *executor.Executor {
	t.Helper()
	cfg.Logger = zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	ex, err := executor.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = ex.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return ex
}

// TestHostLimitCapsJobsPerHost: at most HostLimit jobs run at once on one
// host, while another host's jobs run beside them.
func TestHostLimitCapsJobsPerHost(t *testing.T) {
	c := startServer(t, busConfig())
	runExecutor(t, executor.Config{Bus: c.bus, Name: "ex", Concurrency: 16, HostLimit: 2})
	dir := t.TempDir()
	run := job.NewRunID()
	var ids []job.ID
	for i := 1; i <= 6; i++ {
		host := "h1"
		if i > 3 {
			host = "h2"
		}
		id := run.Job(i)
		ids = append(ids, id)
		task := shellTask(id, fmt.Sprintf("echo start $(date +%%s.%%N) >> %s/%s; sleep 0.3; echo end $(date +%%s.%%N) >> %s/%s", dir, host, dir, host), 0)
		task.Host = host
		submit(t, c, task)
	}
	for id, u := range waitAll(t, c, ids, 30*time.Second) {
		if u.Status.State != job.Succeeded {
			t.Fatalf("%s: %s %s", id, u.Status.State, u.Status.Reason)
		}
	}
	for _, host := range []string{"h1", "h2"} {
		if m := maxOverlap(t, filepath.Join(dir, host)); m > 2 {
			t.Errorf("%s ran %d jobs at once, limit 2", host, m)
		}
	}
}

// maxOverlap reads start/end lines and returns the most jobs running at once.
func maxOverlap(t *testing.T, file string) int {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	type ev struct {
		at    float64
		delta int
	}
	var evs []ev
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(l)
		at, _ := strconv.ParseFloat(f[1], 64)
		d := 1
		if f[0] == "end" {
			d = -1
		}
		evs = append(evs, ev{at, d})
	}
	sort.Slice(evs, func(i, j int) bool {
		return evs[i].at < evs[j].at || evs[i].at == evs[j].at && evs[i].delta < evs[j].delta
	})
	n, m := 0, 0
	for _, e := range evs {
		n += e.delta
		m = max(m, n)
	}
	return m
}

// TestMaxDeliveriesEndsTheJob: a task whose every delivery's lease runs out
// (its executors die) stops at MaxDeliver, and the job is recorded lost with
// the reason instead of staying queued forever.
func TestMaxDeliveriesEndsTheJob(t *testing.T) {
	c := startServer(t, bus.Config{AckWait: time.Second, MaxDeliver: 2})
	// A live executor on another pool hears nothing; one on the default pool
	// is needed to hear the advisory, but must not take the task first:
	// take the deliveries by hand, as dying executors would.
	id := job.NewRunID().Job(1)
	submit(t, c, shellTask(id, "true", 0))
	cons, err := c.bus.Consumer(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := cons.Next(5 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	runExecutor(t, executor.Config{Bus: c.bus, Name: "survivor", Concurrency: 2})
	st := waitAll(t, c, []job.ID{id}, 30*time.Second)[id].Status
	if st.State != job.Lost || !strings.Contains(st.Reason, "gave up after 2 deliveries") {
		t.Fatalf("state %s reason %q", st.State, st.Reason)
	}
}

// TestHealthAndMetrics: /healthz answers while consuming, /metrics counts
// finished jobs by state.
func TestHealthAndMetrics(t *testing.T) {
	c := startServer(t, busConfig())
	ex := runExecutor(t, executor.Config{Bus: c.bus, Name: "ex", Concurrency: 2})
	srv := httptest.NewServer(ex.Handler())
	defer srv.Close()
	run := job.NewRunID()
	submit(t, c, shellTask(run.Job(1), "true", 0))
	submit(t, c, shellTask(run.Job(2), "false", 0))
	waitAll(t, c, []job.ID{run.Job(1), run.Job(2)}, 20*time.Second)
	get := func(path string) (int, string) {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	eventually(t, 5*time.Second, "healthz 200", func() bool { code, _ := get("/healthz"); return code == 200 })
	var body string
	eventually(t, 5*time.Second, "metrics counted both jobs", func() bool {
		_, body = get("/metrics")
		return strings.Contains(body, `state="succeeded"} 1`) && strings.Contains(body, `state="failed"} 1`)
	})
	for _, want := range []string{"jetplay_jobs_running{", "jetplay_job_duration_seconds_count{", "jetplay_redeliveries_total{"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s:\n%s", want, body)
		}
	}
}
