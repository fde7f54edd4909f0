package play_test

import (
	"strings"
	"testing"

	"github.com/jetplay/jetplay/internal/play"
	"github.com/jetplay/jetplay/internal/report"
)

// TestNoControlMarkers: the engine's control state (which execution runs,
// a task error) travels beside the results, never in them: templates of a
// looped, retried task do not see the execution path (it was the variable
// _jetplay_exec), registered results
// and their items carry no key of its, and a task error in an item still
// ends the loop and fails the task.
func TestNoControlMarkers(t *testing.T) {
	t.Parallel()
	const inv = "h1 ansible_connection=local\n"
	const book = `- hosts: h1
  gather_facts: false
  tasks:
    - name: looped and retried
      command: "echo {{ item }} {{ _jetplay_exec | default('none') }}"
      loop: [a, b]
      register: looped
      until: looped.rc == 0
      retries: 2
      delay: 0
    - name: no engine keys
      assert:
        that:
          - looped.results | map(attribute='stdout') | list == ['a none', 'b none']
          - looped.results | map('dict2items') | flatten | map(attribute='key') | select('match', '_jetplay') | list == []
          - looped.keys() | select('match', '_jetplay') | list == []
    - name: task error ends the loop
      debug:
        msg: "{{ item.missing }}"
      loop: [{}, {}]
      register: broken
      ignore_errors: true
    - name: the error is the task's
      assert:
        that:
          - broken is failed
          - broken.results is not defined
          - broken.keys() | select('match', '_jetplay') | list == []
`
	o, out := runBook(t, inv, book, play.Config{})
	want := report.Stats{"h1": {OK: 4, Changed: 1, Ignored: 1}}
	if got := o.Stats["h1"]; got == nil || *got != *want["h1"] {
		t.Errorf("recap %+v, want %+v\n%s", got, want["h1"], out)
	}
	if strings.Count(out, "item=") != 2 {
		t.Errorf("want the two items of the first loop, none of the second\n%s", out)
	}
}
