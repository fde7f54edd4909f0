package interpreter

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/pyrepr"
)

// Style is how a module runs, named as ansible-core's module_common names
// a module's style.
type Style string

// The module styles.
const (
	// StyleNew is a payload that carries its arguments (AnsiballZ, or a
	// JSONARGS module with them written in): run by its interpreter with the
	// payload on stdin (pipelining), no file on the host.
	StyleNew Style = "new"
	// StyleOld is a module run as "<interpreter> <file> <args file>", the
	// args file holding key=value words.
	StyleOld Style = "old"
	// StyleWantJSON is a module that says WANT_JSON: as StyleOld with the
	// arguments as a JSON object.
	StyleWantJSON Style = "non_native_want_json"
	// StyleBinary is an executable run as "<file> <args file>" (JSON
	// arguments), no interpreter.
	StyleBinary Style = "binary"
)

// ParseStyle returns the Style named s, or an error wrapping ErrStyle.
func ParseStyle(s string) (Style, error) {
	switch st := Style(s); st {
	case StyleNew, StyleOld, StyleWantJSON, StyleBinary:
		return st, nil
	}
	return "", fmt.Errorf("%w %q", ErrStyle, s)
}

// AnsiballZShebang is the interpreter line ansible-core starts from for
// every new-style Python module (AnsiballZ): the "python" interpreter,
// chosen by ansible_python_interpreter or discovery.
const AnsiballZShebang = "#!/usr/bin/python"

// Defaults of Config and Task.
const (
	DefaultDiscoveryTimeout = 30 * time.Second
	DefaultRemoteTmp        = "~/.ansible/tmp"
)

// Config configures a Runner. Zero fields take the default their comment
// states.
type Config struct {
	// Logger receives the runner's debug logs (discovery's steps); default
	// a disabled logger. Payloads, arguments and passwords are never logged.
	Logger zerolog.Logger
	// DiscoveryTimeout bounds each of interpreter discovery's two commands
	// on a host (it kills them, as a task timeout does); default 30s.
	DiscoveryTimeout time.Duration
}

func (c Config) withDefaults() (Config, error) {
	if c.DiscoveryTimeout < 0 {
		return c, errors.New("interpreter config: DiscoveryTimeout must not be negative")
	}
	c.DiscoveryTimeout = cmp.Or(c.DiscoveryTimeout, DefaultDiscoveryTimeout)
	return c, nil
}

// Runner runs module payloads on hosts and keeps what interpreter
// discovery found for each host. It is safe for concurrent use; the zero
// value is not usable, call New.
type Runner struct {
	cfg Config
	log zerolog.Logger

	mu    sync.Mutex
	found map[discoveryKey]*discoveryEntry
}

// discoveryKey names one discovery: the host and what changes its answer.
type discoveryKey struct {
	host, mode, fallback, shell string
}

// discoveryEntry is one cached discovery; ready is closed once d or err
// is set.
type discoveryEntry struct {
	ready chan struct{}
	d     discovery
	err   error
}

// New returns a Runner configured by cfg.
func New(cfg Config) (*Runner, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Runner{
		cfg:   cfg,
		log:   cfg.Logger.With().Str("component", "interpreter").Logger(),
		found: map[discoveryKey]*discoveryEntry{},
	}, nil
}

