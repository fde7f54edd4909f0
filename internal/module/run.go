package module

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jetplay/jetplay/internal/conn"
)

// Runner is how a module reaches its host; conn.Conn satisfies it.
type Runner interface {
	Run(ctx context.Context, c conn.Command) (conn.Result, error)
}

// Options are the per-task settings of a module run.
type Options struct {
	// Async is the job's deadline; 0 means none (a sync task). At the
	// deadline the module's command is killed (its whole process group) and
	// the result is Ansible's kill result (msg "Timeout exceeded") with
	// Result.TimedOut set.
	Async time.Duration
	// Detach runs the module's main command as a detached job that survives
	// the connection (async over SSH); JobID names it.
	Detach bool
	// JobID is the jid of a detached job.
	JobID string
	// Fresh: the detached job was never started before (its first claim);
	// see conn.Command.Fresh.
	Fresh bool
	// Started, when set, is called once the module's main command's process
	// exists on the host (see conn.Command.Started); it must not block.
	Started func(pid int)
	// Become, BecomeUser, BecomeMethod and BecomePassword run every command
	// of the module as another user (see conn.Command).
	Become         bool
	BecomeUser     string
	BecomeMethod   string
	BecomePassword string
	// Env is added to the environment of every command.
	Env map[string]string
	// Check runs the module in check mode: it reports what it would
	// change and changes nothing, as Ansible's modules do (command and
	// shell are skipped unless creates or removes decide; modules jetplay
	// cannot predict are skipped).
	Check bool
	// Diff adds the diff of what the module changes (or would change) to
	// its result's "diff" key, as Ansible's --diff.
	Diff bool
	// Output, when set, receives the main command's output as it comes
	// (live streaming); see conn.Command.Output.
	Output func(stderr bool, p []byte)
}

// Result is what a module run comes to.
type Result struct {
	// Values is the module's result in Ansible's shape: an open dict, as
	// modules return arbitrary keys and register exposes every one.
	Values map[string]any
	// TimedOut is true when the async deadline (Options.Async) killed the
	// module's main command; Values is then Ansible's kill result (msg
	// "Timeout exceeded", child_pid, and the output captured until then).
	TimedOut bool
}

// Failed reports whether the module failed: Values has failed: true.
func (r Result) Failed() bool {
	f, _ := r.Values["failed"].(bool)
	return f
}

// moduleFunc runs one host module with normalized parameters.
type moduleFunc func(ctx context.Context, h *host, p map[string]any) (map[string]any, error)

// modules maps host modules to their implementation and the parameters
// it honours beyond those with Ansible's default value; a parameter outside
// that list set to a non-default value makes the task fail rather than be
// silently ignored.
var modules = map[string]struct {
	run  moduleFunc
	uses []string
}{
	"command":  {runCommand, []string{"_raw_params", "_uses_shell", "argv", "chdir", "executable", "creates", "removes", "stdin", "stdin_add_newline", "strip_empty_ends"}},
	"shell":    {runCommand, []string{"_raw_params", "_uses_shell", "argv", "chdir", "executable", "creates", "removes", "stdin", "stdin_add_newline", "strip_empty_ends"}},
	"raw":      {runRaw, []string{"_raw_params", "executable"}},
	"ping":     {runPing, []string{"data"}},
	"wait_for": {runWaitFor, []string{"host", "timeout", "connect_timeout", "delay", "port", "path", "search_regex", "state", "sleep", "msg", "active_connection_states", "exclude_hosts"}},
	"file":     {runFile, []string{"path", "state", "mode", "follow", "recurse", "force", "src"}},
	"copy":     {runCopy, []string{"dest", "content", "_content_b64", "src", "_original_basename", "mode", "force", "follow", "checksum", "remote_src", "_dir_files", "_dir_dirs", "_src_path", "directory_mode"}},
	"stat":     {runStat, []string{"path", "follow", "get_checksum", "checksum_algorithm", "get_md5", "get_mime", "get_attributes"}},
	"get_url":  {runGetURL, []string{"url", "dest", "mode", "checksum", "force", "timeout", "validate_certs", "use_proxy", "http_agent", "decompress", "use_netrc", "unredirected_headers"}},
	"package":  {runPackage, []string{"name", "state", "use", "update_cache"}},
	"apt":      {runPackage, []string{"package", "state", "update_cache", "update_cache_retries", "update_cache_retry_max_delay", "cache_valid_time", "dpkg_options", "lock_timeout"}},
	"yum":      {runPackage, []string{"name", "state", "update_cache", "lock_timeout", "use_backend", "installroot", "install_repoquery", "install_weak_deps", "validate_certs", "sslverify", "update_only"}},
	"dnf":      {runPackage, []string{"name", "state", "update_cache", "lock_timeout", "use_backend", "installroot", "install_repoquery", "install_weak_deps", "validate_certs", "sslverify", "update_only"}},
	"service":  {runService, []string{"name", "state", "enabled", "runlevel", "arguments", "use"}},
	"systemd":  {runService, []string{"name", "state", "enabled", "daemon_reload", "scope", "no_block", "force"}},
}

