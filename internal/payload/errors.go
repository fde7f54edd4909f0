package payload

import (
	"errors"
	"strings"
)

var (
	// ErrNotFound means a Finder has no module_util of that name; a Finder
	// wraps it.
	ErrNotFound = errors.New("module_util not found")
	// ErrMissingSupport means a module imports, at module level, a
	// module_util no candidate name finds (*MissingError).
	ErrMissingSupport = errors.New("imported module support code not found")
	// ErrPowerShell means the module is a PowerShell module, which jetplay
	// does not run.
	ErrPowerShell = errors.New("powershell modules are not supported")
	// ErrNoInterpreter means the module has no #! line, which every style
	// but binary needs (Ansible: "module (x) is missing interpreter line").
	ErrNoInterpreter = errors.New("module is missing interpreter line")
	// ErrNeedPython means a #! line names python and Task.Python is empty
	// (Ansible would run interpreter discovery first).
	ErrNeedPython = errors.New("python interpreter required")
	// ErrStyle means a call does not fit the payload's style (Wrapper of a
	// payload that is not new-style Python, Script of one that is).
	ErrStyle = errors.New("wrong payload style")
	// ErrBadZip means bytes given as a payload zip are not one.
	ErrBadZip = errors.New("invalid payload zip")
)

// MissingError is a required module_util that is nowhere: Ansible's "Could
// not find imported module support code for <module>.  Looked for
// (<candidates>)". It matches ErrMissingSupport.
type MissingError struct {
	// Module is the FQN of the module being built.
	Module string
	// Candidates are the names tried, in order.
	Candidates []string
}

func (e *MissingError) Error() string {
	q := make([]string, len(e.Candidates))
	for i, c := range e.Candidates {
		q[i] = "'" + c + "'"
	}
	return "Could not find imported module support code for " + e.Module + ".  Looked for ([" + strings.Join(q, ", ") + "])"
}

// Is makes errors.Is(err, ErrMissingSupport) true.
func (e *MissingError) Is(target error) bool { return target == ErrMissingSupport }
