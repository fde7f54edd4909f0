package report

import "time"

// Status is the outcome of a task on one host, or of one loop item.
type Status string

// The statuses Ansible's callbacks distinguish.
const (
	// OK: the task ran and changed nothing.
	OK Status = "ok"
	// Changed: the task ran and changed something.
	Changed Status = "changed"
	// Failed: the task failed; HostResult.Ignored tells whether
	// ignore_errors hid the failure.
	Failed Status = "failed"
	// Skipped: the task did not run (when was false, or every item skipped).
	Skipped Status = "skipped"
	// Unreachable: the host could not be reached.
	Unreachable Status = "unreachable"
)

// Play describes a play as it starts.
type Play struct {
	// Name is the play's name, or its hosts pattern when unnamed (Ansible
	// prints PLAY [hosts] then). An empty Name prints a bare "PLAY" banner.
	Name string
	// ID identifies the play in the JSON document ("id").
	ID string
	// Start is when the play started; zero means the time PlayStart is called.
	Start time.Time
	// Path is the play's file:line, shown in the JSON document ("path").
	Path string
	// Strategy is the play's strategy; "free" and "host_pinned" make the text
	// reporter print a task banner when the task's first result arrives
	// rather than at TaskStart, as Ansible does. Empty means linear.
	Strategy string
}

// Task describes a task as it starts.
type Task struct {
	// Name is the task's name, or its action when unnamed.
	Name string
	// Action is the module or action name as written ("command", "debug").
	Action string
	// ID identifies the task ("id" in JSON). It should be unique per task:
	// results and items are matched to their task by ID, Name, Path and
	// Action together, which is what decides when the text reporter reprints
	// a banner and which JSON entry a result joins.
	ID string
	// Start is when the task started; zero means the time TaskStart is called.
	Start time.Time
	// Path is the task's file:line ("task path:" at -vv; "path" in JSON).
	Path string
	// Handler marks a handler: the banner reads RUNNING HANDLER [name].
	Handler bool
}

// HostResult is the final result of one task on one host.
type HostResult struct {
	Host   string
	Status Status
	// Ignored reports a failure hidden by ignore_errors, or an unreachable
	// host hidden by ignore_unreachable.
	Ignored bool
	// Result is the task's result; for loops the top-level result whose
	// "results" holds the item results (that key marks a loop result).
	Result map[string]any
	// Delegated is the delegate_to host, if any: "ok: [h1 -> localhost]".
	Delegated string
	// Diff says the task runs with --diff or its diff keyword: the text
	// reporters then print the result's "diff" before its status line, as
	// Ansible's v2_on_file_diff (the default callback only for a changed
	// result; for a loop result, each changed item's). Default: false.
	Diff bool
	// End is when the result arrived; zero means the time HostResult is
	// called.
	End time.Time
}

// ItemResult is the result of one loop item on one host.
type ItemResult struct {
	Host    string
	Status  Status
	Ignored bool
	// Item is the loop item; Label is loop_control.label when set (nil
	// otherwise). The text line shows Label, else Item, as Python's str().
	Item  any
	Label any
	// Result is the item's result (with "item" and "ansible_loop_var").
	Result map[string]any
	// Delegated is the delegate_to host, if any.
	Delegated string
	// Diff says the task runs in diff mode (its diff keyword, else the
	// play's, else --diff): the text reporter prints a changed item's
	// "diff" before its line. Default: false.
	Diff bool
	// Task is the item's task; zero means the task of the last TaskStart.
	Task Task
}

// Reporter receives the engine's events. Implementations are safe for
// concurrent use; lines of different hosts interleave in arrival order.
type Reporter interface {
	PlayStart(p Play)
	TaskStart(t Task)
	// Item is printed as each loop item finishes (text: "changed: [h1] =>
	// (item=a)"); the JSON document keeps items only inside the final
	// HostResult's "results".
	Item(r ItemResult)
	// HostResult is called once per host per task, after its items. For an
	// include_tasks task the text reporter prints nothing (Included does);
	// the JSON document keeps the result.
	HostResult(t Task, r HostResult)
	// Included reports an include_tasks file loaded for hosts:
	// "included: /path/file.yml for h1, h2" (with " => (item=x)" when the
	// include loops; hasItem says so).
	Included(t Task, path string, hosts []string, item any, hasItem bool)
	// AsyncPoll reports a check that found the job still running:
	// "ASYNC POLL on h1: jid=... started=1 finished=0".
	AsyncPoll(host, jid string)
	// AsyncOK reports a poll>0 job that finished: "ASYNC OK on h1: jid=...".
	AsyncOK(host, jid string)
	// AsyncFailed reports a poll>0 job that failed or ran out of time.
	AsyncFailed(host, jid string)
	// Retry reports an unmet until condition: "FAILED - RETRYING: [h1]:
	// name (3 retries left)." host may carry a delegation ("h1 -> h2").
	Retry(host, taskName string, retriesLeft int)
	// Warning prints "[WARNING]: msg" (text: to the warnings writer, wrapped
	// at 79 columns, each distinct message once).
	Warning(msg string)
	// NoHostsMatched reports a play whose pattern matched no host: the
	// warning "Could not match supplied host pattern, ignoring: pattern"
	// (none when pattern is empty) and "skipping: no hosts matched". Call it
	// after PlayStart.
	NoHostsMatched(pattern string)
	PlayEnd()
	// Finish prints the end of the run (text: PLAY RECAP; JSON: the whole
	// document) and returns the first write error of the reporter's life.
	Finish(stats Stats) error
}
