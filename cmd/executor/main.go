// Command executor is the jetplay executor daemon: it consumes task messages
// from the work-queue stream, runs each on its host over SSH (or locally),
// and writes every status change to the KV bucket. Run any number of them.
//
// The first SIGTERM (or Ctrl-C) stops fetching and lets running jobs finish
// within --grace; a second one stops at once.
//
// JETPLAY_CPUPROFILE=FILE writes a CPU profile of the run, JETPLAY_MEMPROFILE=FILE
// a heap profile at exit (go tool pprof FILE; docs/performance.md).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	flag "github.com/spf13/pflag"

	"github.com/jetplay/jetplay/internal/cli"
	"github.com/jetplay/jetplay/internal/cli/execute"
)

func main() {
	var o execute.Options
	fs := flag.NewFlagSet("executor", flag.ContinueOnError)
	fs.StringVar(&o.NATS, "nats", os.Getenv("NATS_URL"), "NATS URL (env NATS_URL)")
	fs.StringVar(&o.Name, "name", "", "executor name in status records (default hostname-pid)")
	fs.StringVar(&o.Pool, "pool", "", "pool to consume (default \"default\")")
	fs.IntVar(&o.Concurrency, "concurrency", 256, "jobs run at once")
	fs.IntVar(&o.Replicas, "replicas", 1, "replicas of the stream and bucket when creating them (3 in a cluster)")
	fs.DurationVar(&o.Grace, "grace", 30*time.Second, "time running jobs get to finish after SIGTERM")
	fs.StringVarP(&o.Inventory, "inventory", "i", "", "inventory to read passwords from (ansible_password, ansible_become_password)")
	fs.StringVar(&o.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&o.MetricsAddr, "metrics-addr", "", "serve /healthz and Prometheus /metrics on this address (off when empty)")
	fs.IntVar(&o.HostLimit, "host-limit", 0, "jobs at once on one host (0: no limit)")
	fs.IntVar(&o.PackageLimit, "package-limit", 1, "package-manager jobs (apt, yum, dnf, package) at once on one host; -1: no limit")
	fs.DurationVar(&o.StatusTTL, "status-ttl", 7*24*time.Hour, "how long status records live after their last write (when creating the bucket)")
	fs.BoolVar(&o.Setup, "setup", false, "create or update the streams, buckets and this pool's consumer (with --replicas, --status-ttl), then exit; needs administrator rights")
	execute.SSHFlags(fs, &o.SSH)
	cli.NATSFlags(fs, &o.Auth)
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(2)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "executor: unexpected arguments %v\n", fs.Args())
		os.Exit(2)
	}
	ctx, stop := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		stop() // first signal: graceful
		<-sigs
		os.Exit(130) // second signal: now
	}()
	stopProfiles := cli.StartProfiles(os.Getenv(cli.EnvCPUProfile), os.Getenv(cli.EnvMemProfile), os.Stderr)
	code := execute.Run(ctx, o, os.Stderr)
	stopProfiles()
	os.Exit(code)
}
