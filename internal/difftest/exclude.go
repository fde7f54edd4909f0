package difftest

// A Rule names a result key that Compare treats specially, and why. Each rule
// has a row in docs/compatibility.md; keep the two in step.
type Rule struct {
	// Key is a result key; it applies at every depth (loop items, the
	// async_result of a controller timeout, the item of an async_status
	// loop).
	Key string
	// Reason says why the value may differ.
	Reason string
}

// ValueIgnored lists keys whose presence is compared but whose value is not:
// the key must exist on both sides or on neither.
var ValueIgnored = []Rule{
	{"start", "wall-clock time the command started"},
	{"end", "wall-clock time the command ended"},
	{"delta", "how long the command ran"},
	{"ansible_job_id", "deliberate: jetplay's jid is r<run>.<seq> (a KV key that sorts by time), Ansible's is j<random>.<pid>; jids inside strings are rewritten to <jid> on both sides"},
	{"results_file", "deliberate: jetplay names the job's KV status record jetplay_status/<jid>; nothing is written under ~/.ansible_async on the host"},
	{"erased", "deliberate: async_status mode=cleanup deletes the job's KV status record and names it (jetplay_status/<jid>), not a file"},
	{"attempts", "timing: how many until runs saw the job still running depends on the machine (jetplay's wait ends on a KV watch)"},
	{"child_pid", "a process id"},
	{"invocation", "module internals: Ansible's async_status invocation carries _async_dir, which jetplay has no use for"},
	{"after_header", "deliberate: a --diff of copy content or a template: Ansible names the controller temp file it wrote the text to; jetplay keeps it in memory and says \"dynamically generated\", Ansible's words for text not from a file"},
}

// Dropped lists keys removed on both sides before comparing, so that one side
// may have them and the other not.
var Dropped = []Rule{
	{"ansible_facts.discovered_interpreter_python", "deliberate: jetplay runs no Python on the host, so it discovers no interpreter; an ansible_facts left empty is dropped too"},
}

// MetaIgnored lists keys of the play and task headers of the json document
// that are not compared.
var MetaIgnored = []Rule{
	{"id", "Ansible's ids are per-run UUIDs; jetplay's is the run id"},
	{"duration", "start and end times of the play or task"},
}

// Timing-dependent lines of the text output, removed before comparing.
var textDropped = []Rule{
	{"ASYNC POLL on", "timing: one line per check that found the job running; jetplay's wait ends when the job does"},
	{"FAILED - RETRYING:", "timing: one line per until run that found the condition false"},
}

func ruleSet(rules []Rule) map[string]bool {
	m := make(map[string]bool, len(rules))
	for _, r := range rules {
		m[r.Key] = true
	}
	return m
}

var (
	valueIgnored = ruleSet(ValueIgnored)
	metaIgnored  = ruleSet(MetaIgnored)
)
