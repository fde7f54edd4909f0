// Package watch is the watcher's wiring (cmd/watcher): its subcommands
// wait on, show, follow and cancel jobs through the bus.
package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/cli"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/logging"
	"github.com/jetplay/jetplay/internal/render"
	"github.com/jetplay/jetplay/internal/watcher"
)

// Watcher exit codes.
const (
	ExitOK        = 0 // every job succeeded (or the condition held)
	ExitError     = 1 // error or timeout
	ExitJobFailed = 2 // a job ended in a state other than succeeded
)

// Options are the watcher's flags.
type Options struct {
	NATS     string
	Output   string
	Timeout  time.Duration
	Until    string
	Retries  int
	Delay    float64
	LogLevel string
	// By names who cancels (default user@hostname).
	By string
	// Run, with cancel, cancels every unfinished job of that run.
	Run string
	// Follow, with logs, keeps printing until the job's output ends.
	Follow bool
	// Auth are the NATS credentials and TLS settings.
	Auth cli.NATSAuth
}

// Run runs one watcher subcommand and returns the exit code.
func Run(ctx context.Context, o Options, cmd string, args []string, stdout, stderr io.Writer) int {
	log, err := logging.New(stderr, o.LogLevel)
	if err != nil {
		fmt.Fprintf(stderr, "watcher: %v\n", err)
		return ExitError
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "watcher: %v\n", err)
		return ExitError
	}
	if o.NATS == "" {
		return fail(errors.New("no NATS URL: give --nats or NATS_URL"))
	}
	ids := make([]job.ID, 0, len(args))
	if cmd != "watch" && !((cmd == "cancel" || cmd == "wait") && o.Run != "") {
		for _, a := range args {
			id, err := job.ParseID(a)
			if err != nil {
				return fail(err)
			}
			ids = append(ids, id)
		}
		if len(ids) == 0 {
			return fail(fmt.Errorf("%s needs at least one jid", cmd))
		}
	}
	natsOpts, err := o.Auth.Options()
	if err != nil {
		return fail(err)
	}
	b, closeConn, err := cli.Connect(ctx, cli.ConnectConfig{URL: o.NATS, NATSOptions: natsOpts, Name: "jetplay-watcher", Logger: log})
	if err != nil {
		return fail(err)
	}
	defer closeConn()
	switch cmd {
	case "status":
		code := ExitOK
		for _, id := range ids {
			st, _, err := b.Status(ctx, id)
			if err != nil {
				fmt.Fprintf(stderr, "watcher: %v\n", err)
				code = ExitError
				continue
			}
			printStatus(stdout, o.Output, st, true)
		}
		return code
	case "watch":
		pattern := ""
		if len(args) > 0 {
			pattern = args[0]
		}
		err := watcher.Watch(ctx, b, pattern, func(u watcher.Update) error {
			printStatus(stdout, o.Output, u.Status, false)
			return nil
		})
		if err != nil {
			return fail(err)
		}
		return ExitOK
	case "wait":
		if o.Run != "" {
			run := job.RunID(o.Run)
			if !run.Valid() {
				return fail(fmt.Errorf("--run %q is not a run id", o.Run))
			}
			ids, err = b.RunJobs(ctx, run)
			if err != nil {
				return fail(err)
			}
			if len(ids) == 0 {
				return fail(fmt.Errorf("run %s has no jobs", run))
			}
		}
		return waitJobs(ctx, o, b, ids, stdout, stderr)
	case "cancel":
		return cancelJobs(ctx, o, b, ids, stdout, stderr)
	case "logs":
		return printLogs(ctx, o, b, ids, stdout, stderr)
	}
	return fail(fmt.Errorf("unknown command %q (use wait, status, watch, logs or cancel)", cmd))
}

// waitJobs waits for every job to end (or --until to hold), bounded by
// --timeout or, with --until, by --retries × --delay as Ansible's until is.
func waitJobs(ctx context.Context, o Options, b *bus.Bus, ids []job.ID, stdout, stderr io.Writer) int {
	cond := watcher.Final
	timeout := o.Timeout
	if o.Until != "" {
		eng := render.NewWithConfig(render.Config{LookupEnv: os.LookupEnv})
		if err := eng.CheckExpr(o.Until); err != nil {
			fmt.Fprintf(stderr, "watcher: --until: %v\n", err)
			return ExitError
		}
		cond = untilCond(eng, o.Until)
		if budget := time.Duration(float64(o.Retries) * o.Delay * float64(time.Second)); budget > 0 && (timeout == 0 || budget < timeout) {
			timeout = budget
		}
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	got, err := watcher.WaitAll(ctx, b, ids, cond)
	code := ExitOK
	for _, id := range ids {
		u, ok := got[id]
		if !ok || u.Status.State == "" {
			fmt.Fprintf(stdout, "%s not found\n", id)
			code = ExitError
			continue
		}
		printStatus(stdout, o.Output, u.Status, false)
		if o.Until == "" && u.Status.State != job.Succeeded && code == ExitOK {
			code = ExitJobFailed
		}
	}
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			fmt.Fprintf(stderr, "watcher: timed out waiting\n")
		} else {
			fmt.Fprintf(stderr, "watcher: %v\n", err)
		}
		return ExitError
	}
	return code
}

