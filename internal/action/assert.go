package action

import (
	"context"
	"fmt"
)

// assert is Ansible's assert action: each conditional of that (as written,
// not rendered) must hold. The result shows (_ansible_verbose_always)
// unless quiet; a failure names the first conditional that did not hold and
// fail_msg (or msg), a success success_msg.
func assert(_ context.Context, c *Call, _ Engine) Outcome {
	var that []any
	switch x := c.Task.Args["that"].(type) {
	case []any:
		that = x
	case nil:
		return Failed("missing required arguments: that")
	default:
		that = []any{x}
	}
	quiet, _ := Bool(c.Render, c.Args["quiet"], nil)
	verbose := func(r map[string]any) Outcome {
		if !quiet {
			r["_ansible_verbose_always"] = true
		}
		return Outcome{Result: r}
	}
	for _, cond := range that {
		ok, err := c.Render.Cond(cond, c.Vars)
		if err != nil {
			return Failed(fmt.Sprintf("The conditional check '%v' failed. The error was: %v", cond, err))
		}
		if !ok {
			msg := any("Assertion failed")
			if m, ok := c.Args["fail_msg"]; ok {
				msg = m
			} else if m, ok := c.Args["msg"]; ok {
				msg = m
			}
			return verbose(map[string]any{"failed": true, "changed": false, "assertion": cond, "evaluated_to": false, "msg": msg})
		}
	}
	msg := any("All assertions passed")
	if m, ok := c.Args["success_msg"]; ok {
		msg = m
	}
	return verbose(map[string]any{"changed": false, "failed": false, "msg": msg})
}
