// Package difftest compares jetplay's publisher with ansible-playbook on the
// playbooks of examples/: both run the same playbook against the same
// inventory, and the test reports every difference in the json callback's
// document (statuses, result keys, deterministic values, recap, exit code)
// and in the normalized text output.
//
// The comparison itself (Compare, NormalizeText) is pure and lives in this
// package; the test that runs both tools is difftest_test.go. Values that
// differ on purpose or with timing are listed once, in exclude.go, each with
// its reason; docs/compatibility.md mirrors that list.
//
// The test needs ansible-playbook on PATH. Without it the test is skipped,
// unless the environment variable CI is set, in which case it fails.
package difftest
