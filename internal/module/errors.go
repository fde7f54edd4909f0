package module

import "errors"

var (
	// ErrUnknownModule means a module name is not in the registry.
	ErrUnknownModule = errors.New("unknown module")
	// ErrNotHostModule means Run was asked to run a controller-side action.
	ErrNotHostModule = errors.New("not a host-side module")
	// ErrBadArgs marks an argument error from CheckArgs; its text is Ansible's.
	ErrBadArgs = errors.New("invalid module arguments")
	// ErrNoClosingQuotation is Python shlex's "No closing quotation".
	ErrNoClosingQuotation = errors.New("no closing quotation")
	// ErrNoEscapedCharacter is Python shlex's "No escaped character".
	ErrNoEscapedCharacter = errors.New("no escaped character")
)
