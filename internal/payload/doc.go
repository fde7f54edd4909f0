// Package payload builds what runs an Ansible module on a host, compatible
// with ansible-core 2.14's AnsiballZ: bytes in (the module file, and its
// module_utils through a Finder), bytes out (a zip, a per-task script).
//
// Build tells the module's style from its bytes (Detect). A new-style
// Python module gets a zip of the module and every module_utils file it
// needs, found by the rules of ansible-core's recursive_finder (closure.go
// says how) from import statements read by a small Python lexer (lex.go):
// imports at any depth, optional when nested, relative ones resolved
// against the module's FQN, six, ambiguous "from a.b import c", package
// __init__ files (empty ones where a collection has none), routing
// redirects with a shim. The zip is deterministic (members sorted, fixed
// times, Deflate) and named by the sha256 of its bytes; a Builder scans
// each file, compresses each member and zips each closure once.
//
// Per task, Payload.Wrapper renders the small Python script that carries
// the zip and the arguments (with Ansible's _ansible_* internal
// parameters) and runs the module as AnsiballZ does; pipelining sends it
// on the interpreter's stdin. Old-style, WANT_JSON, JSON-args and binary
// modules run from their own file (Payload.Script: the #! line rewritten,
// the arguments written in or in an arguments file). PowerShell modules
// are refused.
//
// Module sources come from the installed trees when a run needs them;
// nothing of Ansible's is embedded here.
package payload
