// Command natsd runs jetplay's embedded JetStream server on a loopback port
// until SIGINT or SIGTERM, for bench/run's warm cases (executor daemons and
// publishers with --nats). Its store is a temporary directory removed on exit.
//
//	natsd -port 14222
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/jetplay/jetplay/internal/broker"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "natsd:", err)
		os.Exit(1)
	}
}

func run() error {
	port := flag.Int("port", 14222, "client port on 127.0.0.1")
	flag.Parse()
	if *port <= 0 {
		return errors.New("-port must be positive")
	}
	store, err := os.MkdirTemp("", "jetplay-bench-nats-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(store) }()
	srv, err := broker.Start(broker.Config{StoreDir: store, Port: *port})
	if err != nil {
		return err
	}
	defer srv.Stop()
	fmt.Printf("nats://127.0.0.1:%d\n", *port)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	<-sigs
	return nil
}
