package play

import (
	"fmt"
	"maps"

	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/report"
)

// environment renders the play's and the task's environment: the
// templates given for a whole environment first (the play's, then the
// task's, each rendering to a mapping), then the keys given one by one,
// later ones overriding earlier ones. A template that does not render to
// a mapping is skipped with Ansible's warning.
func (e *Engine) environment(pc *playCtx, t *playbook.Task, vars map[string]any) (map[string]string, error) {
	if len(pc.play.Environment) == 0 && len(t.Environment) == 0 {
		return nil, nil
	}
	var templates []any
	merged := map[string]any{}
	for _, m := range []map[string]any{pc.play.Environment, t.Environment} {
		if l, ok := m[playbook.EnvTemplates].([]any); ok {
			templates = append(templates, l...)
		}
		maps.Copy(merged, m)
	}
	delete(merged, playbook.EnvTemplates)
	env := map[string]string{}
	for _, tpl := range templates {
		v, err := e.cfg.Render.Template(fmt.Sprint(tpl), vars)
		if err != nil {
			return nil, fmt.Errorf("environment: %w", err)
		}
		m, ok := v.(map[string]any)
		if !ok {
			// Ansible skips it with a warning that shows every item.
			e.report(func(r report.Reporter) {
				r.Warning(fmt.Sprintf("could not parse environment value, skipping: %s", e.pyText(templates)))
			})
			continue
		}
		for k, x := range m {
			env[k] = e.envText(x)
		}
	}
	out, err := e.cfg.Render.Value(merged, vars)
	if err != nil {
		return nil, fmt.Errorf("environment: %w", err)
	}
	for k, v := range out.(map[string]any) {
		env[k] = e.envText(v)
	}
	return env, nil
}

// envText is an environment value as Ansible passes it: Python's str().
func (e *Engine) envText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return e.pyText(v)
}

// pyText is v as Python's str() shows it.
func (e *Engine) pyText(v any) string {
	s, err := e.cfg.Render.Native("{{ v | string }}", map[string]any{"v": v})
	if err != nil {
		return fmt.Sprint(v)
	}
	return fmt.Sprint(s)
}
