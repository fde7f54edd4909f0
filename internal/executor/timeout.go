package executor

import (
	"time"

	"github.com/jetplay/jetplay/internal/job"
)

// errTaskTimeout ends a job whose task keyword timeout passed.
type errTaskTimeout struct {
	module  string
	seconds int
}

func (e errTaskTimeout) Error() string { return job.TimeoutMessage(e.module, e.seconds) }

// timeoutResult is the result Ansible records for such a task.
func timeoutResult(why errTaskTimeout) map[string]any {
	return map[string]any{"failed": true, "changed": false, "msg": why.Error()}
}

// startTaskTimeout arms the task's timeout keyword on cancel: when it passes
// the job's context ends with errTaskTimeout, which kills its command. The
// returned stop disarms it.
func startTaskTimeout(module string, seconds int, cancel func(error)) (stop func() bool) {
	if seconds <= 0 {
		return func() bool { return false }
	}
	t := time.AfterFunc(time.Duration(seconds)*time.Second, func() {
		cancel(errTaskTimeout{module: module, seconds: seconds})
	})
	return t.Stop
}
