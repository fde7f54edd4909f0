package render

import (
	"errors"
	"fmt"
	"maps"
	"os"
	osexec "os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/nikolalohinski/gonja/v2/exec"

	"github.com/jetplay/jetplay/internal/pyrepr"
)

// ansibleGlobals are the functions and names added to every template:
// lookup, query/q (whose env lookup reads cfg.LookupEnv), a list-building
// range and the lowercase none.
func ansibleGlobals(cfg Config) map[string]any {
	return map[string]any{
		"lookup": func(e *exec.Evaluator, p *exec.VarArgs) *exec.Value { return callLookup(e, cfg, p, false) },
		"query":  func(e *exec.Evaluator, p *exec.VarArgs) *exec.Value { return callLookup(e, cfg, p, true) },
		"q":      func(e *exec.Evaluator, p *exec.VarArgs) *exec.Value { return callLookup(e, cfg, p, true) },
		"range":  rangeFunc,
		"dict":   dictFunc,
		"none":   nil,
	}
}

// callLookup runs lookup(name, terms..., wantlist=False, errors='strict',
// default=...) or query(...). Supported: env, file, vars, list/items, pipe
// and template.
func callLookup(e *exec.Evaluator, cfg Config, p *exec.VarArgs, wantList bool) *exec.Value {
	a, bad := nativeArgs(p)
	if bad != nil {
		return bad
	}
	if len(a.pos) == 0 {
		return exec.AsValue(errors.New("lookup: plugin name is required"))
	}
	name, terms := pyrepr.Str(a.pos[0]), a.pos[1:]
	if a.bool(-1, "wantlist", false) {
		wantList = true
	}
	out, err := runLookup(e, cfg, name, terms, a)
	var le *lookupError
	if errors.As(err, &le) {
		if le.plugin != "" {
			// A lookup failed inside this one (a template's).
			le = &lookupError{msg: le.Error()}
		}
		le.plugin = name
	}
	if err != nil {
		switch a.str(-1, "errors", "strict") {
		case "ignore", "warn":
			if wantList {
				return exec.AsValue([]any{})
			}
			return exec.AsValue(nil)
		}
		if le != nil {
			if s := scopeOf(e); s != nil {
				s.failed = le
			}
			return exec.AsValue(le)
		}
		return exec.AsValue(fmt.Errorf("lookup %s: %w", name, err))
	}
	if wantList {
		for i, v := range out {
			out[i] = plainText(v)
		}
		return exec.AsValue(out)
	}
	if len(out) == 1 {
		return exec.AsValue(out[0])
	}
	// Ansible joins the values with commas; when one is no text (or there
	// are none) the join fails and the list is the value.
	parts := make([]string, 0, len(out))
	for _, v := range out {
		s, ok := plainText(v).(string)
		if !ok {
			break
		}
		parts = append(parts, s)
	}
	if len(out) == 0 || len(parts) < len(out) {
		for i, v := range out {
			out[i] = plainText(v)
		}
		return exec.AsValue(out)
	}
	if _, ok := out[0].(nativeText); ok {
		return exec.AsValue(nativeText(strings.Join(parts, ",")))
	}
	return exec.AsValue(strings.Join(parts, ","))
}

