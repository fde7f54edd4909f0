package play

import (
	"fmt"

	"github.com/jetplay/jetplay/internal/action"
	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/render"
)

// taskError is the outcome of an error Ansible's task executor raises
// while it prepares or judges a run (templating the arguments, evaluating
// when or until): failed and the message, no changed, Fault TaskError. In a
// loop it fails the whole task instead of the item (runLoop), as the
// exception leaves Ansible's item loop.
func taskError(msg string) action.Outcome {
	return action.Outcome{Result: map[string]any{"failed": true, "msg": msg}, Fault: action.TaskError}
}

// withExcerpt appends to msg the excerpt of the task's position, as Ansible
// does for errors raised with the task as their object.
func withExcerpt(msg string, t *playbook.Task) string {
	if x := t.Pos.Excerpt(); x != "" {
		return msg + "\n\n" + x
	}
	return msg
}

// undefinedText is how Ansible words an undefined-variable error from
// templating: AnsibleUndefinedVariable(e, orig_exc=e) prints the message
// twice.
func undefinedText(err error) (string, bool) {
	msg, ok := render.UndefinedMessage(err)
	if !ok {
		return "", false
	}
	return msg + ". " + msg, true
}

// condMessage is Ansible's message for a conditional (one entry of when,
// changed_when, failed_when or until) that could not be evaluated.
func condMessage(cond any, err error) string {
	text := condText(cond)
	inner := err.Error()
	if u, ok := undefinedText(err); ok {
		inner = fmt.Sprintf("error while evaluating conditional (%s): %s", text, u)
	}
	return fmt.Sprintf("The conditional check '%s' failed. The error was: %s", text, inner)
}

// argsMessage is Ansible's message for task arguments that could not be
// templated.
func argsMessage(err error) string {
	if m, ok := render.LookupMessage(err); ok {
		// A lookup that failed is reported with its own message alone.
		return m
	}
	if u, ok := undefinedText(err); ok {
		return "The task includes an option with an undefined variable. The error was: " + u
	}
	return fmt.Sprintf("The task includes an option with an undefined variable. The error was: %v", err)
}

// condEach evaluates the conditionals one after another, as Ansible does,
// and stops at the first false one. On an error it returns the message
// naming the conditional that failed.
func (e *Engine) condEach(conds []any, vars map[string]any) (bool, string) {
	for _, c := range conds {
		ok, err := e.cfg.Render.Cond(c, vars)
		if err != nil {
			return false, condMessage(c, err)
		}
		if !ok {
			return false, ""
		}
	}
	return true, ""
}
