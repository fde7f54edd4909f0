// Package settings reads Ansible's configuration as ansible-core 2.14's
// config manager does: it finds ansible.cfg, merges it with the ANSIBLE_*
// environment variables and the command line's flags, and returns one typed
// Settings in which every value records its origin.
//
// Load is pure in the sense of STYLE.md: the environment, the working
// directory and the home directory are arguments, never read from the
// process; it reads only the configuration files it looks for.
//
// # Finding the file
//
// The first of these that exists and can be read is the file:
// $ANSIBLE_CONFIG (a file, or a directory holding ansible.cfg; relative to
// the working directory), ./ansible.cfg (skipped, with Ansible's warning,
// when the working directory is world-writable), ~/.ansible.cfg and
// /etc/ansible/ansible.cfg. Only .cfg and .ini files are read.
//
// # The INI format
//
// The file is read as Python's configparser reads it with Ansible's
// arguments: sections in [brackets], [DEFAULT] seen in every section, keys
// lower-cased, "=" or ":" after the key, full-line comments starting with #
// or ; and inline comments only for a ; at the start or after white space
// (a # inside a value is part of it), values continued on lines indented
// deeper than the key, no % interpolation (Ansible reads values raw). A
// duplicate section or key, a line outside a section or without a delimiter
// is an error worded as Python's.
//
// # Precedence and types
//
// Each typed setting takes, in order of precedence, the command line
// (Overrides), its environment variables, its keys in the file, its
// default; where a setting has several variables or keys, the one listed
// last by Ansible wins. Values are typed as Ansible's ensure_type does:
// booleans by Ansible's boolean() (unknown text is false), integers by
// Python's int(), lists split on commas, paths with $VARS and ~ expanded and
// made absolute under the file's directory (a file value) or the working
// directory. An empty environment variable of an integer falls back to the
// default. The settings and their sources are base.yml's, except
// host_key_checking, timeout, pipelining and ssh_args, which follow the ssh
// connection plugin's options (what applies to an ssh connection: they add
// [ssh_connection] keys and ANSIBLE_SSH_* variables).
//
// Any other key in the file is accepted and listed by Dump, never an error.
package settings
