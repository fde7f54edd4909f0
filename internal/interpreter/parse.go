package interpreter

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/pyrepr"
)

// What the controller does with a module's output, as ansible-core 2.14's
// ActionBase._parse_returned_data and _execute_module do.

// text is output bytes as text, invalid UTF-8 replaced (Ansible decodes
// with errors='surrogate_then_replace').
func text(b []byte) string { return strings.ToValidUTF8(string(b), "\uFFFD") }

// pyStrip is Python's str.strip(): Unicode white space, and the
// separators \x1c-\x1f that Python counts as white space too.
func pyStrip(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f })
}

// splitLines is Python's str.splitlines().
func splitLines(s string) []string { return job.SplitLines(s, false) }

// pyJSONLoads is json.loads: one JSON value, white space around it
// allowed, anything after it an error. Numbers stay json.Number when
// numbers is set (Python keeps 1 and 1.0 apart and big integers exact).
// The two errors a probe or a module most often causes carry Python's
// text ("Expecting value: line 1 column 1 (char 0)", "Extra data: ...");
// NaN and Infinity, which Python accepts, are errors here.
func pyJSONLoads(s string, numbers bool) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	if numbers {
		dec.UseNumber()
	}
	var v any
	if err := dec.Decode(&v); err != nil {
		pos := skipJSONSpace(s, 0)
		if pos == len(s) || !strings.ContainsRune(`"{[ntfNI-0123456789`, rune(s[pos])) {
			return nil, pyJSONError("Expecting value", s, pos)
		}
		return nil, err
	}
	if pos := skipJSONSpace(s, int(dec.InputOffset())); pos < len(s) {
		return nil, pyJSONError("Extra data", s, pos)
	}
	return v, nil
}

func skipJSONSpace(s string, i int) int {
	for i < len(s) && strings.IndexByte(" \t\n\r", s[i]) >= 0 {
		i++
	}
	return i
}

// pyJSONError words a decode error at byte pos of s as Python's
// JSONDecodeError (line, column and char counted in characters).
func pyJSONError(msg, s string, pos int) error {
	before := s[:pos]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return fmt.Errorf("%s: line %d column %d (char %d)", msg, line, col, utf8.RuneCountInString(before))
}

// errNoJSON is _filter_non_json_lines' error: no line starts with "{" or
// none after it ends with "}".
var errNoJSON = errors.New("no JSON object in the output")

// filterNonJSONLines is _filter_non_json_lines(data, objects_only=True):
// the lines from the first that starts with "{" to the last that ends
// with "}" (both after stripping), joined with "\n", and the warning
// Ansible prints when non-blank lines follow.
func filterNonJSONLines(data string) (string, []string, error) {
	lines := splitLines(data)
	start := -1
	for i, l := range lines {
		if strings.HasPrefix(pyStrip(l), "{") {
			start = i
			break
		}
	}
	if start < 0 {
		return "", nil, errNoJSON
	}
	lines = lines[start:]
	junk := -1
	for off := range lines {
		if strings.HasSuffix(pyStrip(lines[len(lines)-1-off]), "}") {
			junk = off
			break
		}
	}
	if junk < 0 {
		return "", nil, errNoJSON
	}
	var warnings []string
	trailing := lines[len(lines)-junk:]
	for _, l := range trailing {
		if pyStrip(l) != "" {
			warnings = append(warnings, "Module invocation had junk after the JSON data: "+strings.Join(trailing, "\n"))
			break
		}
	}
	return strings.Join(lines[:len(lines)-junk], "\n"), warnings, nil
}

// Ansible's messages of a module that printed no JSON.
const (
	// MsgModuleFailure is the msg of a module whose output holds no JSON
	// object.
	MsgModuleFailure = "MODULE FAILURE\nSee stdout/stderr for the exact error"
	// MsgSetInterpreter is the msg when the interpreter was not found.
	MsgSetInterpreter = "The module failed to execute correctly, you probably need to set the interpreter.\nSee stdout/stderr for the exact error"
)

