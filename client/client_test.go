package client_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jetplay/jetplay/client"
	"github.com/jetplay/jetplay/internal/natstest"
)

// TestIdempotencyOutlivesTheDuplicateWindow: the same key, resubmitted long
// after the stream's duplicate window, returns the same job and runs nothing
// again. The stream's window is made one second here; "minutes" of simulated
// time are the window passing several times over.
func TestIdempotencyOutlivesTheDuplicateWindow(t *testing.T) {
	s, nc, js := natstest.Run(t)
	_ = s
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := client.New(ctx, client.Config{Conn: nc})
	if err != nil {
		t.Fatal(err)
	}
	// Shrink the duplicate window so that a plain resend would be stored again.
	st, err := js.Stream(ctx, "JETPLAY_TASKS")
	if err != nil {
		t.Fatal(err)
	}
	info, _ := st.Info(ctx)
	cfg := info.Config
	cfg.Duplicates = time.Second
	if _, err := js.UpdateStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	stop := startExecutor(ctx, nc)
	defer stop()

	dir := t.TempDir()
	count := filepath.Join(dir, "count")
	task := client.Task{Host: "localhost", Target: client.Target{Connection: "local"}, Module: "shell",
		Args: map[string]any{"_raw_params": "echo ran >> " + count}}
	first, err := c.Submit(ctx, task, client.WithIdempotencyKey("ticket-1234"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Wait(ctx, first, client.Final); err != nil {
		t.Fatal(err)
	}
	// Let the duplicate window pass three times.
	time.Sleep(3500 * time.Millisecond)
	second, err := c.Submit(ctx, task, client.WithIdempotencyKey("ticket-1234"))
	if err != nil {
		t.Fatal(err)
	}
	if second != first {
		t.Fatalf("second submit got %s, want %s", second, first)
	}
	// A different key runs.
	third, err := c.Submit(ctx, task, client.WithIdempotencyKey("ticket-5678"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Wait(ctx, third, client.Final); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(count)
	if n := strings.Count(string(data), "ran"); n != 2 {
		t.Fatalf("commands ran %d times, want 2 (one per key)", n)
	}
}

func TestCancelAndWatch(t *testing.T) {
	_, nc, _ := natstest.Run(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.New(ctx, client.Config{Conn: nc})
	if err != nil {
		t.Fatal(err)
	}
	// No executor: the job stays queued, and a cancel keeps it from starting.
	id, err := c.Submit(ctx, client.Task{Host: "h", Module: "command", Args: map[string]any{"_raw_params": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan client.State, 8)
	wctx, stopWatch := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- c.Watch(wctx, string(id.Run())+".*", func(s client.Status) error { seen <- s.State; return nil })
	}()
	if st, err := c.Cancel(ctx, id, "tester"); err != nil || st.State != client.Cancelled {
		t.Fatalf("cancel: %v %v", st.State, err)
	}
	for st := range seen {
		if st == client.Cancelled {
			break
		}
	}
	stopWatch()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := c.Status(ctx, id.Run().Job(99)); err == nil {
		t.Fatal("status of an unknown job: no error")
	}
}