// Run executes the host-side module name (any accepted spelling, see
// Lookup) with templated args on the host behind r and returns its result,
// whose Values are in Ansible's shape (for command: changed, cmd, delta,
// end, msg, rc, start, stderr, stdout, invocation, and failed when it
// failed; the stdout_lines/stderr_lines that Ansible's controller adds are
// left to the caller, see job.AddLines).
//
// A module-level failure (bad arguments, non-zero rc, a missing tool on
// the host) is a result with failed: true, not an error; so is a job killed
// at its async deadline, which also has Result.TimedOut. An error means the
// host could not be reached or the outcome is unknown: errors of r are
// returned as they are (errors.As finds *conn.UnreachableError), and so is
// ctx.Err() when ctx ends first; the Result is then zero (no Values). Run
// returns ErrUnknownModule for a name Lookup does not know and
// ErrNotHostModule for a controller action.
//
// With opt.Async > 0 the module's main command gets that deadline (and
// opt.Detach/opt.JobID); a module Ansible runs without async support
// returns a failed result with AsyncNotSupportedMsg and runs nothing.
func Run(ctx context.Context, r Runner, name string, args map[string]any, opt Options) (Result, error) {
	s, ok := lookup(name)
	if !ok {
		return Result{}, fmt.Errorf("%w: %s", ErrUnknownModule, name)
	}
	m, ok := modules[s.name]
	if s.kind != Host || !ok {
		return Result{}, fmt.Errorf("%w: %s", ErrNotHostModule, name)
	}
	if opt.Async > 0 && !s.async {
		return Result{Values: map[string]any{"failed": true, "changed": false, "msg": AsyncNotSupportedMsg}}, nil
	}
	args = freeFormCmd(s, args)
	p, err := s.normalize(name, args)
	if err != nil {
		res := map[string]any{"failed": true, "changed": false, "msg": ArgsMsg(err)}
		if s.name != "raw" {
			res["invocation"] = map[string]any{"module_args": maps.Clone(args)}
		}
		return Result{Values: res}, nil
	}
	var res map[string]any
	h := &host{r: r, opt: opt}
	if bad := unimplemented(s, p, m.uses); len(bad) > 0 {
		res = map[string]any{"failed": true, "changed": false,
			"msg": fmt.Sprintf("jetplay does not implement these parameters of the %s module: %s", s.name, strings.Join(bad, ", "))}
	} else {
		run := m.run
		if f := checkRun(s.name, opt); f != nil {
			run = f
		}
		if s.name == "copy" && p["_dir_files"] != nil {
			run = copyDir(run)
		}
		res, err = run(ctx, h, p)
		if err != nil {
			return Result{}, err
		}
	}
	if s.name != "raw" {
		delete(p, "_content_b64")
		delete(p, "_dir_files")
		delete(p, "_dir_dirs")
		delete(p, "_src_path")
		if _, ok := p["content"]; ok && s.name == "copy" {
			p["content"] = nil // Ansible never echoes content back
		}
		res["invocation"] = map[string]any{"module_args": p}
	}
	return Result{Values: res, TimedOut: h.timedOut}, nil
}

// freeFormCmd moves the cmd key of a free-form module to _raw_params, as
// Ansible's task parser does for "command: {cmd: ...}".
func freeFormCmd(s *spec, args map[string]any) map[string]any {
	c, ok := args["cmd"]
	if !s.freeForm || !ok || args["_raw_params"] != nil {
		return args
	}
	out := maps.Clone(args)
	delete(out, "cmd")
	out["_raw_params"] = c
	return out
}

// unimplemented lists the parameters set to a non-default value that the
// module's implementation does not honour.
func unimplemented(s *spec, p map[string]any, uses []string) []string {
	var bad []string
	for k, v := range p {
		if v == nil || slices.Contains(uses, k) {
			continue
		}
		if d := s.params[k].def; d != nil && fmt.Sprint(d) == fmt.Sprint(v) {
			continue
		}
		if l, ok := v.([]any); ok && len(l) == 0 {
			continue
		}
		bad = append(bad, k)
	}
	slices.Sort(bad)
	return bad
}

