package action

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/jetplay/jetplay/internal/playbook"
)

// includeVars is Ansible's include_vars action for one file: it loads a
// vars file (the free-form name or file, looked up by FindFile in vars/)
// into the host's facts, as set_fact does; with name, under that one
// variable.
func includeVars(_ context.Context, c *Call, e Engine) Outcome {
	name := fmt.Sprint(c.Args["_raw_params"])
	if f, ok := c.Args["file"]; ok {
		name = fmt.Sprint(f)
	}
	path := c.FindFile(name, "vars")
	vars, err := playbook.LoadVars(path)
	if err != nil {
		return Failed(err.Error())
	}
	facts := vars
	if n, ok := c.Args["name"]; ok {
		facts = map[string]any{fmt.Sprint(n): vars}
	}
	e.SetFacts(c.Host, facts)
	abs, _ := filepath.Abs(path)
	return Outcome{Result: map[string]any{"changed": false, "ansible_facts": facts, "ansible_included_var_files": []any{abs}}}
}
