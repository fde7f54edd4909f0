package report

import (
	"strings"

	"github.com/jetplay/jetplay/internal/job"
)

// Keys kept by Ansible's cleaning because callbacks need them.
var cleanExceptions = map[string]bool{
	"_ansible_verbose_always":   true,
	"_ansible_item_label":       true,
	"_ansible_no_log":           true,
	"_ansible_verbose_override": true,
}

// Keys of _ansible_delegated_vars that survive cleaning.
var delegatedVarsKept = []string{"ansible_host", "ansible_port", "ansible_user", "ansible_connection"}

// isAction reports whether action is one of names, bare or as
// ansible.builtin.X / ansible.legacy.X.
func isAction(action string, names ...string) bool {
	action = strings.TrimPrefix(strings.TrimPrefix(action, "ansible.builtin."), "ansible.legacy.")
	for _, n := range names {
		if action == n {
			return true
		}
	}
	return false
}

// cleanCopy returns the result a callback sees (TaskResult.clean_copy): a
// deep copy without top-level failed and skipped (and invocation for debug),
// with internal keys stripped at every level except cleanExceptions, or the
// censored message when _ansible_no_log is true.
func cleanCopy(r map[string]any, action string) map[string]any {
	if truthy(r["_ansible_no_log"]) {
		out := job.Censor(r, "attempts", "changed", "retries")
		for k, v := range out {
			out[k] = normalize(v)
		}
		return out
	}
	out := copyResult(r)
	delete(out, "failed")
	delete(out, "skipped")
	if isAction(action, "debug") {
		delete(out, "invocation")
	}
	var sub map[string]any
	if dv, ok := out["_ansible_delegated_vars"].(map[string]any); ok {
		sub = map[string]any{}
		for _, k := range delegatedVarsKept {
			if v, ok := dv[k]; ok {
				sub[k] = v
			}
		}
	}
	stripInternal(out, cleanExceptions)
	if sub != nil {
		out["_ansible_delegated_vars"] = sub
	}
	return out
}

// stripInternal removes keys starting with "_ansible_" from v at every level,
// except those in keep.
func stripInternal(v any, keep map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if strings.HasPrefix(k, "_ansible_") && !keep[k] {
				delete(x, k)
				continue
			}
			stripInternal(e, keep)
		}
	case []any:
		for _, e := range x {
			stripInternal(e, keep)
		}
	case Dict:
		for _, kv := range x {
			stripInternal(kv.Value, keep)
		}
	}
}

// Keys the default callback keeps in a debug result that has msg.
var debugAllowed = map[string]bool{"msg": true, "exception": true, "warnings": true, "deprecations": true}

// cleanDebug is the default callback's _clean_results: a debug result shows
// only its msg, or only its variable.
func cleanDebug(r map[string]any, action string) {
	if !isAction(action, "debug") {
		return
	}
	if _, ok := r["msg"]; ok {
		for k := range r {
			if !debugAllowed[k] && !strings.HasPrefix(k, "_") {
				delete(r, k)
			}
		}
		return
	}
	for _, k := range []string{"changed", "failed", "skipped", "invocation", "skip_reason"} {
		delete(r, k)
	}
}
