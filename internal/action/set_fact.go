package action

import (
	"context"
	"maps"
	"strings"
)

// setFact is Ansible's set_fact action: every argument but cacheable
// becomes a fact of the host, the strings yes, no, true and false (any
// case) booleans.
func setFact(_ context.Context, c *Call, e Engine) Outcome {
	facts := maps.Clone(c.Args)
	delete(facts, "cacheable")
	for k, v := range facts {
		if s, ok := v.(string); ok {
			switch strings.ToLower(s) {
			case "yes", "true":
				facts[k] = true
			case "no", "false":
				facts[k] = false
			}
		}
	}
	e.SetFacts(c.Host, facts)
	return Outcome{Result: map[string]any{"changed": false, "ansible_facts": facts}}
}
