package play

import (
	"testing"

	"github.com/jetplay/jetplay/internal/playbook"
)

// TestIdempotencyKey: a job's key names the task's position, the host and
// the execution path (hostRun.exec plus the job's own part), and counts
// repeats of the same combination; a task without loop or until keeps the
// spelling keys had when the path was a template variable ("<nil>").
func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	e := &Engine{cfg: Config{Run: "r1"}, occurrences: map[string]int{}}
	task := &playbook.Task{Name: "t", Pos: playbook.Pos{File: "play.yml", Line: 3}}
	top := &hostRun{e: e, t: task, host: "h1"}
	named := &playbook.Task{Name: "implicit"}
	tests := []struct {
		name string
		t    *playbook.Task
		exec string
		want string
	}{
		{"task", task, top.exec, "play|r1|play.yml:3|h1|<nil>|1"},
		{"task again", task, top.exec, "play|r1|play.yml:3|h1|<nil>|2"},
		{"loop item", task, top.sub("i0").exec, "play|r1|play.yml:3|h1|/i0|1"},
		{"attempt of an item", task, top.sub("i1").sub("a2").exec, "play|r1|play.yml:3|h1|/i1/a2|1"},
		{"job of an action", task, top.sub("a1").exec + "/w3", "play|r1|play.yml:3|h1|/a1/w3|1"},
		{"task without a position", named, "", "play|r1|name:implicit|h1|<nil>|1"},
	}
	for _, tt := range tests {
		// Not parallel: the cases count occurrences in order.
		if got := e.idempotencyKey(tt.t, "h1", tt.exec); got != tt.want {
			t.Errorf("%s: key %q, want %q", tt.name, got, tt.want)
		}
	}
	if top.exec != "" {
		t.Errorf("sub changed its parent: exec %q", top.exec)
	}
}