// Task is one module run on one host.
type Task struct {
	// Host is the host's inventory name: discovery's cache is kept by it
	// (give the same Host only for the same machine) and its warnings name
	// it ("unknown" when empty).
	Host string
	// Module is the module's name, for Ansible's messages about it.
	Module string
	// ModulePath is the module file's path on the controller; its base
	// name names the file of an old-style, WANT_JSON or binary module on the
	// host (AnsiballZ_<name>, as Ansible does). Default: Module's last
	// dotted part.
	ModulePath string
	// Style is how the module runs; required.
	Style Style
	// Payload is the program: for StyleNew what the interpreter reads on
	// stdin (the AnsiballZ wrapper), else the module file's content;
	// required.
	Payload []byte
	// Args are the module's arguments for the args file of StyleOld,
	// StyleWantJSON and StyleBinary, with Ansible's _ansible_* internal ones
	// (the caller adds them); StyleNew payloads carry theirs and ignore it.
	// Keys are written in sorted order.
	Args map[string]any
	// Shebang is the interpreter line the module asks for: for AnsiballZ
	// payloads AnsiballZShebang (ansible-core ignores the module's own);
	// empty means the payload's first line. The interpreter is chosen from
	// it as ansible-core's _get_shebang does. Binary modules have none.
	Shebang string
	// Interpreters are the ansible_<name>_interpreter variables by name,
	// rendered. "python" is ansible_python_interpreter (INTERPRETER_PYTHON,
	// whatever set it): empty, absent, or a mode (auto, auto_silent,
	// auto_legacy, auto_legacy_silent) means discovery, default auto.
	// Other names replace the shebang's interpreter of that name.
	Interpreters map[string]string
	// DiscoveredPython is the host's discovered_interpreter_python fact,
	// when the caller has it: it is used without discovery, as Ansible does,
	// and the result then carries no fact and no discovery warning. Pass it
	// (once a result's Facts had it), or every result carries both again.
	DiscoveredPython string
	// PythonFallback is INTERPRETER_PYTHON_FALLBACK
	// (ansible_interpreter_python_fallback); nil means
	// DefaultPythonFallback.
	PythonFallback []string
	// Env is the task's environment (the environment keyword); only the
	// module's command gets it, not discovery nor file handling.
	Env map[string]string
	// Dir is the module's working directory; empty means the connection's
	// default (Ansible's local connection uses the playbook's directory).
	Dir string
	// Shell is ansible_shell_executable, which runs every command as
	// Shell -c '...'; default /bin/sh.
	Shell string
	// Become, BecomeUser, BecomeMethod and BecomePassword run the module as
	// another user (see conn.Command; the password goes first on stdin,
	// then the payload). Files of old-style, WANT_JSON and binary modules
	// are written and removed as that user too. Discovery never becomes.
	Become         bool
	BecomeUser     string
	BecomeMethod   string
	BecomePassword string
	// RemoteTmp is remote_tmp, where the private temporary directory of an
	// old-style, WANT_JSON or binary module goes; default "~/.ansible/tmp"
	// (the home of the user the files are written as). A task that becomes
	// an unprivileged user uses /var/tmp unless RemoteTmp is in /var/tmp or
	// /tmp, as Ansible does.
	RemoteTmp string
	// Timeout is the deadline of the module's command (the task timeout):
	// its process group gets TERM, then KILL after Grace (0:
	// conn.DefaultGrace); 0 means none. Result.TimedOut tells.
	Timeout, Grace time.Duration
}

// Choice is the interpreter a task runs with.
type Choice struct {
	// Shebang is the interpreter line ("#!/usr/bin/python3"), as Ansible
	// writes it into a module; "" for a binary module.
	Shebang string
	// Discovered is true when discovery chose the interpreter (now, or
	// earlier for the same host and settings): Facts and Warnings then say
	// so, as Ansible's first task on a host does.
	Discovered bool
	// Facts has discovered_interpreter_python when Discovered.
	Facts map[string]any
	// Warnings are discovery's warnings for the task's result.
	Warnings []string
	// Display are discovery's warnings Ansible prints at once instead.
	Display []string
}

// Command is the interpreter's command line (Shebang without "#!").
func (c Choice) Command() string { return strings.TrimSpace(strings.TrimPrefix(c.Shebang, "#!")) }

