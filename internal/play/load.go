package play

import (
	"errors"

	"github.com/jetplay/jetplay/internal/module"
	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/render"
)

var checker = render.New()

// ModuleOptions are the playbook loader's options: jetplay's module registry
// and load-time template checks.
func ModuleOptions() playbook.Options {
	return playbook.Options{
		Module: func(name string) (string, bool) {
			info, ok := module.Lookup(name)
			return info.Name, ok
		},
		CheckTemplate: checker.Check,
		CheckExpr:     checker.CheckExpr,
		Template:      loadTemplate,
	}
}

// loadTemplate renders a role name at load time; an undefined variable
// gives Ansible's message for it ("'x' is undefined. 'x' is undefined").
func loadTemplate(s string, vars map[string]any) (any, error) {
	v, err := checker.Template(s, vars)
	if msg, ok := render.UndefinedMessage(err); ok {
		return nil, errors.New(msg + ". " + msg)
	}
	return v, err
}
