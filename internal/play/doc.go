// Package play is the play engine: it runs the plays of a playbook over the
// hosts of an inventory the way ansible-playbook's linear strategy does. For
// every (task, host) whose module runs on a host it publishes one task
// message through the bus and waits for the job by KV watch; controller-side
// actions (debug, set_fact, assert, fail, async_status, pause, meta,
// include_tasks, wait_for_connection) run here. It renders templates with
// per-host variables, applies when, loop, register, until/retries/delay,
// changed_when, failed_when and ignore_errors, and tells a report.Reporter
// what happened.
package play
