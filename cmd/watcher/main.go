// Command watcher waits on jobs and shows their status, by KV watch:
//
//	watcher wait JID...     block until every job is final (or --until holds)
//	watcher status JID...   print the status records
//	watcher watch [PATTERN] stream status changes, one line each
//	watcher logs [-f] JID   print a job's live output (-f: follow it)
//	watcher cancel JID...   stop jobs (--run RUN: every job of a run)
//
// Exit codes: 0 every job succeeded (or --until held), 1 error or timeout,
// 2 a job ended failed, timed out, cancelled, lost or rejected.
//
// JETPLAY_CPUPROFILE=FILE writes a CPU profile of the run, JETPLAY_MEMPROFILE=FILE
// a heap profile at exit (go tool pprof FILE; docs/performance.md).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	flag "github.com/spf13/pflag"

	"github.com/jetplay/jetplay/internal/cli"
	"github.com/jetplay/jetplay/internal/cli/watch"
)

func main() {
	stopProfiles := cli.StartProfiles(os.Getenv(cli.EnvCPUProfile), os.Getenv(cli.EnvMemProfile), os.Stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	stopProfiles()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o watch.Options
	fs := flag.NewFlagSet("watcher", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: watcher [--nats URL] wait|status|watch|cancel [JID...|PATTERN]")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.NATS, "nats", os.Getenv("NATS_URL"), "NATS URL (env NATS_URL)")
	fs.StringVarP(&o.Output, "output", "o", "text", "text or json")
	fs.DurationVar(&o.Timeout, "timeout", 0, "give up waiting after this long (0: no limit)")
	fs.StringVar(&o.Until, "until", "", "wait until this Ansible condition holds for each job (sees `job` and its keys)")
	fs.IntVar(&o.Retries, "retries", 3, "with --until: the budget is retries × delay, as Ansible's until")
	fs.Float64Var(&o.Delay, "delay", 5, "with --until: seconds per retry in the budget")
	fs.StringVar(&o.LogLevel, "log-level", "warn", "log level")
	fs.StringVar(&o.By, "by", "", "with cancel: who is asking (default user@hostname)")
	fs.StringVar(&o.Run, "run", "", "with wait or cancel: every job of this run")
	fs.BoolVarP(&o.Follow, "follow", "f", false, "with logs: keep printing until the job's output ends")
	cli.NATSFlags(fs, &o.Auth)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return watch.ExitError
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return watch.ExitError
	}
	return watch.Run(ctx, o, fs.Arg(0), fs.Args()[1:], stdout, stderr)
}
