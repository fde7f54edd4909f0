package action

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/jetplay/jetplay/internal/module"
)

// validateArgumentSpec is Ansible's validate_argument_spec action: the
// provided_arguments, with the value of every task variable named in
// argument_spec over them, are checked against argument_spec.
func validateArgumentSpec(_ context.Context, c *Call, _ Engine) Outcome {
	spec, ok := c.Args["argument_spec"].(map[string]any)
	if !ok {
		return Failed(fmt.Sprintf(`"argument_spec" arg is required in args: %v`, c.Args))
	}
	provided, _ := c.Args["provided_arguments"].(map[string]any)
	provided = maps.Clone(provided)
	if provided == nil {
		provided = map[string]any{}
	}
	raw := maps.Clone(provided)
	for k := range spec {
		rv, ok := c.Vars[k]
		if !ok {
			continue
		}
		v, err := c.Render.Value(rv, c.Vars)
		if err != nil {
			return Failed(err.Error())
		}
		provided[k], raw[k] = v, rv
	}
	res := map[string]any{"changed": false}
	if ctx, ok := c.Args["validate_args_context"]; ok {
		res["validate_args_context"] = ctx
	} else {
		res["validate_args_context"] = map[string]any{}
	}
	if errs := module.ValidateArgSpec(spec, provided, raw); len(errs) > 0 {
		list := make([]any, len(errs))
		for i, m := range errs {
			list[i] = m
		}
		res["failed"], res["argument_errors"], res["argument_spec_data"] = true, list, spec
		res["msg"] = "Validation of arguments failed:\n" + strings.Join(errs, "\n")
		return Outcome{Result: res}
	}
	res["msg"] = "The arg spec validation passed"
	return Outcome{Result: res}
}
