// Package watcher waits on jobs by watching the status bucket: a condition is
// checked on every status change of a job, so a wait ends as soon as the
// condition holds, never at the next poll. One Hub holds one watch for
// many jobs (a whole run, or a list of jids) and fans updates out to
// waiters. It reaches the bucket only through the Source it declares,
// which *bus.Bus implements.
package watcher
