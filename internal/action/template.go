package action

import (
	"context"
	"fmt"
	"os"

	"github.com/jetplay/jetplay/internal/playbook"
)

// templateSkip are template's arguments the copy module does not take:
// they were for rendering on the controller.
var templateSkip = map[string]bool{
	"src": true, "variable_start_string": true, "variable_end_string": true, "trim_blocks": true, "lstrip_blocks": true,
}

// template is Ansible's template action: src (looked up in templates/) is
// rendered on the controller with the task's variables and written on the
// host by the copy module as content.
func template(ctx context.Context, c *Call, e Engine) Outcome {
	src, ok := c.Args["src"]
	if !ok {
		return Failed("missing required arguments: src")
	}
	path := c.FindFile(fmt.Sprint(src), "templates")
	data, err := os.ReadFile(path)
	if err != nil {
		return Failed(fmt.Sprintf("Could not find or access '%s'", src))
	}
	if data, err = playbook.Unvault(c.Decrypt, path, data); err != nil {
		return Failed(err.Error())
	}
	out, err := c.Render.Native(string(data), c.Vars)
	if err != nil {
		return Failed(fmt.Sprintf("AnsibleError: template error while templating string: %v", err))
	}
	copyArgs := map[string]any{}
	for k, v := range c.Args {
		if !templateSkip[k] {
			copyArgs[k] = v
		}
	}
	copyArgs["content"] = fmt.Sprint(out)
	return e.Run(ctx, c, Job{Module: "copy", Args: copyArgs, NoLog: c.NoLog, Check: c.Check, Diff: c.Diff})
}
