package play_test

import (
	"testing"

	"github.com/jetplay/jetplay/internal/play"
	"github.com/jetplay/jetplay/internal/report"
)

// TestMetaHandler: a meta task run as a handler does what the strategy's
// meta does (one implementation, applyMeta): clear_facts notified by one
// host clears the facts of every host of the play, as Ansible's
// _execute_meta does; it cleared only the notifying host's before.
// (ansible-playbook 2.14 also runs no further task on h2 after this
// handler, with a recap of ok=1 for it; a meta noop handler leaves h2
// running. jetplay does not copy that.)
func TestMetaHandler(t *testing.T) {
	t.Parallel()
	const inv = "[all_local]\nh1\nh2\n[all_local:vars]\nansible_connection=local\n"
	const book = `- hosts: all_local
  tasks:
    - name: notify on h1 only
      command: /bin/true
      when: inventory_hostname == 'h1'
      notify: clear
    - meta: flush_handlers
    - name: facts gone on every host
      assert:
        that:
          - ansible_hostname is not defined
  handlers:
    - name: clear
      meta: clear_facts
`
	o, out := runBook(t, inv, book, play.Config{})
	want := report.Stats{"h1": {OK: 3, Changed: 1}, "h2": {OK: 2, Skipped: 1}}
	for h, w := range want {
		if got := o.Stats[h]; got == nil || *got != *w {
			t.Errorf("%s: recap %+v, want %+v\n%s", h, got, w, out)
		}
	}
}
