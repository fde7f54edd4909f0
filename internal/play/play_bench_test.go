package play_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/play"
	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/report"
)

// The whole control plane as the publisher runs it in embedded mode: one
// play of one task on b.N hosts with connection local, the engine with
// -f 256 and one in-process executor, against an embedded JetStream server.
// It is bench/run's "local" case inside go test, so -cpuprofile sees the
// publisher and the executor together.

type noopDialer struct{}

func (noopDialer) Conn(string, job.Target) conn.Conn { return noopConn{} }

type noopConn struct{}

func (noopConn) Run(context.Context, conn.Command) (conn.Result, error) {
	now := time.Now()
	return conn.Result{RC: 0, Start: now, End: now}, nil
}

func benchPlay(b *testing.B, dialer executor.Dialer, forks, tasks int) {
	b.Helper()
	dir := b.TempDir()
	var inv strings.Builder
	inv.WriteString("[all:vars]\nansible_connection=local\n[bench]\n")
	for i := range b.N {
		fmt.Fprintf(&inv, "l%05d\n", i+1)
	}
	invFile := filepath.Join(dir, "inventory.ini")
	var book strings.Builder
	book.WriteString("- hosts: bench\n  gather_facts: false\n  tasks:\n")
	for range tasks {
		book.WriteString("    - ansible.builtin.command: /bin/true\n")
	}
	bookFile := filepath.Join(dir, "play.yml")
	for f, s := range map[string]string{invFile: inv.String(), bookFile: book.String()} {
		if err := os.WriteFile(f, []byte(s), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bs := startBus(b, ctx, executor.Config{Name: "bench", Concurrency: 2 * forks, Dialer: dialer})

	b.ResetTimer()
	start := time.Now()
	// Loading is part of what the publisher does per run.
	invs, err := playbook.LoadInventory(invFile)
	if err != nil {
		b.Fatal(err)
	}
	pb, err := playbook.Load(bookFile, play.ModuleOptions())
	if err != nil {
		b.Fatal(err)
	}
	stats, err := play.Run(ctx, play.Config{
		Bus: bs, Inventory: invs, Reporter: report.NewText(report.TextConfig{}), Forks: forks,
	}, pb)
	elapsed := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if code := stats.ExitCode(); code != 0 {
		b.Fatalf("exit code %d", code)
	}
	b.ReportMetric(float64(b.N*tasks)/elapsed.Seconds(), "jobs/s")
}

// BenchmarkPlayNoop: b.N hosts, one task, commands answered at once.
func BenchmarkPlayNoop(b *testing.B) { benchPlay(b, noopDialer{}, 256, 1) }

// BenchmarkPlayLocal: b.N hosts, one task of /bin/true on the local connection.
func BenchmarkPlayLocal(b *testing.B) { benchPlay(b, nil, 256, 1) }

// BenchmarkPlayNoopTasks: b.N hosts, 20 tasks, commands answered at once:
// the per-task cost of the linear strategy.
func BenchmarkPlayNoopTasks(b *testing.B) { benchPlay(b, noopDialer{}, 256, 20) }
