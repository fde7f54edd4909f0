package client_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/jetplay/jetplay/client"
	"github.com/jetplay/jetplay/internal/broker"
	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/executor"
)

// Submit a command, wait for it by watch, and read its result. The example
// brings its own embedded server and one executor; a real service would only
// connect to the cluster.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir, _ := os.MkdirTemp("", "jetplay-example-")
	defer os.RemoveAll(dir)
	srv, err := broker.Start(broker.Config{StoreDir: dir, DontListen: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Stop()
	nc, _ := srv.Connect()
	defer nc.Close()
	stopExecutor := startExecutor(ctx, nc)
	defer stopExecutor()

	c, err := client.New(ctx, client.Config{Conn: nc})
	if err != nil {
		fmt.Println(err)
		return
	}
	id, err := c.Submit(ctx, client.Task{
		Host:   "localhost",
		Target: client.Target{Connection: "local"},
		Module: "command",
		Args:   map[string]any{"_raw_params": "echo hello from a job"},
	}, client.WithIdempotencyKey("deploy-42"))
	if err != nil {
		fmt.Println(err)
		return
	}
	st, err := c.Wait(ctx, id, client.Final)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.State, st.Result["rc"], st.Result["stdout"])

	// The same idempotency key again: the same job, nothing runs twice.
	again, _ := c.Submit(ctx, client.Task{Host: "localhost", Module: "command", Args: map[string]any{"_raw_params": "echo again"}},
		client.WithIdempotencyKey("deploy-42"))
	fmt.Println(again == id)
	// Output:
	// succeeded 0 hello from a job
	// true
}

// startExecutor runs one in-process executor until the returned func is called.
func startExecutor(ctx context.Context, nc *nats.Conn) func() {
	b, err := bus.OpenConn(ctx, nc, bus.Config{})
	if err != nil {
		return func() {}
	}
	ex, err := executor.New(executor.Config{Bus: b, Name: "example"})
	if err != nil {
		return func() {}
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = ex.Run(runCtx) }()
	return func() { stop(); <-done }
}
