package publish

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/jetplay/jetplay/internal/play"
	"github.com/jetplay/jetplay/internal/playbook"
)

// AdHoc is ad-hoc mode, like `ansible PATTERN -m MODULE -a ARGS -B S -P P`.
type AdHoc struct {
	Module string
	Args   string
	// Background is -B: the async deadline in seconds (0: run synchronously).
	Background int
	// Poll is -P: seconds between ASYNC POLL lines (Ansible's default 15);
	// 0 starts the job and returns its id.
	Poll int
}

// adhocPlaybook is the one-task play ad-hoc mode runs, parsed like any
// playbook so that the module's free-form and key=value arguments mean
// what they mean in a task.
func adhocPlaybook(pattern string, a AdHoc) (*playbook.Playbook, error) {
	var args any = a.Args
	if a.Args == "" {
		args = map[string]any{}
	}
	task := map[string]any{a.Module: args}
	if a.Background > 0 {
		task["async"], task["poll"] = a.Background, a.Poll
	}
	doc := []map[string]any{{
		"name": "Ansible Ad-Hoc", "hosts": pattern, "gather_facts": false,
		"tasks": []any{task},
	}}
	data, err := yaml.Marshal(doc)
	if err != nil {
		return nil, err
	}
	b, err := playbook.Parse("<ad-hoc>", data, play.ModuleOptions())
	if err != nil {
		return nil, fmt.Errorf("-m %s -a %q: %w", a.Module, a.Args, err)
	}
	return b, nil
}