// Result is what a module run came to, post-processed as Ansible's
// controller does (see doc.go).
type Result struct {
	// Values is the module's result: its JSON object (with _ansible_parsed
	// true), or Ansible's MODULE FAILURE dict (failed, _ansible_parsed
	// false, module_stdout, module_stderr, exception, msg, rc), after
	// _execute_module's changes: internal keys removed, a non-list results
	// renamed ansible_module_results, stdout_lines and stderr_lines, the
	// discovered interpreter fact and discovery's warnings added. Numbers are
	// json.Number. Ansible's task-level defaults (changed, failed from rc)
	// are the caller's, as in TaskExecutor.
	Values map[string]any
	// Parsed is false when the output held no JSON object (MODULE FAILURE).
	Parsed bool
	// Facts is Values' ansible_facts (the same map), nil when it has none
	// or it is not a dict: Ansible merges it into the host's variables.
	Facts map[string]any
	// Warnings and Deprecations are Values' warnings (strings) and
	// deprecations (dicts: msg, version, date, collection_name), which
	// Ansible's callbacks print and take out of the result.
	Warnings     []string
	Deprecations []map[string]any
	// Display are the warnings Ansible prints at once rather than keeping
	// them in the result (junk after the JSON, a renamed results, a removed
	// internal key, an unhandled discovery error).
	Display []string
	// Interpreter is the choice the module ran with.
	Interpreter Choice
	// RC is the exit status of the module's command; TimedOut is true when
	// Task.Timeout killed it (Values is then what its output came to).
	RC       int
	TimedOut bool
	// Start and End bracket the module's command.
	Start, End time.Time
}

// Failed reports whether Values has failed: true.
func (r Result) Failed() bool {
	f, _ := r.Values["failed"].(bool)
	return f
}

// Forget drops what discovery found for host, so that its next task
// discovers again. Run forgets by itself when a discovered interpreter
// turns out to be missing.
func (r *Runner) Forget(host string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.found {
		if k.host == host {
			delete(r.found, k)
		}
	}
}

// Interpreter returns the interpreter t runs with, discovering it on c
// when t asks for discovery (once per host and settings: later calls,
// concurrent ones too, share the answer). A payload builder calls it to
// write the interpreter line; Run calls it again and gets the same. Errors
// are c's (the host unreachable, ctx done: nothing is cached then) and a
// *ModuleError for a module without an interpreter line.
func (r *Runner) Interpreter(ctx context.Context, c conn.Conn, t Task) (Choice, error) {
	if t.Style == StyleBinary {
		return Choice{}, nil
	}
	line := t.Shebang
	if line == "" {
		first, _, _ := strings.Cut(string(t.Payload), "\n")
		line = strings.TrimSpace(first)
	}
	if !strings.HasPrefix(line, "#!") {
		return Choice{}, noShebang(t.Module)
	}
	args, err := shlexSplit(strings.TrimSpace(line)[2:], false)
	if err != nil || len(args) == 0 {
		return Choice{}, noShebang(t.Module)
	}
	interp, rest := args[0], args[1:]
	name := strings.TrimSpace(path.Base(interp))
	out := ""
	var ch Choice
	if name == "python" {
		v := strings.TrimSpace(t.Interpreters["python"])
		if _, set := t.Interpreters["python"]; !set {
			v = ModeAuto
		}
		out = v
		if isDiscoveryMode(v) {
			if out = t.DiscoveredPython; out == "" {
				d, err := r.discovery(ctx, c, t, v)
				if err != nil {
					return Choice{}, err
				}
				out = d.interpreter
				ch.Discovered = true
				ch.Facts = map[string]any{"discovered_interpreter_python": d.interpreter}
				ch.Warnings = slices.Clone(d.warnings)
				ch.Display = slices.Clone(d.display)
			}
		}
	} else if v, ok := t.Interpreters[name]; ok {
		out = strings.TrimSpace(v)
	}
	if out == "" {
		out = interp
	}
	ch.Shebang = "#!" + out
	if len(rest) > 0 {
		ch.Shebang += " " + strings.Join(rest, " ")
	}
	return ch, nil
}

// discovery returns the cached discovery for t's host and settings,
// running it when there is none.
func (r *Runner) discovery(ctx context.Context, c conn.Conn, t Task, mode string) (discovery, error) {
	fallback := t.PythonFallback
	if fallback == nil {
		fallback = DefaultPythonFallback
	}
	key := discoveryKey{host: t.Host, mode: mode, fallback: strings.Join(fallback, "\x00"), shell: t.Shell}
	for {
		r.mu.Lock()
		e := r.found[key]
		if e == nil {
			e = &discoveryEntry{ready: make(chan struct{})}
			r.found[key] = e
			r.mu.Unlock()
			e.d, e.err = r.discover(ctx, c, t, mode, fallback)
			if e.err != nil {
				r.mu.Lock()
				if r.found[key] == e {
					delete(r.found, key)
				}
				r.mu.Unlock()
			}
			close(e.ready)
			return e.d, e.err
		}
		r.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return discovery{}, fmt.Errorf("interpreter discovery on %s: %w", t.Host, ctx.Err())
		}
		if e.err == nil {
			return e.d, nil
		}
		// The discovery we waited for failed (its host or its ctx): try
		// ours.
	}
}

