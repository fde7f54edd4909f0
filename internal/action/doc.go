// Package action holds Ansible's action plugins in Go: the part of a task
// that runs on the controller (debug, set_fact, assert, fail, pause,
// include_vars, validate_argument_spec, template, copy's controller side,
// async_status, wait_for_connection, fact gathering), and the "normal"
// action that runs a host module as one job.
//
// The play engine builds a Call once per execution of a task on a host (the
// task, the host, the rendered arguments, the variables, check/diff/no_log,
// timeout, async, delegate and search path), looks the action up by module
// name (Lookup) and runs it with an Engine: what an action needs of the play
// engine (run a module as a job, set facts, read, wait on or delete a job's
// status, print a RETRYING line). The answer is an Outcome: Ansible's open
// result dict, as register sees it, and a typed Fault for what the play
// engine decides on (a task error, an action failure, a task timeout).
//
// The package imports only module, render, playbook and job: it reaches
// the bus and the status watch through Engine alone.
package action
