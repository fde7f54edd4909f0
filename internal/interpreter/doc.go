// Package interpreter runs a module payload on a host as ansible-core 2.14
// runs it, and turns the module's output into the task's result as
// Ansible's controller does. It is the host side of every module jetplay
// does not implement natively: it knows conn (how a command reaches a
// host) and nothing of NATS; the payload comes as bytes (built by package
// payload), and of Python it knows only the small probe discovery needs.
//
// # Cold path: pipelining
//
// A new-style module (AnsiballZ, or a JSONARGS module) carries its
// arguments, so it runs as one command, the interpreter reading the
// program on stdin:
//
//	/bin/sh -c '<interpreter>'          (Ansible: '<interpreter> && sleep 0')
//
// over the pooled SSH connection or the local one, with the task's
// environment, directory and become; no file is written on the host. This
// is Ansible's pipelining, which Ansible itself turns off for su and by
// default: jetplay always pipelines, su too, because conn's become
// handshake hands the password to sudo or su before the payload and keeps
// it out of the payload's input (conn/become.go). The command runs through
// the shell, as Ansible's does, so that an interpreter setting with
// arguments ("/usr/bin/env python3") works and a missing interpreter gets
// the shell's "not found", which Ansible's hint looks for.
//
// Old-style, WANT_JSON and binary modules read their arguments from a
// file, so they need files on the host, as Ansible needs them: a private
// directory under remote_tmp holds the module and its args file for the
// run and is removed after it (files.go).
//
// # The interpreter
//
// The interpreter comes from the module's interpreter line as
// _get_shebang chooses it: for "python" (every AnsiballZ payload starts
// from "#!/usr/bin/python") ansible_python_interpreter, or discovery when
// it is unset, empty or a mode (auto, auto_silent, auto_legacy,
// auto_legacy_silent); for another name ansible_<name>_interpreter when
// set; else the line as it is.
//
// Discovery is interpreter_discovery.py's (discover.go): a shell probe
// (uname, then command -v for each INTERPRETER_PYTHON_FALLBACK entry), and
// on Linux a small Python program of our own, run by the first interpreter
// found with the program on stdin, that prints platform.dist() and the
// os-release file; the distribution and version are looked up in Ansible's
// table of distribution Pythons (with its fuzzy version match), and the
// choice between that Python and the first one found, the legacy
// /usr/bin/python, and every warning are Ansible's, word for word. It runs
// without become, as Ansible's does. Its answer is cached in the Runner per
// host and settings (concurrent tasks share one probe), and reported on
// each task that does not pass the host's discovered_interpreter_python
// fact back in (Task.DiscoveredPython): the result then carries the fact
// and the warnings, as Ansible's first task on a host does. An error of
// the connection is returned rather than warned about (ansible-core warns
// and the module's run then fails the same way). A discovered interpreter
// that turns out missing is forgotten, so the next task discovers again.
//
// # Results
//
// parse.go does what _parse_returned_data and _execute_module do: the
// JSON object found among junk lines (_filter_non_json_lines, with its
// warning on trailing junk), or MODULE FAILURE with module_stdout,
// module_stderr, rc, exception when either starts with a Traceback, and
// the "you probably need to set the interpreter" hint when the shell did
// not find it; then _ansible_suppress_tmpdir_delete dropped, a results that
// is not a list renamed ansible_module_results, remove_internal_keys,
// stdout_lines and stderr_lines (job.AddLines), the discovered interpreter
// fact and discovery's warnings. Warnings Ansible prints at once rather
// than keeping in the result are Result.Display. The output cap is conn's.
// Known differences: an args file lists the arguments in sorted order
// where Ansible follows the task's; Python's json.loads takes NaN and
// Infinity, which here make a MODULE FAILURE.
package interpreter
