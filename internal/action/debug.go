package action

import (
	"context"
	"errors"
	"fmt"

	"github.com/jetplay/jetplay/internal/render"
)

// debug is Ansible's debug action: msg (default "Hello world!"), or the
// value of the expression var names ("VARIABLE IS NOT DEFINED!" when it is
// undefined), skipped below its verbosity.
func debug(_ context.Context, c *Call, _ Engine) Outcome {
	if v, ok := c.Args["verbosity"]; ok {
		if n, err := Int(c.Render, v, c.Vars); err == nil && n > c.Verbosity {
			return Outcome{Result: map[string]any{"changed": false, "skipped": true, "skipped_reason": "Verbosity threshold not met."}}
		}
	}
	// var is the expression as written: the rendered argument would be
	// its value.
	if name, ok := c.Task.Args["var"]; ok {
		expr := fmt.Sprint(name)
		tpl := expr
		if !render.IsTemplate(tpl) {
			tpl = "{{ " + expr + " }}"
		}
		val, err := c.Render.Template(tpl, c.Vars)
		if errors.Is(err, render.ErrUndefined) {
			val = "VARIABLE IS NOT DEFINED!"
		} else if err != nil {
			return Failed(err.Error())
		}
		return Outcome{Result: map[string]any{"changed": false, "failed": false, expr: val, "_ansible_verbose_always": true}}
	}
	msg, ok := c.Args["msg"]
	if !ok {
		msg = "Hello world!"
	}
	return Outcome{Result: map[string]any{"changed": false, "failed": false, "msg": msg, "_ansible_verbose_always": true}}
}
