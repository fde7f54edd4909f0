package payload

import (
	"bytes"
	"regexp"
)

// Style is how a module is shipped and given its arguments, as
// ansible-core 2.14's _find_module_utils tells it from the file's bytes.
type Style string

// The styles, in the order Detect tries them.
const (
	// StyleBinary is a file with non-text bytes in its first 1024: sent as
	// it is, arguments in a JSON file named by argv[1].
	StyleBinary Style = "binary"
	// StylePython is a new-style Python module (it imports
	// ansible.module_utils or a collection's module_utils, or holds the old
	// #<<INCLUDE_ANSIBLE_MODULE_COMMON>> marker): run from an AnsiballZ zip
	// by the per-task wrapper, arguments inside the wrapper.
	StylePython Style = "python"
	// StylePowerShell is a Windows module. jetplay refuses it.
	StylePowerShell Style = "powershell"
	// StyleJSONArgs is a module holding <<INCLUDE_ANSIBLE_MODULE_JSON_ARGS>>:
	// the arguments are written into its source.
	StyleJSONArgs Style = "jsonargs"
	// StyleWantJSON is a module holding WANT_JSON: sent as it is (but its
	// #! line), arguments in a JSON file named by argv[1].
	StyleWantJSON Style = "non_native_want_json"
	// StyleOld is any other module: sent as it is (but its #! line),
	// arguments as k=v words in a file named by argv[1].
	StyleOld Style = "old"
)

// ArgsFile reports whether the style takes its arguments from a file
// named by argv[1].
func (s Style) ArgsFile() bool {
	return s == StyleBinary || s == StyleWantJSON || s == StyleOld
}

// The markers Ansible substitutes (module_common.py's REPLACER family).
var (
	markerCommon     = []byte("#<<INCLUDE_ANSIBLE_MODULE_COMMON>>")
	markerVersion    = []byte(`"<<ANSIBLE_VERSION>>"`)
	markerComplex    = []byte(`"<<INCLUDE_ANSIBLE_MODULE_COMPLEX_ARGS>>"`)
	markerWindows    = []byte("# POWERSHELL_COMMON")
	markerJSONArgs   = []byte("<<INCLUDE_ANSIBLE_MODULE_JSON_ARGS>>")
	markerSelinux    = []byte("<<SELINUX_SPECIAL_FILESYSTEMS>>")
	markerWantJSON   = []byte("WANT_JSON")
	commonImportLine = []byte("from ansible.module_utils.basic import *")
)

// newStylePython is ansible-core's NEW_STYLE_PYTHON_MODULE_RE: a raw-bytes
// match, comments and strings included.
var newStylePython = regexp.MustCompile(`(?:from +\.{2,} *module_utils.* +import |` +
	`from +ansible_collections\.[^.]+\.[^.]+\.plugins\.module_utils.* +import |` +
	`import +ansible_collections\.[^.]+\.[^.]+\.plugins\.module_utils.*|` +
	`from +ansible\.module_utils.* +import |` +
	`import +ansible\.module_utils\.)`)

var powerShell = regexp.MustCompile(`(?i)#Requires -Module|#Requires -Version|#AnsibleRequires -OSVersion|#AnsibleRequires -Powershell|#AnsibleRequires -CSharpUtil`)

// Detect returns the style of a module file's content.
func Detect(src []byte) Style {
	switch {
	case isBinary(src):
		return StyleBinary
	case bytes.Contains(src, markerCommon), newStylePython.Match(src):
		return StylePython
	case bytes.Contains(src, markerWindows), powerShell.Match(src):
		return StylePowerShell
	case bytes.Contains(src, markerJSONArgs):
		return StyleJSONArgs
	case bytes.Contains(src, markerWantJSON):
		return StyleWantJSON
	}
	return StyleOld
}

// isBinary is Ansible's _is_binary: a byte of the first 1024 outside
// BEL, BS, TAB, LF, FF, CR, ESC and 0x20-0xff except DEL.
func isBinary(src []byte) bool {
	if len(src) > 1024 {
		src = src[:1024]
	}
	for _, c := range src {
		switch {
		case c == 7 || c == 8 || c == 9 || c == 10 || c == 12 || c == 13 || c == 27:
		case c >= 0x20 && c != 0x7f:
		default:
			return true
		}
	}
	return false
}
