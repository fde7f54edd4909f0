// Package report turns the play engine's events into what a person or a
// program reads, matching ansible-playbook 2.14: the default callback's text
// (NewText) and the json stdout callback's document (NewJSON), plus the recap
// counters (Stats) and ansible-playbook's exit code (ExitCode).
//
// The engine calls a Reporter in this order:
//
//	PlayStart → [NoHostsMatched] → (TaskStart → (AsyncPoll | AsyncOK |
//	AsyncFailed | Retry | Item)* → HostResult per host)* → PlayEnd → … → Finish
//
// Results are passed as the engine has them (the registered value is fine).
// Both reporters first clean a result the way Ansible cleans it before any
// callback sees it (TaskResult.clean_copy): top-level "failed" and "skipped"
// are dropped (the status says it), "invocation" is dropped for debug, keys
// starting with "_ansible_" are dropped except _ansible_verbose_always,
// _ansible_verbose_override, _ansible_item_label and _ansible_no_log, and a
// result with _ansible_no_log true is replaced by the "censored" message.
// Results are deep-copied; the engine may keep using its maps.
//
// Text-only conventions taken from Ansible's result keys:
//   - "_ansible_verbose_always": true prints the result (indented) even
//     without -v, as Ansible's debug and assert actions set it. When the key
//     is absent the text reporter assumes it for debug tasks that ran; an
//     assert result carries it unless the assert is quiet.
//   - "_ansible_verbose_override": true hides the result at -v (setup).
//   - "warnings" (a list of strings) and "deprecations" (a list of objects
//     with msg, version, date, collection_name) are printed to the warnings
//     writer and removed from the printed result.
//   - "exception" prints Ansible's "An exception occurred during task
//     execution..." line and is never part of the printed result.
//
// Loop items: Python's repr of a dict item keeps the dict's insertion order.
// Go maps have none, so a map[string]any item prints with its keys sorted;
// pass a Dict (or any value with Keys() []string and Get(string) (any, bool))
// to keep Ansible's order. Numbers: json.Number values print verbatim (so
// 2.0 stays 2.0); an integral float64 prints as an integer because the engine
// most likely decoded an integer from module JSON.
package report
