package job

import (
	"maps"
)

// NoLogMessage replaces the content of a no_log result, as Ansible words it.
const NoLogMessage = "the output has been hidden due to the fact that 'no_log: true' was specified for this result"

// Censor is the one no_log censor: a result that shows NoLogMessage under
// "censored" and, of r, only the keys in keep that r has. Each caller names
// the keys its reader needs (the executor keeps what the play engine
// decides a task's status by; the callbacks keep what Ansible's show).
func Censor(r map[string]any, keep ...string) map[string]any {
	out := map[string]any{"censored": NoLogMessage}
	for _, k := range keep {
		if v, ok := r[k]; ok {
			out[k] = v
		}
	}
	return out
}

// SplitLines is Python's str.splitlines: lines end at \n, \r\n, \r, \v,
// \f, \x1c, \x1d, \x1e, \x85, U+2028 and U+2029; with keepEnds each line
// keeps its ending (splitlines(True)).
func SplitLines(s string, keepEnds bool) []string {
	var out []string
	start := 0
	for i, r := range s {
		switch r {
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				continue // the \n ends this line
			}
		default:
			continue
		}
		end := i + len(string(r))
		if keepEnds {
			out = append(out, s[start:end])
		} else {
			out = append(out, s[start:i])
			if r == '\n' && i > start && s[i-1] == '\r' {
				out[len(out)-1] = s[start : i-1]
			}
		}
		start = end
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// AddLines adds stdout_lines and stderr_lines to a result that has stdout
// or stderr strings and lacks them, as Ansible's controller does after a
// module returns (stdout.splitlines()).
func AddLines(res map[string]any) {
	for _, k := range []string{"stdout", "stderr"} {
		s, ok := res[k].(string)
		if _, has := res[k+"_lines"]; !ok || has {
			continue
		}
		lines := SplitLines(s, false)
		l := make([]any, len(lines))
		for i, line := range lines {
			l[i] = line
		}
		res[k+"_lines"] = l
	}
}

// ResultsFile is the results_file of a job in async answers: jetplay keeps
// no file on the host, so it names the job's status record.
func ResultsFile(id ID) string { return BucketName + "/" + string(id) }

// Result is the module result Ansible would show for a final status: the
// record's result with failed and msg for a job that did not succeed,
// unreachable, the stdout and stderr lines, and changed.
func Result(st Status) map[string]any {
	res := maps.Clone(st.Result)
	if res == nil {
		res = map[string]any{}
	}
	switch st.State {
	case Succeeded:
	case TimedOut:
		res["failed"] = true
		if _, ok := res["msg"]; !ok {
			res["msg"] = "Timeout exceeded"
		}
	default:
		res["failed"] = true
		if _, ok := res["msg"]; !ok {
			res["msg"] = st.Reason
		}
	}
	if st.Unreachable {
		res["unreachable"] = true
	}
	AddLines(res)
	if _, ok := res["changed"]; !ok {
		res["changed"] = false
	}
	return res
}

// RunningResult is async_status's answer for a job that has not finished.
func RunningResult(id ID) map[string]any {
	return map[string]any{
		"ansible_job_id": string(id), "changed": false, "failed": false, "finished": 0, "started": 1,
		"results_file": ResultsFile(id), "stdout": "", "stderr": "", "stdout_lines": []any{}, "stderr_lines": []any{},
	}
}

// AsyncStatusResult is async_status's answer for a status record: the
// running answer until the job is final, then its result with the job's
// id, finished and started, or what async_wrapper leaves after killing a
// job that timed out.
func AsyncStatusResult(st Status) map[string]any {
	if !st.State.Final() {
		return RunningResult(st.JID)
	}
	if st.State == TimedOut {
		res := map[string]any{"msg": "Timeout exceeded", "failed": true, "changed": false,
			"child_pid": st.Result["child_pid"], "ansible_job_id": string(st.JID), "finished": 1, "started": 1,
			"results_file": ResultsFile(st.JID), "stdout": "", "stderr": "", "stdout_lines": []any{}, "stderr_lines": []any{}}
		if res["child_pid"] == nil {
			res["child_pid"] = 0
		}
		return res
	}
	res := Result(st)
	res["ansible_job_id"] = string(st.JID)
	res["finished"], res["started"] = 1, 1
	res["results_file"] = ResultsFile(st.JID)
	return res
}
