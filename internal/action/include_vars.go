package action

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jetplay/jetplay/internal/playbook"
)

// includeVars is Ansible's include_vars action for one file: it loads a
// vars file (the free-form name or file, looked up by FindFile in vars/)
// into the host's facts, as set_fact does; with name, under that one
// variable. The result of an encrypted file asks to be hidden
// (_ansible_no_log), as Ansible's does.
func includeVars(_ context.Context, c *Call, e Engine) Outcome {
	name := fmt.Sprint(c.Args["_raw_params"])
	if f, ok := c.Args["file"]; ok {
		name = fmt.Sprint(f)
	}
	path := c.FindFile(name, "vars")
	vars, err := playbook.LoadVars(path, c.Decrypt)
	if err != nil {
		return Failed(err.Error())
	}
	// Ansible hides the result of a vault-encrypted file as no_log does.
	data, err := os.ReadFile(path)
	encrypted := err == nil && playbook.IsVault(data)
	facts := vars
	if n, ok := c.Args["name"]; ok {
		facts = map[string]any{fmt.Sprint(n): vars}
	}
	e.SetFacts(c.Host, facts)
	abs, _ := filepath.Abs(path)
	res := map[string]any{"changed": false, "ansible_facts": facts, "ansible_included_var_files": []any{abs}}
	if encrypted {
		res["_ansible_no_log"] = true
	}
	return Outcome{Result: res}
}
