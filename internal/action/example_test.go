package action

import (
	"context"
	"fmt"

	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/render"
)

// ExampleLookup runs the set_fact action for one host with an Engine that
// records the facts (fakeEngine, the tests' engine without NATS).
func ExampleLookup() {
	f, ok := Lookup("ansible.builtin.set_fact")
	if !ok {
		return
	}
	e := &fakeEngine{}
	c := &Call{
		Task: &playbook.Task{Module: "set_fact"}, Host: "web1", Module: "set_fact",
		Args: map[string]any{"ready": "yes"}, Render: render.New(),
	}
	o := f(context.Background(), c, e)
	fmt.Println(o.Fault, o.Result["changed"], e.facts["web1"]["ready"])
	// Output: none false true
}
