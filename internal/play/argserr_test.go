package play_test

import (
	"testing"

	"github.com/jetplay/jetplay/internal/play"
	"github.com/jetplay/jetplay/internal/report"
)

// TestAsyncStatusUntilArgsError: async_status with until renders its
// arguments as every task does, so an undefined variable in them is the
// task error Ansible raises (ansible-playbook 2.14: no changed key, the
// message with the task's file and line), as it is without until.
func TestAsyncStatusUntilArgsError(t *testing.T) {
	t.Parallel()
	const inv = "h1 ansible_connection=local\n"
	const book = `- hosts: h1
  gather_facts: false
  tasks:
    - name: with until
      async_status:
        jid: "{{ nope }}"
      register: with_until
      until: with_until is finished
      retries: 1
      delay: 0
      ignore_errors: true
    - name: without until
      async_status:
        jid: "{{ nope }}"
      register: without_until
      ignore_errors: true
    - name: the same task error
      assert:
        that:
          - with_until is failed
          - with_until.changed is not defined
          - "'line 4, column 7' in with_until.msg"
          - "'line 12, column 7' in without_until.msg"
          - with_until.msg.split('\n')[0] == without_until.msg.split('\n')[0]
          - "\"'nope' is undefined. 'nope' is undefined\" in with_until.msg"
`
	o, out := runBook(t, inv, book, play.Config{})
	want := report.Stats{"h1": {OK: 3, Ignored: 2}}
	if got := o.Stats["h1"]; got == nil || *got != *want["h1"] {
		t.Errorf("recap %+v, want %+v\n%s", got, want["h1"], out)
	}
}
