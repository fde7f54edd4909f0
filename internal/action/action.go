package action

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/module"
	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/render"
)

// Call is one execution of an action for one (task, host): one loop item or
// one until attempt. The play engine builds it once per execution.
type Call struct {
	// Task is the task being run.
	Task *playbook.Task
	// Host is the inventory name of the host the task runs for.
	Host string
	// Module is the canonical module name ("copy", not "ansible.builtin.copy").
	Module string
	// Args are the task's arguments, rendered, without those set to omit.
	// An action may change them (copy adds the source's bytes).
	Args map[string]any
	// Vars are the task's variables for this execution (loop item included).
	Vars map[string]any
	// Render renders templates with Vars.
	Render *render.Engine
	// Check, Diff and NoLog are the task's check mode, diff mode and no_log.
	Check, Diff, NoLog bool
	// Timeout is the task keyword timeout in seconds; 0 for none, for
	// async tasks and for controller actions (template's copy job runs
	// without one).
	Timeout int
	// Async and Poll are the task's async and poll keywords in seconds,
	// read for host modules only. Poll is Ansible's default (15) when the
	// task sets none or the module is a controller action.
	Async, Poll int
	// Delegate is the rendered delegate_to; "" when the task is not delegated.
	Delegate string
	// TaskFile is the file the task was read from ("" for an implicit task)
	// and BookDir the playbook's directory: FindFile's search path.
	TaskFile, BookDir string
	// Verbosity is the -v count (debug's verbosity compares with it).
	Verbosity int
	// Until reports whether the task's until holds for a result, with the
	// result registered; async_status's until (AsyncStatusUntil) checks it
	// on every status change. Nil when the task has no until or retries.
	Until func(result map[string]any) (bool, error)
	// Retries and Delay are until's budget, with Ansible's defaults (3, 5 s).
	Retries int
	Delay   time.Duration
	// Decrypt decrypts the vault data of the controller files an action
	// reads (include_vars' file, copy's and template's src), as Ansible's
	// DataLoader does; nil makes vault data fail the task with Ansible's
	// "Attempting to decrypt but no vault secrets found".
	Decrypt playbook.DecryptFunc
}

// Job returns the module job of a normal action: the Call's module and
// arguments with its async, poll, timeout, no_log, check and diff.
func (c *Call) Job() Job {
	return Job{Module: c.Module, Args: c.Args, Async: c.Async, Poll: c.Poll, Timeout: c.Timeout,
		NoLog: c.NoLog, Check: c.Check, Diff: c.Diff}
}

// FindFile resolves a relative file name as Ansible's lookups do: beside
// the task's file and in its sub directory sub (vars/, templates/, files/),
// one level up in sub (a role's), then in the playbook's directory and its
// sub directory. A name found nowhere is returned joined to the playbook's
// directory; an absolute name as it is.
func (c *Call) FindFile(name, sub string) string {
	if filepath.IsAbs(name) {
		return name
	}
	var dirs []string
	if c.TaskFile != "" {
		d := filepath.Dir(c.TaskFile)
		dirs = append(dirs, filepath.Join(d, sub), d, filepath.Join(d, "..", sub))
	}
	dirs = append(dirs, filepath.Join(c.BookDir, sub), c.BookDir)
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return filepath.Join(c.BookDir, name)
}

// Fault is what the play engine decides on besides the result dict: why an
// execution ended other than with a module's answer.
type Fault int

const (
	// None: the result is the action's answer, judged as usual.
	None Fault = iota
	// TaskError is an error Ansible's task executor raises while it
	// prepares or judges a run (templating the arguments, evaluating when
	// or until): it fails the task and, in a loop, ends the loop.
	TaskError
	// ActionFail is Ansible's AnsibleActionFail for an action refused
	// before it ran (async on an action without async support): the result
	// bypasses the task executor's result handling (no _ansible_no_log).
	ActionFail
	// Timeout: the task keyword timeout killed the command. Ansible raises
	// it past the result handling, so it too carries no _ansible_no_log.
	Timeout
)

// String names the fault.
func (f Fault) String() string {
	switch f {
	case None:
		return "none"
	case TaskError:
		return "task error"
	case ActionFail:
		return "action fail"
	case Timeout:
		return "timeout"
	}
	return "unknown"
}

