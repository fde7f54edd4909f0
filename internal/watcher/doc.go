// Package watcher waits on jobs by watching the status bucket: a condition is
// checked on every status change of a job, so a wait ends as soon as the
// condition holds, never at the next poll. One Hub holds one KV watch for
// many jobs (a whole run, or a list of jids) and fans updates out to waiters.
package watcher
