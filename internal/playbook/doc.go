// Package playbook turns playbook and inventory files into typed Go values.
// It is the only package that knows the file formats: Ansible-style YAML
// playbooks and task files, INI and YAML inventories with group_vars/ and
// host_vars/, and comma-separated host lists as given to -i.
//
// Every load error is an *Error whose message begins with the position
// "file:line:col:" of the offending value, and which wraps one of the
// sentinels in errors.go so callers can test it with errors.Is.
//
// The package never renders templates. Strings stay as written so that the
// engine can render them later with per-host variables; Options.CheckTemplate
// and Options.CheckExpr let the caller reject broken templates at load time.
//
// YAML is read with YAML 1.1 scalars, as Ansible does: yes/no/on/off are
// booleans, and dates stay strings.
package playbook
