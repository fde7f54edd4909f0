package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/parser"
)

// The library reports undefined names, attributes and items only as text.
// These patterns find them in its messages so that they can be reported with
// Ansible's phrases and recognised by the defined/undefined tests and the
// default filter.
var (
	reUndefName  = regexp.MustCompile(`Unable to evaluate name "([^"]*)"`)
	reUndefAttr  = regexp.MustCompile(`attribute '([^']*)' not found`)
	reUndefItem  = regexp.MustCompile(`item '+"?([^'"]*)"?'+ not found`)
	reUndefIndex = regexp.MustCompile(`item (-?\d+) not found`)
	reNoneAttr   = regexp.MustCompile(`Unable to evaluate [^:]*?\.?([A-Za-z_][A-Za-z0-9_]*|\[[^\]]*\]): Can't use (?:getattr|Getitem) on None`)
	reMandatory  = regexp.MustCompile(`'[^']*' is undefined|'None' has no attribute '[^']*'|Mandatory variable '[^']*' not defined\.|No (?:first|last) item, sequence was empty\.|No variable found with this name: \S+|'dict object' has no attribute '[^']*'|list object has no element \S+`)
	reFilterCall = regexp.MustCompile(`(?:unable to evaluate filter &\{<Token\[Name\] Val='([^']*)'.*?\}: )?invalid call to (filter|test|function) '([^']*)': `)
	reUndefArg   = regexp.MustCompile(`argument is undefined to access`)
)

// undefinedError is an error about an undefined value raised by this
// package's own filters (mandatory).
type undefinedError struct{ msg string }

func (e *undefinedError) Error() string { return e.msg }

func (e *undefinedError) Is(target error) bool { return target == ErrUndefined }

// Unresolved is a variable's value whose template could not be rendered
// because it uses an undefined value. Templates treat it as Ansible treats a
// lazy variable whose template is undefined: the default filter applies,
// `is defined` is false, and using it is an undefined-variable error with
// the phrase of the first error. It marshals to JSON as its Source.
type Unresolved struct {
	// Source is the value as written, to render again once more
	// variables are known (a loop item).
	Source any
	phrase string
}

// NewUnresolved returns the Unresolved value of src for err, the error from
// rendering it; ok is false when err is not about an undefined value.
func NewUnresolved(src any, err error) (u *Unresolved, ok bool) {
	msg, ok := UndefinedMessage(err)
	if !ok {
		return nil, false
	}
	return &Unresolved{Source: src, phrase: msg}, true
}

func (u *Unresolved) Error() string { return u.phrase }

func (u *Unresolved) Is(target error) bool { return target == ErrUndefined }

// MarshalJSON marshals Source.
func (u *Unresolved) MarshalJSON() ([]byte, error) { return json.Marshal(u.Source) }

// undefinedVarError is evalError's error about an undefined value met while
// rendering a template.
type undefinedVarError struct{ src, phrase string }

func (e *undefinedVarError) Error() string {
	return fmt.Sprintf("template %s: %v: %s", quote(e.src), ErrUndefined, e.phrase)
}

func (e *undefinedVarError) Is(target error) bool { return target == ErrUndefined }

// UndefinedMessage returns Ansible's message for an error about an
// undefined value from this package (`'foo' is undefined`, `'dict object'
// has no attribute 'bar'`), also when err wraps it; ok is false for any
// other error.
func UndefinedMessage(err error) (msg string, ok bool) {
	var u *undefinedVarError
	if errors.As(err, &u) {
		return u.phrase, true
	}
	return "", false
}

// undefinedPhrase returns Ansible's phrase for an undefined-value error
// message from the library, or "" when msg is about something else.
func undefinedPhrase(msg string) string {
	if m := reUndefName.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("'%s' is undefined", m[1])
	}
	if m := reUndefAttr.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("'dict object' has no attribute '%s'", m[1])
	}
	if m := reUndefItem.FindStringSubmatch(msg); m != nil {
		if _, err := strconv.Atoi(m[1]); err == nil {
			return fmt.Sprintf("list object has no element %s", m[1])
		}
		return fmt.Sprintf("'dict object' has no attribute '%s'", m[1])
	}
	if m := reUndefIndex.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("list object has no element %s", m[1])
	}
	if m := reNoneAttr.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("'None' has no attribute '%s'", strings.Trim(m[1], "[]'\""))
	}
	if m := reMandatory.FindString(msg); m != "" {
		return m
	}
	if reUndefArg.MatchString(msg) {
		return "undefined value used as a key"
	}
	return ""
}

// isUndefined reports whether v is the error value the library produces for
// an undefined name, attribute or item.
func isUndefined(v *exec.Value) bool {
	if !v.IsError() {
		return false
	}
	if err, ok := v.Interface().(error); ok && errors.Is(err, ErrUndefined) {
		return true
	}
	return undefinedPhrase(v.Error()) != ""
}

// evalError classifies an error from rendering src.
func evalError(src string, err error) error {
	var u *undefinedError
	if errors.As(err, &u) {
		return &undefinedVarError{src: src, phrase: u.msg}
	}
	msg := err.Error()
	if p := undefinedPhrase(msg); p != "" {
		return &undefinedVarError{src: src, phrase: p}
	}
	return fmt.Errorf("template %s: %w: %s", quote(src), ErrRender, cleanMessage(msg))
}

// cleanMessage keeps the useful end of the library's message: from the
// failing filter, test or function on, else without generic prefixes.
func cleanMessage(msg string) string {
	if loc := reFilterCall.FindAllStringSubmatchIndex(msg, -1); loc != nil {
		last := loc[len(loc)-1]
		kind, name := msg[last[4]:last[5]], msg[last[6]:last[7]]
		return fmt.Sprintf("%s '%s': %s", kind, name, msg[last[1]:])
	}
	for _, p := range []string{"unable to execute template: ", "Unable to render expression at line 1: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}

// syntaxMessage extracts the parser's message from a template parse error.
func syntaxMessage(err error) string {
	var se *parser.SyntaxError
	if errors.As(err, &se) {
		return se.Error()
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, "': "); i >= 0 && strings.HasPrefix(msg, "failed to parse template '") {
		return msg[i+3:]
	}
	return msg
}