func (r *Runner) discover(ctx context.Context, c conn.Conn, t Task, mode string, fallback []string) (discovery, error) {
	log := r.log.With().Str("host", t.Host).Logger()
	log.Debug().Str("mode", mode).Msg("Attempting python interpreter discovery")
	run := func(ctx context.Context, script string, stdin []byte) (conn.Result, error) {
		return c.Run(ctx, conn.Command{Script: script, Shell: t.Shell, Stdin: stdin, Timeout: r.cfg.DiscoveryTimeout})
	}
	d, err := discover(ctx, run, t.Host, mode, fallback, func(msg string) { log.Debug().Msg(msg) })
	if err != nil {
		return d, fmt.Errorf("interpreter discovery on %s: %w", t.Host, err)
	}
	log.Debug().Str("interpreter", d.interpreter).Msg("discovered python interpreter")
	return d, nil
}

// Run runs t's payload on c and post-processes its output as Ansible's
// controller does. A module that ran, whatever it printed (nothing, junk,
// a traceback) or however it failed (a missing interpreter, a non-zero
// exit, a timeout), is a Result; an error means it did not run or its
// outcome is unknown: c's errors as they are (errors.As finds
// *conn.UnreachableError and *conn.BecomeError, whose text is Ansible's
// "Incorrect sudo password"), ctx.Err() wrapped, ErrNoPayload, ErrStyle,
// and *ModuleError (a missing interpreter line, temporary files that could
// not be created) whose Msg is Ansible's.
func (r *Runner) Run(ctx context.Context, c conn.Conn, t Task) (Result, error) {
	if _, err := ParseStyle(string(t.Style)); err != nil {
		return Result{}, err
	}
	if len(t.Payload) == 0 {
		return Result{}, ErrNoPayload
	}
	ch, err := r.Interpreter(ctx, c, t)
	if err != nil {
		return Result{}, err
	}
	var res conn.Result
	if t.Style == StyleNew {
		res, err = c.Run(ctx, r.command(t, ch.Command(), t.Payload))
	} else {
		res, err = r.runFiles(ctx, c, t, ch)
	}
	if err != nil {
		return Result{}, err
	}
	out := Result{Interpreter: ch, RC: res.RC, TimedOut: res.TimedOut, Start: res.Start, End: res.End}
	out.Display = append(out.Display, ch.Display...)
	data, order, parsed := parseReturned(res, ch.Shebang, &out.Display)
	if !parsed && ch.Discovered && data["msg"] == MsgSetInterpreter {
		// The host lost the interpreter discovery found: find it again
		// next time.
		r.Forget(t.Host)
	}
	var disc *discovery
	if ch.Discovered {
		disc = &discovery{interpreter: ch.Facts["discovered_interpreter_python"].(string), warnings: ch.Warnings}
	}
	postProcess(data, order, disc, &out.Display)
	out.Values, out.Parsed = data, parsed
	out.Facts, _ = data["ansible_facts"].(map[string]any)
	if ws, ok := data["warnings"].([]any); ok {
		for _, w := range ws {
			out.Warnings = append(out.Warnings, pyrepr.Str(w))
		}
	}
	if ds, ok := data["deprecations"].([]any); ok {
		for _, d := range ds {
			if m, ok := d.(map[string]any); ok {
				out.Deprecations = append(out.Deprecations, m)
			}
		}
	}
	return out, nil
}

// command is the conn.Command that runs script (Ansible's module command
// line) for t with stdin.
func (r *Runner) command(t Task, script string, stdin []byte) conn.Command {
	return conn.Command{
		Script: script, Shell: t.Shell, Stdin: stdin, Env: t.Env, Dir: t.Dir,
		Become: t.Become, BecomeUser: t.BecomeUser, BecomeMethod: t.BecomeMethod, BecomePassword: t.BecomePassword,
		Timeout: t.Timeout, Grace: t.Grace,
	}
}
