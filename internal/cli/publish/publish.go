// Package publish is the publisher's wiring (cmd/publisher): it loads the
// playbooks (or builds ad-hoc mode's one-task play), joins the NATS server
// or starts an embedded one with in-process executors, and runs the play
// engine.
package publish

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/cli"
	"github.com/jetplay/jetplay/internal/cli/execute"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/logging"
	"github.com/jetplay/jetplay/internal/node"
	"github.com/jetplay/jetplay/internal/play"
	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/render"
	"github.com/jetplay/jetplay/internal/report"
)

// Exit codes of ansible-playbook that do not depend on host results.
const (
	// ExitError: an error outside the hosts (a playbook or role file not
	// found, an internal error), Ansible's AnsibleError.
	ExitError = 1
	// ExitParse: a playbook that cannot be parsed (malformed YAML, an
	// unknown module or keyword, bad extra vars), Ansible's
	// AnsibleParserError.
	ExitParse = 4
	// ExitBadInput: a bad command-line option, Ansible's AnsibleOptionsError.
	ExitBadInput    = 5
	ExitInterrupted = 250
)

// Options are the publisher's flags.
type Options struct {
	Inventories []string
	ExtraVars   []string
	Limit       string
	Forks       int
	Output      string
	NATS        string
	NATSConfig  string
	Executors   int
	Replicas    int
	Pool        string
	Verbosity   int
	// Check and Diff are --check and --diff.
	Check, Diff bool
	// Resume replays a run (its id) without publishing its jobs twice.
	Resume string
	// Tags and SkipTags select tasks; StartAt skips to a task by name.
	Tags, SkipTags []string
	StartAt        string
	// ListHosts, ListTasks and SyntaxCheck print and exit without running.
	ListHosts, ListTasks, SyntaxCheck bool
	// AdHoc, when its Module is set, runs one module on the hosts of the
	// pattern given as the only argument, like the ansible command.
	AdHoc     AdHoc
	LogLevel  string
	SSH       execute.SSHOptions
	Auth      cli.NATSAuth
	Playbooks []string
}

