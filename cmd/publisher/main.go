// Command publisher runs playbooks like ansible-playbook: it renders each
// task for each host and publishes one job per (task, host) on the JetStream
// work queue, then waits for the jobs by KV watch and prints Ansible's output.
// With no --nats (and no NATS_URL) it starts an embedded JetStream server and
// in-process executors, so it works on a machine with nothing else running.
//
// Exit codes are ansible-playbook's: 0 all ok, 1 error (a playbook, task file
// or role not found), 2 a host failed, 4 a host was unreachable or a playbook
// cannot be parsed, 5 bad options, 250 interrupted.
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
	"github.com/jetplay/jetplay/internal/cli/execute"
	"github.com/jetplay/jetplay/internal/cli/publish"
)

func main() {
	publish.TuneGC(os.Getenv("GOGC"))
	stopProfiles := cli.StartProfiles(os.Getenv(cli.EnvCPUProfile), os.Getenv(cli.EnvMemProfile), os.Stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	stopProfiles()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o publish.Options
	fs := flag.NewFlagSet("publisher", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: publisher [-i INVENTORY] [-e VARS|@file] [-l LIMIT] [-f FORKS] [-o text|json] [--nats URL] PLAYBOOK...")
		fmt.Fprintln(stderr, "       publisher [-i INVENTORY] -m MODULE [-a ARGS] [-B SECONDS -P POLL] PATTERN   (ad-hoc, like ansible)")
		fs.PrintDefaults()
	}
	fs.StringArrayVarP(&o.Inventories, "inventory", "i", nil, "inventory file, directory or comma-separated host list (repeatable)")
	fs.StringArrayVarP(&o.ExtraVars, "extra-vars", "e", nil, "extra variables: key=value, YAML/JSON, or @file (repeatable)")
	fs.StringVarP(&o.Limit, "limit", "l", "", "further limit hosts to this pattern")
	fs.IntVarP(&o.Forks, "forks", "f", 5, "(task, host) pairs in flight at once")
	fs.StringVarP(&o.Output, "output", "o", "text", "output format: text (ansible-playbook's) or json (its json callback's)")
	fs.StringVar(&o.NATS, "nats", os.Getenv("NATS_URL"), "NATS URL; empty: embedded server and in-process executors (env NATS_URL)")
	fs.StringVar(&o.NATSConfig, "nats-config", "", "nats-server config for the embedded server (default: nats.conf if present)")
	fs.IntVar(&o.Executors, "executors", 1, "in-process executors in embedded mode")
	fs.IntVar(&o.Replicas, "replicas", 1, "replicas of the stream and bucket when creating them")
	fs.StringVar(&o.Pool, "pool", "", "executor pool to send jobs to (default \"default\")")
	fs.CountVarP(&o.Verbosity, "verbose", "v", "more output (-v, -vv, -vvv)")
	fs.BoolVarP(&o.Check, "check", "C", false, "don't make any changes; instead, try to predict some of the changes that may occur")
	fs.BoolVarP(&o.Diff, "diff", "D", false, "when changing (small) files and templates, show the differences in those files")
	fs.StringArrayVarP(&o.Tags, "tags", "t", nil, "only run tasks tagged with these (comma-separated, repeatable)")
	fs.StringArrayVar(&o.SkipTags, "skip-tags", nil, "skip tasks tagged with these (comma-separated, repeatable)")
	fs.StringVar(&o.StartAt, "start-at-task", "", "start the playbook at the task of this name")
	fs.BoolVar(&o.ListHosts, "list-hosts", false, "list the hosts each play would run on, then exit")
	fs.BoolVar(&o.ListTasks, "list-tasks", false, "list the tasks each play would run, then exit")
	fs.BoolVar(&o.SyntaxCheck, "syntax-check", false, "check the playbooks' syntax, then exit")
	fs.StringVarP(&o.AdHoc.Module, "module-name", "m", "", "ad-hoc mode: run this module on the hosts of PATTERN (publisher -m MODULE -a ARGS PATTERN)")
	fs.StringVarP(&o.AdHoc.Args, "args", "a", "", "ad-hoc mode: the module's arguments")
	fs.IntVarP(&o.AdHoc.Background, "background", "B", 0, "ad-hoc mode: run asynchronously, failing after this many seconds")
	fs.IntVarP(&o.AdHoc.Poll, "poll", "P", 15, "ad-hoc mode with -B: poll interval in seconds (0: start and return the job id)")
	fs.StringVar(&o.Resume, "resume", "", "pick up run RUN again (after the publisher died): jobs already published are waited on, not published again")
	fs.StringVar(&o.LogLevel, "log-level", "warn", "log level: debug, info, warn, error")
	execute.SSHFlags(fs, &o.SSH)
	cli.NATSFlags(fs, &o.Auth)
	publish.VaultFlags(fs, &o.Vault)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 5
	}
	o.Playbooks = fs.Args()
	o.Changed = fs.Changed
	return publish.Run(ctx, o, stdout, stderr)
}
