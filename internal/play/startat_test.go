package play_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/natstest"
	"github.com/jetplay/jetplay/internal/play"
	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/report"
)

// runBook runs the playbook src on the inventory inv with the engine's
// config cfg (Bus, Inventory and Reporter are filled in), against an
// embedded JetStream server and one in-process executor, and returns the
// outcome and the text report.
func runBook(t *testing.T, inv, src string, cfg play.Config) (play.Outcome, string) {
	t.Helper()
	dir := t.TempDir()
	invFile, bookFile := filepath.Join(dir, "inventory.ini"), filepath.Join(dir, "play.yml")
	for f, s := range map[string]string{invFile: inv, bookFile: src} {
		if err := os.WriteFile(f, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	bs := startBus(t, ctx, executor.Config{Name: "test", Concurrency: 8, Logger: log})
	inventory, err := playbook.LoadInventory(invFile)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Inventory = inventory
	pb, err := playbook.Load(bookFile, play.ModuleOptions())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cfg.Bus, cfg.Reporter, cfg.Logger = bs, report.NewText(report.TextConfig{Out: &out}), log
	o, err := play.Run(ctx, cfg, pb)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	return o, out.String()
}

// startBus opens a bus on an embedded JetStream server and runs one
// in-process executor on it, made from cfg with its Bus filled in and Grace
// one second when zero, until ctx ends or the test does; cleanup waits for
// the executor's Run to return, and an error from Run fails the test.
func startBus(tb testing.TB, ctx context.Context, cfg executor.Config) *bus.Bus {
	tb.Helper()
	_, _, js := natstest.Run(tb)
	bs, err := bus.Open(ctx, js, bus.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Bus = bs
	if cfg.Grace == 0 {
		cfg.Grace = time.Second
	}
	ex, err := executor.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ectx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := ex.Run(ectx); err != nil {
			tb.Error(err)
		}
	}()
	tb.Cleanup(func() { stop(); wg.Wait() })
	return bs
}

// TestStartAtTaskFailingHost: under strategy free every host goes
// through the tasks in its own goroutine, while the others read its failed,
// unreachable and ended flags (ansible_play_hosts, max_fail_percentage,
// the next play's hosts) and --start-at-task is looked for by each of them.
// Run with -race. The recap is ansible-playbook 2.14's for the same
// playbook, under free and linear alike: each host starts at the task (none
// runs "before", which would fail them all), h2 fails and is out of the
// second play, h3 ends itself and is back for the second play.
func TestStartAtTaskFailingHost(t *testing.T) {
	t.Parallel()
	for _, strategy := range []string{"free", "linear"} {
		t.Run(strategy, func(t *testing.T) {
			t.Parallel()
			testStartAtTaskFailingHost(t, strategy)
		})
	}
}

func testStartAtTaskFailingHost(t *testing.T, strategy string) {
	const inv = "[free]\nh1\nh2\nh3\nh4\n[free:vars]\nansible_connection=local\n"
	const book = `- hosts: free
  gather_facts: false
  strategy: STRATEGY
  max_fail_percentage: 50
  tasks:
    - name: before
      command: /bin/false
    - name: start
      command: /bin/true
    - name: fail one
      fail:
        msg: boom
      when: inventory_hostname == 'h2'
    - name: end one
      meta: end_host
      when: inventory_hostname == 'h3'
    - name: after
      command: /bin/true
    - name: last
      set_fact:
        done: "{{ ansible_play_hosts | length }}"
- hosts: free
  gather_facts: false
  tasks:
    - name: second play
      command: /bin/true
`
	o, out := runBook(t, inv, strings.Replace(book, "STRATEGY", strategy, 1), play.Config{StartAt: "start", Forks: 4})
	want := report.Stats{
		"h1": {OK: 4, Changed: 3, Skipped: 1},
		"h2": {OK: 1, Changed: 1, Failures: 1},
		"h3": {OK: 2, Changed: 2, Skipped: 1},
		"h4": {OK: 4, Changed: 3, Skipped: 1},
	}
	for h, w := range want {
		if got := o.Stats[h]; got == nil || *got != *w {
			t.Errorf("%s: recap %+v, want %+v\n%s", h, got, w, out)
		}
	}
	if strings.Contains(out, "TASK [before]") {
		t.Errorf("task before ran\n%s", out)
	}
	if code := o.ExitCode(); code != report.ExitFailed {
		t.Errorf("exit code %d, want %d", code, report.ExitFailed)
	}
}
