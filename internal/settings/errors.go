package settings

import "errors"

var (
	// ErrConfigFile means the configuration file cannot be read or parsed,
	// or its extension is not .cfg or .ini.
	ErrConfigFile = errors.New("invalid configuration file")
	// ErrInvalid means a setting's value has the wrong type or is not
	// among its choices.
	ErrInvalid = errors.New("invalid setting")
)

// ansibleError is an error whose text is Ansible's message; it matches
// kind, and cause when set, with errors.Is and errors.As.
type ansibleError struct {
	msg   string
	kind  error
	cause error
}

func (e *ansibleError) Error() string { return e.msg }

func (e *ansibleError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}
