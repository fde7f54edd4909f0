package report

import (
	"fmt"
	"strings"
)

// NewMinimal returns the reporter of ad-hoc runs: Ansible's `minimal` stdout
// callback, one block per host result ("web1 | CHANGED | rc=0 >>" and the
// output for command-like modules, "web1 | SUCCESS => {...}" for the rest),
// no banners and no recap.
func NewMinimal(cfg TextConfig) Reporter {
	t := NewText(cfg).(*textReporter)
	return &minimalReporter{t: t}
}

type minimalReporter struct{ t *textReporter }

// noJSON are the actions whose output the minimal callback prints as text.
var noJSON = map[string]bool{"command": true, "shell": true, "raw": true}

func actionName(action string) string {
	return action[strings.LastIndex(action, ".")+1:]
}

func (m *minimalReporter) PlayStart(Play)                             {}
func (m *minimalReporter) TaskStart(Task)                             {}
func (m *minimalReporter) Item(ItemResult)                            {}
func (m *minimalReporter) AsyncPoll(_, _ string)                      {}
func (m *minimalReporter) AsyncOK(_, _ string)                        {}
func (m *minimalReporter) AsyncFailed(_, _ string)                    {}
func (m *minimalReporter) Retry(string, string, int)                  {}
func (m *minimalReporter) Included(Task, string, []string, any, bool) {}
func (m *minimalReporter) PlayEnd()                                   {}

func (m *minimalReporter) Warning(msg string) { m.t.Warning(msg) }

// Error prints "ERROR! msg" to the warnings writer.
func (m *minimalReporter) Error(msg string) { m.t.Error(msg) }

func (m *minimalReporter) NoHostsMatched(pattern string) {
	m.t.mu.Lock()
	defer m.t.mu.Unlock()
	if pattern != "" {
		m.t.warning("Could not match supplied host pattern, ignoring: " + pattern)
	}
	m.t.warning("No hosts matched, nothing to do")
}

func (m *minimalReporter) HostResult(tk Task, hr HostResult) {
	t := m.t
	t.mu.Lock()
	defer t.mu.Unlock()
	r := prepare(hr.Result, tk.Action, hr.Status)
	r["_ansible_verbose_always"] = true // the minimal callback indents every dump
	text := noJSON[actionName(tk.Action)]
	switch hr.Status {
	case Unreachable:
		t.display(t.cfg.Out, hr.Host+" | UNREACHABLE! => "+t.dump(r), colorError)
	case Failed:
		if text && r["module_stderr"] == nil {
			t.display(t.cfg.Out, commandMsg(hr.Host, r, "FAILED"), colorError)
		} else {
			t.display(t.cfg.Out, hr.Host+" | FAILED! => "+t.dump(r), colorError)
		}
	case Skipped:
		t.display(t.cfg.Out, hr.Host+" | SKIPPED", colorSkip)
	default:
		if d, ok := r["diff"]; ok && hr.Diff && truthy(d) {
			// The minimal callback's v2_on_file_diff: changed or not.
			t.display(t.cfg.Out, strings.TrimSuffix(fileDiff(d, t.cfg.Color), "\n"), "")
		}
		cleanDebug(r, tk.Action)
		state, color := "SUCCESS", colorOK
		if truthy(r["changed"]) {
			state, color = "CHANGED", colorChanged
		}
		if _, async := r["ansible_job_id"]; text && !async {
			t.display(t.cfg.Out, commandMsg(hr.Host, r, state), color)
		} else {
			t.display(t.cfg.Out, hr.Host+" | "+state+" => "+t.dump(r), color)
		}
	}
}

// commandMsg is the minimal callback's text form of a command's result.
func commandMsg(host string, r map[string]any, caption string) string {
	rc := r["rc"]
	if rc == nil {
		rc = -1
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s | %s | rc=%s >>\n", host, caption, pyStr(rc))
	for _, k := range []string{"stdout", "stderr", "msg"} {
		if s, ok := r[k].(string); ok {
			b.WriteString(s)
		}
	}
	return b.String()
}

func (m *minimalReporter) Finish(Stats) error {
	m.t.mu.Lock()
	defer m.t.mu.Unlock()
	return m.t.err
}
