package collection

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrNotFound means no file answers to a name. Test with errors.Is; the
	// error is a *NotFoundError.
	ErrNotFound = errors.New("not found")
	// ErrRemoved means routing metadata tombstones the name. The error is a
	// *RemovedError.
	ErrRemoved = errors.New("removed")
	// ErrRedirectLoop means a chain of redirects comes back to a name it
	// has already passed. The error is a *RedirectLoopError.
	ErrRedirectLoop = errors.New("redirect loop")
	// ErrNoAnsibleCore means no ansible-core installation was found.
	ErrNoAnsibleCore = errors.New("ansible-core is not installed (install it with 'pip install ansible-core' or the distribution's ansible package)")
)

// NotFoundError says that a name could not be resolved. Its Error text is
// Ansible's message for the kind of name.
type NotFoundError struct {
	// Kind is what was looked for: "module", "module_util", "role" or
	// "playbook".
	Kind string
	// Name is the name as it was asked for.
	Name string
	// Errors are the problems met on the way, in the order met (an invalid
	// redirect, a collection whose metadata does not parse). Ansible prints
	// them as a warning, "errors were encountered during the plugin load for
	// <name>:", and goes on to the next candidate as this resolver does.
	Errors []string

	msg string
}

func (e *NotFoundError) Error() string {
	if e.msg != "" {
		return e.msg
	}
	switch e.Kind {
	case "module":
		return fmt.Sprintf("couldn't resolve module/action '%s'. This often indicates a misspelling, missing collection, or incorrect module path.", e.Name)
	case "module_util":
		return fmt.Sprintf("module_util %s not found", e.Name)
	case "role":
		return fmt.Sprintf("the role '%s' was not found", e.Name)
	case "playbook":
		return fmt.Sprintf("the playbook: %s could not be found", e.Name)
	}
	return fmt.Sprintf("%s %s not found", e.Kind, e.Name)
}

// Is reports whether target is ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// RemovedError says that routing metadata tombstones a name. Its Error text
// is Ansible's ("[DEPRECATED]: ns.coll.x has been removed. ... This feature
// was removed from ns.coll in version 2.0.0. Please update your
// playbooks.").
type RemovedError struct {
	// Name is the name the tombstone is recorded for, after any redirects.
	Name string
	// Removal holds the tombstone's fields.
	Removal Deprecation
}

func (e *RemovedError) Error() string { return e.Removal.String() }

// Is reports whether target is ErrRemoved.
func (e *RemovedError) Is(target error) bool { return target == ErrRemoved }

// RedirectLoopError says that redirects came back to a name already passed.
// Its Error text is Ansible's ("plugin redirect loop resolving x (path:
// ['x', 'y'])").
type RedirectLoopError struct {
	// Name is the name as it was asked for.
	Name string
	// Path is the names passed, the asked one first.
	Path []string
}

func (e *RedirectLoopError) Error() string {
	return fmt.Sprintf("plugin redirect loop resolving %s (path: %s)", e.Name, pyList(e.Path))
}

// Is reports whether target is ErrRedirectLoop.
func (e *RedirectLoopError) Is(target error) bool { return target == ErrRedirectLoop }

// pyList formats names as Python prints a list of str.
func pyList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = pyStr(n)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// pyStr formats s as Python's repr of a str for the plain names routing
// handles: single quotes unless s holds one and no double quote.
func pyStr(s string) string {
	quote := "'"
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		quote = `"`
	}
	var b strings.Builder
	b.WriteString(quote)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case string(r) == quote:
			b.WriteString(`\` + quote)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString(quote)
	return b.String()
}
