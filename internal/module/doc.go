// Package module is what each module means. It holds the registry of every
// module and action jetplay knows (Lookup, Names, CheckArgs, with
// ansible-core 2.14's argument specs and messages) and runs the host-side
// ones (Run) through a Runner such as a conn.Conn, returning results in
// Ansible's shape.
//
// Host modules: command, shell, raw, ping and wait_for are implemented
// closely after ansible-core 2.14; file, copy, stat, get_url, package,
// apt, dnf, yum, service and systemd are POSIX sh scripts generated here
// and run on the host, with every value passed as a separate argv word
// (never spliced into the script). They need a POSIX sh and the usual
// tools (stat -c from GNU coreutils or busybox, sha1sum, ...); a missing
// tool the module needs makes the task fail with a message naming it.
//
// Controller actions (debug, set_fact, assert, fail, async_status, pause,
// meta, include_tasks, import_tasks, wait_for_connection, setup,
// gather_facts, template) are only registered here: internal/action runs
// them (meta and the includes are the play engine's). template is rendered
// on the controller and written with copy.
//
// Conventions the play engine must follow:
//   - free-form text goes in the argument "_raw_params" (a "cmd" key of a
//     free-form module is moved there, as Ansible's parser does); k=v pairs
//     in free-form text are the engine's to parse;
//   - copy with a controller-side src: copy's action reads the file and passes
//     its bytes base64-encoded in the private argument "_content_b64"; a
//     directory src is walked into "_dir_files" ({path, b64} each, path
//     relative to dest), "_dir_dirs" and "_src_path" (see copyDir);
//   - stdout_lines/stderr_lines are added by the controller in Ansible;
//     job.AddLines does it.
package module
