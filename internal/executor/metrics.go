package executor

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jetplay/jetplay/internal/job"
)

// durationBuckets are the upper bounds (seconds) of the job duration histogram.
var durationBuckets = []float64{0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800}

// metrics are an executor's counters, served in Prometheus' text format.
type metrics struct {
	running      atomic.Int64
	redeliveries atomic.Int64
	rejected     atomic.Int64

	mu       sync.Mutex
	finished map[job.State]int64
	buckets  []int64 // cumulative counts per durationBuckets, then +Inf
	sum      float64
	count    int64
}

func newMetrics() *metrics {
	return &metrics{finished: map[job.State]int64{}, buckets: make([]int64, len(durationBuckets)+1)}
}

func (m *metrics) finish(st job.State, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.finished[st]++
	s := d.Seconds()
	for i, b := range durationBuckets {
		if s <= b {
			m.buckets[i]++
		}
	}
	m.buckets[len(durationBuckets)]++
	m.sum += s
	m.count++
}

// PoolStats is what a connection pool reports for /metrics.
type PoolStats interface {
	OpenConns() int64
}

func (m *metrics) write(w io.Writer, name, pool string, conns PoolStats) {
	lbl := fmt.Sprintf(`executor=%q,pool=%q`, name, pool)
	fmt.Fprintf(w, "# HELP jetplay_jobs_running Jobs this executor is running now.\n# TYPE jetplay_jobs_running gauge\njetplay_jobs_running{%s} %d\n", lbl, m.running.Load())
	fmt.Fprintf(w, "# HELP jetplay_redeliveries_total Task messages received again after a first delivery.\n# TYPE jetplay_redeliveries_total counter\njetplay_redeliveries_total{%s} %d\n", lbl, m.redeliveries.Load())
	fmt.Fprintf(w, "# HELP jetplay_rejected_total Task messages rejected as invalid.\n# TYPE jetplay_rejected_total counter\njetplay_rejected_total{%s} %d\n", lbl, m.rejected.Load())
	if conns != nil {
		fmt.Fprintf(w, "# HELP jetplay_ssh_connections Open pooled SSH connections.\n# TYPE jetplay_ssh_connections gauge\njetplay_ssh_connections{%s} %d\n", lbl, conns.OpenConns())
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintf(w, "# HELP jetplay_jobs_finished_total Jobs finished, by final state.\n# TYPE jetplay_jobs_finished_total counter\n")
	states := make([]string, 0, len(m.finished))
	for s := range m.finished {
		states = append(states, string(s))
	}
	sort.Strings(states)
	for _, s := range states {
		fmt.Fprintf(w, "jetplay_jobs_finished_total{%s,state=%q} %d\n", lbl, s, m.finished[job.State(s)])
	}
	fmt.Fprintf(w, "# HELP jetplay_job_duration_seconds Time from claim to final state.\n# TYPE jetplay_job_duration_seconds histogram\n")
	for i, b := range durationBuckets {
		fmt.Fprintf(w, "jetplay_job_duration_seconds_bucket{%s,le=\"%g\"} %d\n", lbl, b, m.buckets[i])
	}
	fmt.Fprintf(w, "jetplay_job_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", lbl, m.buckets[len(durationBuckets)])
	fmt.Fprintf(w, "jetplay_job_duration_seconds_sum{%s} %g\njetplay_job_duration_seconds_count{%s} %d\n", lbl, m.sum, lbl, m.count)
}

// Handler serves /healthz (200 while the executor is consuming, 503
// otherwise) and /metrics.
func (e *Executor) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if !e.consuming.Load() {
			http.Error(w, "not consuming", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		ps, _ := e.cfg.Dialer.(PoolStats)
		e.metrics.write(w, e.cfg.Name, e.cfg.Pool, ps)
	})
	return mux
}