func runLookup(e *exec.Evaluator, cfg Config, name string, terms []any, a args) ([]any, error) {
	out := make([]any, 0, len(terms))
	switch name {
	case "env", "ansible.builtin.env":
		for _, t := range terms {
			v, ok := cfg.LookupEnv(pyrepr.Str(t))
			if !ok {
				out = append(out, a.get(-1, "default", ""))
				continue
			}
			out = append(out, v)
		}
	case "file", "ansible.builtin.file":
		for _, t := range terms {
			b, err := os.ReadFile(searchFile(e, "files", pyrepr.Str(t)))
			if err != nil {
				return nil, &lookupError{msg: "could not locate file in lookup: " + pyrepr.Str(t)}
			}
			s := string(b)
			if a.bool(-1, "rstrip", true) {
				s = strings.TrimRight(s, " \t\r\n")
			}
			if a.bool(-1, "lstrip", false) {
				s = strings.TrimLeft(s, " \t\r\n")
			}
			out = append(out, s)
		}
	case "vars", "ansible.builtin.vars":
		for _, t := range terms {
			v, ok := e.Environment.Context.Get(pyrepr.Str(t))
			if !ok {
				def, has := a.kw["default"]
				if !has {
					return nil, &undefinedError{msg: fmt.Sprintf("No variable found with this name: %s", pyrepr.Str(t))}
				}
				v = def
			}
			out = append(out, native(v))
		}
	case "list", "items", "ansible.builtin.list", "ansible.builtin.items":
		for _, t := range terms {
			if l, ok := t.([]any); ok && name != "list" && name != "ansible.builtin.list" {
				out = append(out, l...)
				continue
			}
			out = append(out, t)
		}
	case "pipe", "ansible.builtin.pipe":
		for _, t := range terms {
			s, err := pipe(e, pyrepr.Str(t))
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	case "template", "ansible.builtin.template":
		for _, t := range terms {
			v, err := lookupTemplate(e, pyrepr.Str(t), a)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	default:
		return nil, fmt.Errorf("lookup plugin %q is not supported", name)
	}
	return out, nil
}

// lookupError is a lookup's own failure (Ansible's AnsibleError inside the
// plugin): its message says so as Ansible's templar does.
type lookupError struct {
	plugin string // the lookup's name as called, set by callLookup
	msg    string // the plugin's message
}

func (e *lookupError) Error() string {
	// AnsibleError(msg, orig_exc=e) appends the original message again.
	return fmt.Sprintf("An unhandled exception occurred while running the lookup plugin '%s'. "+
		"Error was a <class 'ansible.errors.AnsibleError'>, original message: %s. %s", e.plugin, e.msg, e.msg)
}

// LookupMessage returns Ansible's message for a lookup that failed while a
// template was rendered ("An unhandled exception occurred while running the
// lookup plugin 'pipe'. ..."), also when err wraps it; ok is false for any
// other error.
func LookupMessage(err error) (msg string, ok bool) {
	var le *lookupError
	if errors.As(err, &le) {
		return le.Error(), true
	}
	return "", false
}

// lookupKey names the context entry that gives lookups the Engine and the
// variables the template was rendered with (not Jinja's local names). It is
// no identifier, so templates cannot reach it.
const lookupKey = "\x00lookup"

// lookupScope is what lookupKey holds.
type lookupScope struct {
	engine *Engine
	vars   map[string]any
	// failed is the lookup error that ended the rendering, if one did:
	// the library's errors do not wrap it.
	failed *lookupError
}

func scopeOf(e *exec.Evaluator) *lookupScope { return contextScope(e.Environment.Context) }

func contextScope(ctx *exec.Context) *lookupScope {
	v, _ := ctx.Get(lookupKey)
	s, _ := v.(*lookupScope)
	return s
}

// renderError is evalError, except that the error of a lookup that failed
// while env rendered src is returned (wrapped) for LookupMessage to find.
func renderError(src string, env *exec.Environment, err error) error {
	if s := contextScope(env.Context); s != nil && s.failed != nil {
		return fmt.Errorf("template %s: %w: %w", quote(src), ErrRender, s.failed)
	}
	return evalError(src, err)
}

// pipe is Ansible's pipe lookup: cmd runs on the controller through
// /bin/sh -c in the playbook's directory, with stdin empty and stderr
// passed through; its stdout is returned without trailing white space. A
// non-zero exit status (minus the signal for a killed command) is an error.
func pipe(e *exec.Evaluator, cmd string) (string, error) {
	c := osexec.Command("/bin/sh", "-c", cmd)
	if s := scopeOf(e); s != nil {
		if dir, ok := s.vars["playbook_dir"].(string); ok {
			c.Dir = dir
		}
	}
	c.Stderr = os.Stderr
	out, err := c.Output()
	var exit *osexec.ExitError
	switch {
	case errors.As(err, &exit):
		rc := exit.ExitCode()
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			rc = -int(ws.Signal())
		}
		return "", &lookupError{msg: fmt.Sprintf("lookup_plugin.pipe(%s) returned %d", cmd, rc)}
	case err != nil:
		return "", &lookupError{msg: fmt.Sprintf("lookup_plugin.pipe(%s): %v", cmd, err)}
	}
	return strings.TrimRightFunc(string(out), pySpace), nil
}

// pySpace is Python's str.isspace for one character.
func pySpace(r rune) bool { return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f }

// lookupTemplate is Ansible's template lookup: the file is looked up as the
// template module's src is (templates/ in the search path first), rendered
// with the template's variables plus template_path, template_fullpath,
// template_host, template_uid, template_mtime, template_run_date,
// template_destpath and ansible_managed, plus the template_vars option; as
// a template file (Python's escapes in string literals, trailing newlines
// kept). convert_data (default true) gives a one-expression result
// Ansible's types; false keeps the text as it is.
func lookupTemplate(e *exec.Evaluator, name string, a args) (any, error) {
	for _, k := range []string{"variable_start_string", "variable_end_string", "comment_start_string", "comment_end_string"} {
		if _, ok := a.kw[k]; ok {
			return nil, fmt.Errorf("option %s is not supported", k)
		}
	}
	s := scopeOf(e)
	if s == nil {
		return nil, errors.New("no variables to render with")
	}
	path := searchFile(e, "templates", name)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &lookupError{msg: fmt.Sprintf("the template file %s could not be found for the lookup", name)}
	}
	vars := maps.Clone(s.vars)
	maps.Copy(vars, templateVars(name, path))
	if tv, ok := a.kw["template_vars"]; ok {
		m, ok := tv.(map[string]any)
		if !ok {
			return nil, errors.New("template_vars must be a dict")
		}
		maps.Copy(vars, m)
	}
	return s.engine.templateFile(string(data), vars, a.bool(-1, "convert_data", true))
}

// templateVars are the variables Ansible adds for a template file
// (generate_ansible_template_vars): times as Python prints a datetime.
func templateVars(name, path string) map[string]any {
	full, _ := filepath.Abs(path)
	host, _ := os.Hostname()
	vars := map[string]any{
		"template_host": host, "template_path": name, "template_fullpath": full,
		"template_destpath": nil, "template_run_date": pyDatetime(time.Now()),
		"ansible_managed": "Ansible managed",
	}
	if st, err := os.Stat(path); err == nil {
		vars["template_mtime"] = pyDatetime(st.ModTime())
		if sys, ok := st.Sys().(*syscall.Stat_t); ok {
			uid := strconv.Itoa(int(sys.Uid))
			if u, err := user.LookupId(uid); err == nil {
				uid = u.Username
			}
			vars["template_uid"] = uid
		}
	}
	return vars
}

// pyDatetime is str() of a Python datetime: microseconds only when not 0.
func pyDatetime(t time.Time) string {
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("2006-01-02 15:04:05.000000")
}
