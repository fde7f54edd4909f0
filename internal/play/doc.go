// Package play is the play engine: it runs the plays of a playbook over the
// hosts of an inventory the way ansible-playbook's strategies (linear and
// free) do. It owns batches, forks, variables, loops, blocks, includes,
// roles at run time, handlers, meta, register and until/retries/delay,
// changed_when, failed_when and ignore_errors. Each execution of a task on
// a host becomes an action.Call that internal/action runs; the engine side
// of it (hostRun, an action.Engine) publishes a host module as one task
// message through the bus and waits for the job by KV watch. It renders
// templates with per-host variables and tells a report.Reporter what
// happened.
package play