// printStatus prints a status: a one-line summary, the whole record (full),
// or its JSON.
func printStatus(w io.Writer, format string, st job.Status, full bool) {
	if format == "json" {
		data, _ := json.Marshal(st)
		fmt.Fprintln(w, string(data))
		return
	}
	if full {
		data, _ := json.MarshalIndent(st, "", "    ")
		fmt.Fprintln(w, string(data))
		return
	}
	if st.State == "" {
		fmt.Fprintf(w, "%s deleted\n", st.JID)
		return
	}
	line := fmt.Sprintf("%s %s host=%s", st.JID, st.State, st.Host)
	if st.Name != "" {
		line += fmt.Sprintf(" task=%q", st.Name)
	}
	if rc, ok := st.Result["rc"]; ok {
		line += fmt.Sprintf(" rc=%v", rc)
	}
	if st.Reason != "" {
		line += fmt.Sprintf(" reason=%q", st.Reason)
	}
	fmt.Fprintln(w, line)
}

// untilCond builds the condition of --until: EXPR sees the job's
// async_status answer as `job` and its keys at the top level.
func untilCond(r *render.Engine, expr string) watcher.Cond {
	return func(u watcher.Update) (bool, error) {
		res := job.AsyncStatusResult(u.Status)
		vars := maps.Clone(res)
		vars["job"] = res
		return r.Cond(expr, vars)
	}
}

// cancelJobs cancels the given jobs, or every unfinished job of --run.
func cancelJobs(ctx context.Context, o Options, b *bus.Bus, ids []job.ID, stdout, stderr io.Writer) int {
	by := o.By
	if by == "" {
		by = whoAmI()
	}
	if o.Run != "" {
		run := job.RunID(o.Run)
		if !run.Valid() {
			fmt.Fprintf(stderr, "watcher: --run %q is not a run id\n", o.Run)
			return ExitError
		}
		more, err := b.RunJobs(ctx, run)
		if err != nil {
			fmt.Fprintf(stderr, "watcher: %v\n", err)
			return ExitError
		}
		ids = append(ids, more...)
	}
	code := ExitOK
	for _, id := range ids {
		st, err := b.Cancel(ctx, id, by)
		if err != nil {
			fmt.Fprintf(stderr, "watcher: cancel %s: %v\n", id, err)
			code = ExitError
			continue
		}
		switch {
		case st.State == job.Cancelled:
			fmt.Fprintf(stdout, "%s cancelled (it had not started)\n", id)
		case st.State.Final():
			fmt.Fprintf(stdout, "%s already %s\n", id, st.State)
		default:
			fmt.Fprintf(stdout, "%s cancel sent to executor %s\n", id, st.Executor)
		}
	}
	return code
}

func whoAmI() string {
	u := os.Getenv("USER")
	if u == "" {
		u = "unknown"
	}
	h, _ := os.Hostname()
	return u + "@" + h
}

// printLogs prints the live output of jobs: what is stored, then (-f) what
// comes, until each job's output ends.
func printLogs(ctx context.Context, o Options, b *bus.Bus, ids []job.ID, stdout, stderr io.Writer) int {
	for _, id := range ids {
		err := b.Output(ctx, id, o.Follow, func(c job.OutputChunk) bool {
			switch {
			case c.EOF:
				if c.Dropped > 0 {
					fmt.Fprintf(stderr, "[%d bytes of output were not streamed]\n", c.Dropped)
				}
				return false
			case c.Stream == "stderr":
				fmt.Fprint(stderr, c.Data)
			default:
				fmt.Fprint(stdout, c.Data)
			}
			return true
		})
		if err != nil {
			fmt.Fprintf(stderr, "watcher: logs %s: %v\n", id, err)
			return ExitError
		}
	}
	return ExitOK
}
