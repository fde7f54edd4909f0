package job

import (
	"fmt"
	"strings"
)

// MaxPayloadBytes bounds one payload object: the zip of a new-style module
// with its module_utils, or the file of a module of another style. The
// object store has no limit of its own per object, so producers refuse to
// store a larger one and executors refuse to fetch it.
const MaxPayloadBytes = 64 << 20

// PayloadStyle is how a shipped module runs, as ansible-core 2.14's
// module_common tells it from the module's bytes. The values are those of
// package payload's Style; PowerShell modules are not shipped.
type PayloadStyle string

// The payload styles a task may name.
const (
	// StylePython is a new-style Python module: the payload is its AnsiballZ
	// zip (the module and its module_utils), run by a per-task wrapper that
	// holds the arguments.
	StylePython PayloadStyle = "python"
	// StyleJSONArgs is a module holding <<INCLUDE_ANSIBLE_MODULE_JSON_ARGS>>:
	// the payload is the file; the arguments are written into it.
	StyleJSONArgs PayloadStyle = "jsonargs"
	// StyleWantJSON is a module holding WANT_JSON: the payload is the file;
	// the arguments go in a JSON file named by argv[1].
	StyleWantJSON PayloadStyle = "non_native_want_json"
	// StyleOld is an old-style module: the payload is the file; the
	// arguments go in a file of k=v words named by argv[1].
	StyleOld PayloadStyle = "old"
	// StyleBinary is a compiled module: the payload is the file; the
	// arguments go in a JSON file named by argv[1].
	StyleBinary PayloadStyle = "binary"
)

// Valid reports whether s is one of the styles above.
func (s PayloadStyle) Valid() bool {
	switch s {
	case StylePython, StyleJSONArgs, StyleWantJSON, StyleOld, StyleBinary:
		return true
	}
	return false
}

// PayloadRef names a module's payload in the payload object store
// (PayloadBucket): a task that carries one runs that module on the host
// rather than a native one. The store keys objects by SHA256; an executor
// checks the bytes it fetches against SHA256 and Size before it runs them.
// A ref names no job, so one object serves every task of the module.
type PayloadRef struct {
	// SHA256 is the lower-case hex SHA-256 of the payload's bytes: its
	// object name in the store (PayloadObject).
	SHA256 string `json:"sha256"`
	// Size is the payload's length in bytes, 1 to MaxPayloadBytes.
	Size int64 `json:"size"`
	// Style is how the module runs.
	Style PayloadStyle `json:"style"`
	// Name is the module's resolved name, e.g. "ansible.builtin.lineinfile",
	// "community.general.ini_file", or a library/ module's file name.
	Name string `json:"name"`
	// FQN is the Python name a StylePython module runs as, e.g.
	// "ansible_collections.community.general.plugins.modules.ini_file";
	// empty means "ansible.modules." + the last dotted part of Name.
	FQN string `json:"fqn,omitempty"`
}

// Validate checks r's fields. Errors wrap ErrBadMessage and name the field
// as it is spelt inside a task message (payload.<field>).
func (r *PayloadRef) Validate() error {
	switch {
	case !validSHA256(r.SHA256):
		return fmt.Errorf("%w: field payload.sha256 %q is not 64 lower-case hex digits", ErrBadMessage, r.SHA256)
	case r.Size <= 0:
		return fmt.Errorf("%w: field payload.size is %d, not positive", ErrBadMessage, r.Size)
	case r.Size > MaxPayloadBytes:
		return fmt.Errorf("%w: field payload.size is %d, more than %d", ErrBadMessage, r.Size, MaxPayloadBytes)
	case !r.Style.Valid():
		return fmt.Errorf("%w: field payload.style %q is not python, jsonargs, non_native_want_json, old or binary", ErrBadMessage, r.Style)
	case r.Name == "":
		return fmt.Errorf("%w: field payload.name is missing", ErrBadMessage)
	}
	return nil
}

// String names the payload for messages and logs: module, style, hash and
// size, no job.
func (r PayloadRef) String() string {
	return fmt.Sprintf("payload of module %s (%s, sha256 %s, %d bytes)", r.Name, r.Style, r.SHA256, r.Size)
}

func validSHA256(s string) bool {
	return len(s) == 64 && strings.Trim(s, "0123456789abcdef") == ""
}
