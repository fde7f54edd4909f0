package action

import (
	"context"
	"fmt"
)

// fail is Ansible's fail action: failed with msg, by default "Failed as
// requested from task".
func fail(_ context.Context, c *Call, _ Engine) Outcome {
	msg := "Failed as requested from task"
	if m, ok := c.Args["msg"]; ok {
		msg = fmt.Sprint(m)
	}
	return Failed(msg)
}
