package playbook

import (
	"errors"
	"fmt"
)

var (
	// ErrSyntax means a file is not well-formed YAML (or INI).
	ErrSyntax = errors.New("syntax error")
	// ErrInvalid means a value has the wrong shape or type for its keyword.
	ErrInvalid = errors.New("invalid value")
	// ErrUnknownModule means a task names a module the resolver does not know.
	ErrUnknownModule = errors.New("unknown module")
	// ErrUnknownKeyword means a play, block, task or loop_control has a key
	// that is not one of its keywords.
	ErrUnknownKeyword = errors.New("unknown keyword")
	// ErrConflict means a task names more than one module, or two loops.
	ErrConflict = errors.New("conflicting statements")
	// ErrTemplate means Options.CheckTemplate or Options.CheckExpr rejected a value.
	ErrTemplate = errors.New("invalid template")
	// ErrUnsupported means a valid Ansible construct this package does not handle.
	ErrUnsupported = errors.New("not supported")
	// ErrRead means a playbook, task, vars or inventory file cannot be read;
	// the *fs.PathError is wrapped too.
	ErrRead = errors.New("cannot read file")
	// ErrImport means an import_playbook or import_tasks cannot be resolved at
	// load time: it imports itself, or its file name is a template.
	ErrImport = errors.New("import failed")
	// ErrRole means a role cannot be found or loaded: no such role in the
	// search path, a missing tasks_from file, a dependency loop.
	ErrRole = errors.New("role error")
	// ErrInventory means an inventory source cannot be read or parsed.
	ErrInventory = errors.New("invalid inventory")
	// ErrVault means vault data cannot be decrypted: no password was given
	// (Options.Decrypt is nil) or none of them decrypts it. The error's
	// text is Ansible's, without a position.
	ErrVault = errors.New("vault error")
	// ErrPattern means a host pattern cannot be parsed.
	ErrPattern = errors.New("invalid host pattern")
)

// Error is a load error at a position. Its text is "file:line:col: message".
// Unwrap gives the sentinel and, when there is one, the underlying error (a
// callback's error, an *fs.PathError).
type Error struct {
	Pos Pos
	Msg string
	Err error
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

func (e *Error) Unwrap() error { return e.Err }

// errorf builds an *Error of the given kind at pos.
func errorf(pos Pos, kind error, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...), Err: kind}
}

// wrapf builds an *Error of the given kind at pos that also wraps cause, whose
// text ends the message.
func wrapf(pos Pos, kind, cause error, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Pos: pos, Msg: msg + ": " + cause.Error(), Err: fmt.Errorf("%w: %w", kind, cause)}
}

// asError is errors.As for *Error.
func asError(err error, target **Error) bool { return errors.As(err, target) }