// Outcome is the answer of one execution.
type Outcome struct {
	// Result is Ansible's result dict: what register sees and reporters show.
	Result map[string]any
	// Fault is None unless the execution ended as one of the Fault cases.
	Fault Fault
}

// Failed is the outcome of an action that failed with msg: failed, not
// changed, and the message.
func Failed(msg string) Outcome {
	return Outcome{Result: map[string]any{"failed": true, "changed": false, "msg": msg}}
}

// ActionFailTrace is the exception of an AnsibleActionFail raised outside
// an exception handler: Python's traceback.format_exc() with none active.
const ActionFailTrace = "NoneType: None\n"

// Refused is the outcome of an action refused before it ran (Ansible's
// AnsibleActionFail): failed with msg and an exception, Fault ActionFail.
func Refused(msg string) Outcome {
	return Outcome{Result: map[string]any{"failed": true, "changed": false, "msg": msg, "exception": ActionFailTrace},
		Fault: ActionFail}
}

// Job is one module run on the host as a job.
type Job struct {
	// Module is the module the executor runs, and Args its arguments.
	Module string
	Args   map[string]any
	// Async is the async budget in seconds (0: a synchronous job) and Poll
	// the async poll interval (0 with Async: launch and return at once).
	Async, Poll int
	// Timeout is the task keyword timeout in seconds; 0 for none.
	Timeout int
	// NoLog, Check and Diff are passed on to the module.
	NoLog, Check, Diff bool
	// Exec names one of several jobs of one Call (wait_for_connection's
	// "w1", "w2"), so each gets its own idempotency key; "" for the only one.
	Exec string
}

// Engine is what actions need of the play engine. The play engine
// implements it for one execution (the task and host of the Call).
type Engine interface {
	// Run submits j for the Call's host and waits for it: its final result
	// for a synchronous job or an async one with Poll, the launch answer
	// for an async one without. A job killed by the task keyword timeout
	// has Fault Timeout. A job that cannot be submitted is a failed result.
	Run(ctx context.Context, c *Call, j Job) Outcome
	// SetFacts stores values for host that outlive the task (set_fact).
	SetFacts(host string, facts map[string]any)
	// Status reads a job's latest status record; false when there is none.
	Status(ctx context.Context, id job.ID) (job.Status, bool, error)
	// Wait calls cond with each status of job id (found false once it is
	// gone) until cond holds or returns an error, which Wait returns, or
	// ctx ends, when it returns ctx's error.
	Wait(ctx context.Context, id job.ID, cond func(st job.Status, found bool) (bool, error)) error
	// Delete removes job id's status record, and returns once a later
	// Status no longer finds it (bounded).
	Delete(ctx context.Context, id job.ID) error
	// Retry prints Ansible's "FAILED - RETRYING" line for the Call, with
	// left retries left.
	Retry(c *Call, left int)
}

// Func runs one action.
type Func func(ctx context.Context, c *Call, e Engine) Outcome

// actions are the action plugins by canonical module name; every other
// host module runs through normal.
var actions = map[string]Func{
	"assert":                 assert,
	"async_status":           asyncStatus,
	"copy":                   copyAction,
	"debug":                  debug,
	"fail":                   fail,
	"include_vars":           includeVars,
	"pause":                  pause,
	"set_fact":               setFact,
	"template":               template,
	"validate_argument_spec": validateArgumentSpec,
	"wait_for_connection":    waitForConnection,
}

// Lookup returns the action of a module, by any of its names: its own
// action plugin, or for a host module the normal action, which checks the
// arguments and runs the module as one job. It reports false for a module
// jetplay does not know and for a controller action it does not implement
// (meta and the includes are the play engine's).
func Lookup(name string) (Func, bool) {
	info, ok := module.Lookup(name)
	if !ok {
		return nil, false
	}
	if f, ok := actions[info.Name]; ok {
		return f, true
	}
	if info.Kind == module.Host {
		return normal, true
	}
	return nil, false
}

// normal is Ansible's normal action: check the arguments, run the module.
func normal(ctx context.Context, c *Call, e Engine) Outcome {
	if err := module.CheckArgs(c.Module, c.Args); err != nil {
		return Failed(err.Error())
	}
	return e.Run(ctx, c, c.Job())
}
