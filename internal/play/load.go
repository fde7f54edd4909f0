package play

import (
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
	}
}