// Run runs the playbooks and returns the exit code.
func Run(ctx context.Context, o Options, stdout, stderr io.Writer) int {
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "ERROR! %v\n", err)
		return code
	}
	log, err := logging.New(stderr, o.LogLevel)
	if err != nil {
		return fail(ExitBadInput, fmt.Errorf("--log-level: %w", err))
	}
	if len(o.Playbooks) == 0 {
		return fail(ExitBadInput, errors.New("no playbook given (usage: publisher [-i INVENTORY] PLAYBOOK...)"))
	}
	if o.Output != "text" && o.Output != "json" {
		return fail(ExitBadInput, fmt.Errorf("-o %q: use text or json", o.Output))
	}
	extra := map[string]any{}
	for _, e := range o.ExtraVars {
		m, err := playbook.ParseExtraVars(e)
		if err != nil {
			return fail(ExitParse, err)
		}
		maps.Copy(extra, m)
	}
	inv, err := loadInventories(o.Inventories)
	if err != nil {
		return fail(ExitBadInput, err)
	}
	opts := play.ModuleOptions()
	opts.RolesPath = rolesPath()
	opts.ExtraVars = extra // templated role names are rendered at load time
	books := make([]*playbook.Playbook, 0, len(o.Playbooks))
	if o.AdHoc.Module != "" {
		if len(o.Playbooks) != 1 {
			return fail(ExitBadInput, errors.New("ad-hoc mode (-m) takes one host pattern"))
		}
		b, err := adhocPlaybook(o.Playbooks[0], o.AdHoc)
		if err != nil {
			return fail(ExitBadInput, err)
		}
		books = append(books, b)
	}
	for _, p := range o.Playbooks {
		if o.AdHoc.Module != "" {
			break
		}
		b, err := playbook.Load(p, opts)
		if errors.Is(err, playbook.ErrRole) || errors.Is(err, fs.ErrNotExist) {
			// A role, playbook or task file that cannot be found is an
			// AnsibleError to ansible-playbook: exit 1.
			return fail(ExitError, err)
		}
		if err != nil {
			// Anything else is a parse error: exit 4.
			return fail(ExitParse, err)
		}
		books = append(books, b)
	}

	if o.ListHosts || o.ListTasks || o.SyntaxCheck {
		if err := listPlaybooks(stdout, o, inv, books); err != nil {
			return fail(ExitError, err)
		}
		return 0
	}

	var rep report.Reporter
	switch {
	case o.AdHoc.Module != "" && o.Output != "json":
		rep = report.NewMinimal(report.TextConfig{Out: stdout, Err: stderr, Verbosity: o.Verbosity})
	case o.Output == "json":
		rep = report.NewJSON(report.JSONConfig{Out: stdout})
	default:
		rep = report.NewText(report.TextConfig{Out: stdout, Err: stderr, Verbosity: o.Verbosity})
	}

	natsOpts, err := o.Auth.Options()
	if err != nil {
		return fail(ExitBadInput, err)
	}
	embedded := o.NATS == ""
	var b *bus.Bus
	if embedded {
		n, err := node.Start(ctx, node.Config{
			NATSOptions: natsOpts, ConfigFile: natsConfig(o.NATSConfig), Name: "jetplay-publisher",
			Bus: bus.Config{Replicas: o.Replicas}, Logger: log,
		})
		if err != nil {
			return fail(ExitError, err)
		}
		defer n.Close()
		b = n.Bus
		secrets := execute.Secrets(inv.HostVars)
		d, closeDialer, err := execute.NewDialer(o.SSH, secrets, log)
		if err != nil {
			return fail(ExitError, err)
		}
		// Executors first (they clean job directories through the pool),
		// then the pool.
		defer func() { n.Close(); closeDialer() }()
		conc := max(o.Forks, 1) * 2
		if err := n.StartExecutors(o.Executors, executor.Config{
			Pool: o.Pool, Concurrency: conc, Dialer: d, Secrets: secrets, Logger: log,
		}); err != nil {
			return fail(ExitError, err)
		}
	} else {
		var closeConn func()
		b, closeConn, err = cli.Connect(ctx, cli.ConnectConfig{
			URL: o.NATS, NATSOptions: natsOpts, Name: "jetplay-publisher",
			Bus: bus.Config{Replicas: o.Replicas}, Logger: log,
		})
		if err != nil {
			return fail(ExitError, err)
		}
		defer closeConn()
	}

	run := job.NewRunID()
	if o.Resume != "" {
		run = job.RunID(o.Resume)
		if !run.Valid() {
			return fail(ExitBadInput, fmt.Errorf("--resume %q is not a run id", o.Resume))
		}
	}
	if !embedded {
		// The jobs outlive this process: say how to pick the run up again.
		fmt.Fprintf(stderr, "jetplay run %s (resume with --resume %s)\n", run, run)
	}
	outcome, err := play.Run(ctx, play.Config{
		Bus: b, Inventory: inv, Reporter: rep, ExtraVars: extra, Limit: o.Limit,
		Forks: o.Forks, Pool: o.Pool, Verbosity: o.Verbosity, Logger: log, Check: o.Check, Diff: o.Diff,
		Run: run, Resume: o.Resume != "",
		Tags: splitTags(o.Tags), SkipTags: splitTags(o.SkipTags), StartAt: o.StartAt,
		// lookup('env') reads the controller's environment, as Ansible's does.
		Render: render.NewWithConfig(render.Config{LookupEnv: os.LookupEnv}),
	}, books...)
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "[ERROR]: User interrupted execution")
		return ExitInterrupted
	}
	if err != nil {
		return fail(ExitError, err)
	}
	return outcome.ExitCode()
}

// loadInventories merges every -i source; none means an empty inventory
// (the implicit localhost still works).
func loadInventories(specs []string) (*playbook.Inventory, error) {
	if len(specs) == 0 {
		return playbook.LoadInventory(",")
	}
	return playbook.LoadInventories(specs...)
}

// natsConfig picks the embedded server's config file: the flag, else
// ./nats.conf when it exists.
func natsConfig(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if _, err := os.Stat("nats.conf"); err == nil {
		return "nats.conf"
	}
	return ""
}

// splitTags flattens repeated, comma-separated tag flags.
func splitTags(in []string) []string {
	var out []string
	for _, s := range in {
		for _, t := range strings.Split(s, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// rolesPath is where roles are searched after roles/ beside the playbook:
// ANSIBLE_ROLES_PATH (colon-separated), else Ansible's default roles_path.
func rolesPath() []string {
	if env, ok := os.LookupEnv("ANSIBLE_ROLES_PATH"); ok {
		var out []string
		for _, d := range strings.Split(env, ":") {
			if d == "" {
				continue
			}
			if rest, ok := strings.CutPrefix(d, "~/"); ok {
				if home, err := os.UserHomeDir(); err == nil {
					d = filepath.Join(home, rest)
				}
			}
			out = append(out, d)
		}
		return out
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = "~"
	}
	return playbook.DefaultRolesPath(home)
}