// host runs the commands of one module run.
type host struct {
	r   Runner
	opt Options
	// timedOut is set by killed: the module's result is the kill result.
	timedOut bool
}

// command fills in the per-task settings of c.
func (h *host) command(c conn.Command) conn.Command {
	if len(h.opt.Env) > 0 {
		c.Env = h.opt.Env
	}
	c.Become, c.BecomeUser, c.BecomeMethod, c.BecomePassword = h.opt.Become, h.opt.BecomeUser, h.opt.BecomeMethod, h.opt.BecomePassword
	return c
}

// run runs a helper command (a check, a probe) without the async deadline.
func (h *host) run(ctx context.Context, c conn.Command) (conn.Result, error) {
	return h.r.Run(ctx, h.command(c))
}

// runMain runs the module's main command, under the async deadline and
// detached when asked.
func (h *host) runMain(ctx context.Context, c conn.Command) (conn.Result, error) {
	c = h.command(c)
	c.Output, c.Started = h.opt.Output, h.opt.Started
	if h.opt.Async > 0 {
		c.Timeout, c.Detach, c.JobID, c.Fresh = h.opt.Async, h.opt.Detach, h.opt.JobID, h.opt.Fresh
	}
	start := time.Now()
	res, err := h.r.Run(ctx, c)
	if err == nil && res.Start.IsZero() {
		res.Start, res.End = start, time.Now()
	}
	return res, err
}

// script runs a POSIX sh script with positional arguments ($1...), passed
// as separate argv words so no value is ever parsed by the shell.
func (h *host) script(ctx context.Context, main bool, src string, args ...string) (conn.Result, error) {
	c := conn.Command{Argv: append([]string{"/bin/sh", "-c", src, "jetplay"}, args...)}
	if main {
		return h.runMain(ctx, c)
	}
	return h.run(ctx, c)
}

// killed is Ansible's result of a job killed at its async deadline, with
// the output captured until then; the run's Result says TimedOut.
func (h *host) killed(res conn.Result) map[string]any {
	h.timedOut = true
	return map[string]any{
		"failed": true, "changed": false, "msg": "Timeout exceeded", "child_pid": res.PID,
		"stdout": text(res.Stdout), "stderr": text(res.Stderr),
	}
}

// text turns command output into a string as Ansible decodes it (invalid
// UTF-8 replaced).
func text(b []byte) string { return strings.ToValidUTF8(string(b), "\uFFFD") }

// pyTime formats t like Python's str(datetime): local time with
// microseconds, the fraction left out when it is zero.
func pyTime(t time.Time) string {
	t = t.Local()
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("2006-01-02 15:04:05.000000")
}

// pyDelta formats d like Python's str(timedelta): "0:00:00.003456",
// "1 day, 2:03:04", "-1 day, 23:59:59.999000".
func pyDelta(d time.Duration) string {
	us := d.Microseconds()
	days := us / (86400 * 1e6)
	rem := us % (86400 * 1e6)
	if rem < 0 {
		rem += 86400 * 1e6
		days--
	}
	secs, frac := rem/1e6, rem%1e6
	s := fmt.Sprintf("%d:%02d:%02d", secs/3600, secs/60%60, secs%60)
	if frac != 0 {
		s += fmt.Sprintf(".%06d", frac)
	}
	if days != 0 {
		plural := "s"
		if days == 1 || days == -1 {
			plural = ""
		}
		s = fmt.Sprintf("%d day%s, %s", days, plural, s)
	}
	return s
}

// failed builds a failed result with msg and extra keys.
func failed(msg string, kv ...any) map[string]any {
	res := map[string]any{"failed": true, "changed": false, "msg": msg}
	for i := 0; i+1 < len(kv); i += 2 {
		res[kv[i].(string)] = kv[i+1]
	}
	return res
}

func runPing(ctx context.Context, h *host, p map[string]any) (map[string]any, error) {
	res, err := h.runMain(ctx, conn.Command{Argv: []string{"/bin/sh", "-c", ":"}})
	if err != nil {
		return nil, err
	}
	if res.TimedOut {
		return h.killed(res), nil
	}
	if res.RC != 0 {
		return failed(fmt.Sprintf("ping: the host cannot run /bin/sh (rc %d): %s", res.RC, strings.TrimSpace(text(res.Stderr)))), nil
	}
	data := pstr(p, "data")
	if data == "crash" {
		return failed("MODULE FAILURE\nSee stdout/stderr for the exact error", "rc", 1,
			"module_stdout", "", "module_stderr", "Exception: boom\n"), nil
	}
	return map[string]any{"ping": data, "changed": false}, nil
}