// parseReturned is _parse_returned_data: the module's JSON object with
// _ansible_parsed true, or Ansible's MODULE FAILURE result. used is the
// interpreter line the module ran with ("" for a binary module); display
// gets the warnings Ansible prints at once.
//
// order is the module's order of the object's keys (Go maps keep none),
// which Ansible's warnings about removed keys follow.
func parseReturned(res conn.Result, used string, display *[]string) (data map[string]any, order []string, parsed bool) {
	stdout, stderr := text(res.Stdout), text(res.Stderr)
	if filtered, warnings, err := filterNonJSONLines(stdout); err == nil {
		*display = append(*display, warnings...)
		if v, err := pyJSONLoads(filtered, true); err == nil {
			data = v.(map[string]any) // filtered starts with "{"
			data["_ansible_parsed"] = true
			return data, objectKeys(filtered), true
		}
	}
	data = map[string]any{"failed": true, "_ansible_parsed": false, "module_stdout": stdout, "module_stderr": stderr, "rc": res.RC}
	switch {
	case strings.HasPrefix(stderr, "Traceback"):
		data["exception"] = stderr
	case strings.HasPrefix(stdout, "Traceback"):
		data["exception"] = stdout
	}
	data["msg"] = MsgModuleFailure
	if used != "" && missingInterpreter(used, stdout, stderr) {
		data["msg"] = MsgSetInterpreter
	}
	return data, nil, false
}

// objectKeys returns the keys of the JSON object s in their order, each
// once (where Python's dict keeps a repeated key).
func objectKeys(s string) []string {
	dec := json.NewDecoder(strings.NewReader(s))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var keys []string
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return keys
		}
		k, _ := tok.(string)
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return keys
		}
	}
	return keys
}

// missingInterpreter reports whether the shell said the interpreter of the
// line used does not exist.
func missingInterpreter(used, stdout, stderr string) bool {
	re, err := regexp.Compile(regexp.QuoteMeta(strings.TrimLeft(used, "!#")) + `: (?:No such file or directory|not found)`)
	if err != nil {
		return false
	}
	return re.MatchString(stderr) || re.MatchString(stdout)
}

// postProcess does what _execute_module does to a parsed result: it drops
// _ansible_suppress_tmpdir_delete, renames a "results" that is not a list,
// removes internal keys (remove_internal_keys), adds stdout_lines and
// stderr_lines, then the discovered interpreter fact and discovery's
// warnings. order is the module's order of its keys (see parseReturned).
func postProcess(data map[string]any, order []string, disc *discovery, display *[]string) {
	delete(data, "_ansible_suppress_tmpdir_delete")
	if r, ok := data["results"]; ok {
		switch r.(type) {
		case []any:
		default:
			data["ansible_module_results"] = r
			delete(data, "results")
			*display = append(*display, "Found internal 'results' key in module return, renamed to 'ansible_module_results'.")
		}
	}
	removeInternalKeys(data, order, display)
	for _, k := range []string{"stdout", "stderr"} {
		v, ok := data[k]
		if _, has := data[k+"_lines"]; !ok || has {
			continue
		}
		if !pyrepr.Truthy(v) {
			data[k+"_lines"] = []any{} // Ansible: (value or '').splitlines()
		}
	}
	job.AddLines(data)
	if disc == nil {
		return
	}
	facts, _ := data["ansible_facts"].(map[string]any)
	if data["ansible_facts"] == nil {
		facts = map[string]any{}
		data["ansible_facts"] = facts
	}
	if facts != nil {
		facts["discovered_interpreter_python"] = disc.interpreter
	}
	if len(disc.warnings) > 0 {
		warnings, ok := data["warnings"].([]any)
		if ok || data["warnings"] == nil {
			for _, w := range disc.warnings {
				warnings = append(warnings, w)
			}
			data["warnings"] = warnings
		}
	}
}

// internalResultKeys is ansible-core's INTERNAL_RESULT_KEYS.
var internalResultKeys = []string{"add_host", "add_group"}

// removeInternalKeys is vars/clean.py's remove_internal_keys: every
// _ansible_ key but _ansible_parsed, add_host and add_group go (with a
// warning), so do empty warnings and deprecations, and the facts a module
// may not set (discovered_interpreter_*). Keys are visited in order, then
// those it lacks in sorted order.
func removeInternalKeys(data map[string]any, order []string, display *[]string) {
	var rest []string
	for k := range data {
		if !contains(order, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range append(slices.Clone(order), rest...) {
		if _, ok := data[k]; !ok {
			continue
		}
		if strings.HasPrefix(k, "_ansible_") && k != "_ansible_parsed" || contains(internalResultKeys, k) {
			*display = append(*display, fmt.Sprintf("Removed unexpected internal key in module return: %s = %s", k, pyrepr.Str(data[k])))
			delete(data, k)
		}
	}
	for _, k := range []string{"warnings", "deprecations"} {
		if v, ok := data[k]; ok && !pyrepr.Truthy(v) {
			delete(data, k)
		}
	}
	if facts, ok := data["ansible_facts"].(map[string]any); ok {
		for k := range facts {
			if strings.HasPrefix(k, "discovered_interpreter_") || strings.HasPrefix(k, "ansible_discovered_interpreter_") {
				delete(facts, k)
			}
		}
	}
}
