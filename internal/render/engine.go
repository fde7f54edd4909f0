package render

import (
	"fmt"
	"go.yaml.in/yaml/v3"
	"io"
	"regexp"
	"strings"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/loaders"
	"github.com/nikolalohinski/gonja/v2/nodes"

	"github.com/jetplay/jetplay/internal/pyrepr"
)

// rootName is the identifier every template is parsed under.
const rootName = "template"

// Engine renders Ansible-style Jinja2 templates. It holds its own filters,
// tests and globals (nothing is registered in the library's global sets) and
// a bounded cache of parsed templates keyed by template text. An Engine is
// safe for concurrent use; create one and share it.
type Engine struct {
	cfg     *config.Config
	env     *exec.Environment
	globals *exec.Context
	cache   *cache
}

// compiled is a parsed template, or the syntax error parsing gave.
type compiled struct {
	src    string
	tpl    *exec.Template
	loader loaders.Loader
	// native is set when the template is a single "{{ expr }}": the
	// expression (and its inline if/else) before the repr filter is added.
	native *nodes.Output
	// keepText is set when native's last filter is one whose text Ansible
	// never evaluates back into a list or dict (to_json, string, ...).
	keepText bool
	err      error  // wraps ErrSyntax
	msg      string // the parser's message behind err
}

// Config is what an Engine reaches outside its templates through; its zero
// value is New's.
type Config struct {
	// LookupEnv reads one variable of the controller's environment for
	// lookup('env'), as os.LookupEnv does (cli passes os.LookupEnv).
	// Default: no variable is set, so each lookup('env') gives its default.
	LookupEnv func(key string) (value string, ok bool)
}

func (c Config) withDefaults() Config {
	if c.LookupEnv == nil {
		c.LookupEnv = func(string) (string, bool) { return "", false }
	}
	return c
}

// New returns an Engine with Ansible's defaults (see NewWithConfig) and the
// zero Config: lookup('env') sees no variable.
func New() *Engine { return NewWithConfig(Config{}) }

// NewWithConfig returns an Engine configured by cfg, with Ansible's
// defaults: trim_blocks on, lstrip_blocks off, trailing newlines kept,
// undefined variables are errors.
func NewWithConfig(c Config) *Engine {
	c = c.withDefaults()
	cfg := config.New()
	cfg.TrimBlocks = true
	cfg.StrictUndefined = true
	cfg.KeepTrailingNewline = true

	filters := exec.NewFilterSet(map[string]exec.FilterFunction{}).Update(builtins.Filters)
	filters.Update(exec.NewFilterSet(ansibleFilters()))
	tests := exec.NewTestSet(map[string]exec.TestFunction{}).Update(builtins.Tests)
	tests.Update(exec.NewTestSet(ansibleTests()))

	globals := exec.EmptyContext().Update(builtins.GlobalFunctions).Update(builtins.GlobalVariables)
	globals.Update(exec.NewContext(ansibleGlobals(c)))

	e := &Engine{
		cfg:     cfg,
		globals: globals,
		cache:   newCache(defaultCacheSize),
	}
	e.env = &exec.Environment{
		Filters:           filters,
		Tests:             tests,
		ControlStructures: builtins.ControlStructures,
		Methods:           builtins.Methods,
		Context:           globals,
	}
	return e
}

// HasFilter reports whether templates can use the filter name (Ansible's or
// Jinja's), so that tools and tests can list what is supported.
func (e *Engine) HasFilter(name string) bool {
	return name != reprFilter && e.env.Filters.Exists(name)
}

// HasTest reports whether templates can use the test name (`x is name`).
func (e *Engine) HasTest(name string) bool { return e.env.Tests.Exists(name) }

// IsTemplate reports whether s contains template syntax: "{{", "{%" or "{#".
func IsTemplate(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "{%") || strings.Contains(s, "{#")
}

// Template renders s with vars. Like Ansible, when s is a single expression
// "{{ expr }}" (surrounding whitespace allowed) the result is the native Go
// value of the expression: map[string]any, []any, int, float64, bool, string
// or nil. An integral float64 (as JSON decoding gives) comes back as int.
// Otherwise the result is the rendered string, in which non-string values
// are shown as Python shows them ([1, 'a'], {'k': None}, True) and None as
// the empty string. A string without "{{", "{%" or "{#" is returned
// unchanged without parsing.
//
// Errors wrap ErrSyntax, ErrUndefined or ErrRender.
func (e *Engine) Template(s string, vars map[string]any) (any, error) {
	// Ansible passes a lone variable reference's number, bool or None
	// through untouched (Templar's SINGLE_VAR shortcut).
	if m := singleVar.FindStringSubmatch(s); m != nil {
		if val, ok := vars[m[1]]; ok {
			switch val.(type) {
			case nil, bool, int, int64, float64, pyrepr.Float:
				return val, nil
			}
		}
	}
	v, c, err := e.template(s, vars, true)
	if err != nil || c == nil || c.native == nil {
		return v, err
	}
	if nt, ok := v.(nativeText); ok {
		return keepTrailingNewlines(s, string(nt)), nil
	}
	if str, ok := v.(string); ok && c.keepText {
		return keepTrailingNewlines(s, str), nil
	}
	v = ansibleData(v)
	if str, ok := v.(string); ok {
		// "{{ x }}\n": Jinja drops the newline, Ansible puts it back on
		// a text result.
		v = keepTrailingNewlines(s, str)
	}
	return v, nil
}

// templateFile renders the text of a template file for the template
// lookup: string literals take Python's escapes (as in Native), trailing
// newlines are kept, and with convert a one-expression result gets the
// type Ansible gives it (as in Template); without, it is text (None is
// empty) that no template evaluates back into a list or dict.
func (e *Engine) templateFile(s string, vars map[string]any, convert bool) (any, error) {
	v, c, err := e.template(s, vars, false)
	if err != nil || c == nil || c.native == nil {
		if str, ok := v.(string); ok && !convert {
			return nativeText(str), err
		}
		return v, err
	}
	if nt, ok := v.(nativeText); ok {
		v = string(nt)
	}
	str, ok := v.(string)
	switch {
	case !convert:
		if v == nil {
			str = ""
		} else if !ok {
			str = pyrepr.Str(v)
		}
		return nativeText(keepTrailingNewlines(s, str)), nil
	case ok && c.keepText:
		return keepTrailingNewlines(s, str), nil
	}
	v = ansibleData(v)
	if str, ok := v.(string); ok {
		v = keepTrailingNewlines(s, str)
	}
	return v, nil
}

// nativeText is text that a one-expression template returns as it is,
// never evaluated into a list, dict or boolean: Ansible's NativeJinjaText,
// which the template lookup gives with convert_data false. It only exists
// between a lookup and the top of the expression that called it: Template,
// Native and Expr return a plain string.
type nativeText string

// plainText turns a nativeText back into a string.
func plainText(v any) any {
	if nt, ok := v.(nativeText); ok {
		return string(nt)
	}
	return v
}

// Native is Template without Ansible's conversion of a one-expression
// result to text: "{{ 1 }}" is the number 1, "{{ none }}" is nil. It is
// for callers that want the expression's value itself, and for template
// files: string literals inside {{ }} take Python's escapes ('\n' is a
// newline), where Template, like Ansible for playbook strings, keeps their
// backslashes as written ('\d' stays backslash-d, 'n\1' a backreference).
func (e *Engine) Native(s string, vars map[string]any) (any, error) {
	v, _, err := e.template(s, vars, false)
	return plainText(v), err
}

// template renders s and returns the parsed template it rendered (nil when
// s has no template syntax); a one-expression template's value (c.native
// set) is returned as it is. rawVars keeps the backslashes of string
// literals inside {{ }} (see literals).
func (e *Engine) template(s string, vars map[string]any, rawVars bool) (v any, c *compiled, err error) {
	if !IsTemplate(s) {
		return s, nil, nil
	}
	c = e.compile(s, rawVars)
	if c.err != nil {
		return nil, c, c.err
	}
	if c.native != nil {
		v, err = e.evalNative(c, vars)
	} else {
		v, err = e.render(c, vars)
	}
	return v, c, err
}

// singleVar matches a template that is only a variable name: "{{ x }}".
var singleVar = regexp.MustCompile(`^\{\{\s*(\w+)\s*\}\}$`)

// ansibleData gives a one-expression template's value the type Ansible
// 2.14 gives it without jinja2_native: the value is turned into text, and
// text that looks like a list, a dict or a boolean is evaluated back. So
// numbers become strings ("{{ 1 }}" is "1"), None becomes "", booleans,
// lists and dicts stay what they are, and the string "[1, 2]" becomes a list.
func ansibleData(v any) any {
	switch x := v.(type) {
	case nil:
		return ""
	case bool, []any, map[string]any:
		return v
	case string:
		return literalText(x)
	case int, int64, float64, pyrepr.Float:
		return pyrepr.Str(x)
	}
	return v
}

// literalText evaluates text that looks like a Python list, dict or
// boolean, as Ansible's ansible_concat does; anything else stays text.
func literalText(s string) any {
	switch {
	case s == "True":
		return true
	case s == "False":
		return false
	case strings.HasPrefix(s, "[") || strings.HasPrefix(s, "{") && !strings.HasPrefix(s, "{{"):
		var out any
		if err := yaml.Unmarshal([]byte(s), &out); err != nil {
			return s
		}
		switch out.(type) {
		case []any, map[string]any:
			return out
		}
	}
	return s
}

// Value renders every string inside v recursively: map[string]any values
// (not keys), []any elements and strings. Other types are returned as they
// are. The input is not modified.
func (e *Engine) Value(v any, vars map[string]any) (any, error) {
	switch x := v.(type) {
	case string:
		return e.Template(x, vars)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			r, err := e.Value(item, vars)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			r, err := e.Value(item, vars)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = r
		}
		return out, nil
	default:
		return v, nil
	}
}

// Expr evaluates a bare Jinja expression such as `result.rc == 0` or
// `job is finished` and returns its native value. Like Ansible's templated
// conditionals, an expression containing template syntax ("{{ x }}") is
// rendered first; a non-string result is returned as is, a string result is
// then evaluated as an expression (an empty one gives false).
func (e *Engine) Expr(expr string, vars map[string]any) (any, error) {
	if IsTemplate(expr) {
		v, err := e.Template(expr, vars)
		if err != nil {
			return nil, err
		}
		s, ok := v.(string)
		if !ok {
			return v, nil
		}
		if strings.TrimSpace(s) == "" {
			return false, nil
		}
		if IsTemplate(s) {
			return nil, fmt.Errorf("%w in %s: templated expression renders to template syntax", ErrSyntax, quote(expr))
		}
		expr = s
	}
	c, err := e.compileExpr(expr)
	if err != nil {
		return nil, err
	}
	v, err := e.evalNative(c, vars)
	return plainText(v), err
}

// Cond evaluates an Ansible conditional (when, until, failed_when,
// changed_when). expr may be a bool, a string expression (see Expr), a
// number, nil or an empty string (both true, as in Ansible), or a []any of
// those, which holds when all of them hold. The result uses Python
// truthiness: None, 0, "", [] and {} are false.
func (e *Engine) Cond(expr any, vars map[string]any) (bool, error) {
	switch x := expr.(type) {
	case nil:
		return true, nil
	case bool:
		return x, nil
	case string:
		if strings.TrimSpace(x) == "" {
			return true, nil
		}
		v, err := e.Expr(x, vars)
		if err != nil {
			return false, err
		}
		return pyrepr.Truthy(v), nil
	case []any:
		for _, item := range x {
			ok, err := e.Cond(item, vars)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case []string:
		for _, item := range x {
			ok, err := e.Cond(item, vars)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case int, int64, float64, pyrepr.Float:
		return pyrepr.Truthy(x), nil
	default:
		return false, fmt.Errorf("%w: conditional of type %T", ErrRender, expr)
	}
}

// Check parses s without rendering it and returns the syntax error, which
// wraps ErrSyntax, if any. A string without template syntax is valid.
func (e *Engine) Check(s string) error {
	if !IsTemplate(s) {
		return nil
	}
	return e.compile(s, true).err
}

// CheckExpr parses a bare expression (see Expr) without evaluating it and
// returns the syntax error, which wraps ErrSyntax, if any.
func (e *Engine) CheckExpr(expr string) error {
	if IsTemplate(expr) {
		return e.Check(expr)
	}
	_, err := e.compileExpr(expr)
	return err
}

func (e *Engine) compileExpr(expr string) (*compiled, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, fmt.Errorf("%w: empty expression", ErrSyntax)
	}
	c := e.compile("{{ "+expr+" }}", false)
	if c.err != nil {
		return nil, fmt.Errorf("%w in %s: %s", ErrSyntax, quote(expr), c.msg)
	}
	if c.native == nil {
		return nil, fmt.Errorf("%w in %s: not a single expression", ErrSyntax, quote(expr))
	}
	return c, nil
}

// compile returns the cached parse of src, parsing it on a miss. rawVars
// keeps the backslashes of string literals inside {{ }} (see literals).
func (e *Engine) compile(src string, rawVars bool) *compiled {
	key := cacheKey{src: src, rawVars: rawVars}
	if c, ok := e.cache.get(key); ok {
		return c
	}
	return e.cache.put(key, e.parse(src, rawVars))
}

func (e *Engine) parse(src string, rawVars bool) (c *compiled) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprintf("parser panic: %v", r)
			c = &compiled{src: src, err: fmt.Errorf("%w in %s: %s", ErrSyntax, quote(src), msg), msg: msg}
		}
	}()
	l := &sourceLoader{src: literals(src, rawVars)}
	tpl, err := exec.NewTemplate(rootName, e.cfg, l, e.env)
	if err != nil {
		msg := syntaxMessage(err)
		return &compiled{src: src, err: fmt.Errorf("%w in %s: %s", ErrSyntax, quote(src), msg), msg: msg}
	}
	c = &compiled{src: src, tpl: tpl, loader: l}
	if out := singleOutput(src, tpl.Root()); out != nil {
		native := *out
		c.native = &native
		c.keepText = out.Condition == nil && lastFilterKeepsText(out.Expression)
	}
	rewrite(tpl.Root())
	return c
}

// stringTypeFilters are Ansible's STRING_TYPE_FILTERS: a one-expression
// template ending in one of them stays text even when it looks like a list
// or a dict.
var stringTypeFilters = map[string]bool{
	"string": true, "to_json": true, "to_nice_json": true, "to_yaml": true,
	"to_nice_yaml": true, "ppretty": true, "json": true,
}

func lastFilterKeepsText(expr nodes.Expression) bool {
	f, ok := expr.(*nodes.FilteredExpression)
	if !ok || len(f.Filters) == 0 {
		return false
	}
	return stringTypeFilters[f.Filters[len(f.Filters)-1].Name]
}

// singleOutput returns the only {{ }} node of a template that consists of it
// and surrounding whitespace, or nil.
func singleOutput(src string, root *nodes.Template) *nodes.Output {
	t := strings.TrimSpace(src)
	if !strings.HasPrefix(t, "{{") || !strings.HasSuffix(t, "}}") || root.Parent != nil {
		return nil
	}
	var out *nodes.Output
	for _, n := range root.Nodes {
		switch x := n.(type) {
		case *nodes.Data:
			if strings.TrimSpace(x.Data.Val) != "" {
				return nil
			}
		case *nodes.Output:
			if out != nil {
				return nil
			}
			out = x
		default:
			return nil
		}
	}
	return out
}

// vars builds the per-call environment: the caller's vars (not copied) under
// a fresh scope that holds the globals and anything {% set %} assigns.
func (e *Engine) runEnv(vars map[string]any) *exec.Environment {
	if vars == nil {
		vars = map[string]any{}
	}
	ctx := exec.NewContext(vars).Inherit().Update(e.globals)
	ctx.Set(lookupKey, &lookupScope{engine: e, vars: vars})
	return &exec.Environment{
		Filters:           e.env.Filters,
		Tests:             e.env.Tests,
		ControlStructures: e.env.ControlStructures,
		Methods:           e.env.Methods,
		Context:           ctx,
	}
}

func (e *Engine) render(c *compiled, vars map[string]any) (res any, err error) {
	defer recoverError(c.src, &err)
	var b strings.Builder
	env := e.runEnv(vars)
	r := exec.NewRenderer(env, &b, e.cfg, c.loader, c.tpl)
	if err := r.Execute(); err != nil {
		return nil, renderError(c.src, env, err)
	}
	return keepTrailingNewlines(c.src, b.String()), nil
}

func (e *Engine) evalNative(c *compiled, vars map[string]any) (res any, err error) {
	defer recoverError(c.src, &err)
	env := e.runEnv(vars)
	ev := &exec.Evaluator{Environment: env, Config: e.cfg, Loader: c.loader}
	out := c.native
	expr := out.Expression
	if out.Condition != nil {
		cond := ev.Eval(out.Condition)
		if cond.IsError() {
			return nil, renderError(c.src, env, cond)
		}
		if !truthyValue(cond) {
			if out.Alternative == nil {
				return "", nil
			}
			expr = out.Alternative
		}
	}
	v := ev.Eval(expr)
	if v.IsError() {
		return nil, renderError(c.src, env, v)
	}
	if v.Val.IsValid() && v.Val.CanInterface() {
		if nt, ok := v.Val.Interface().(nativeText); ok {
			return nt, nil
		}
	}
	return toGo(v), nil
}

// keepTrailingNewlines appends the trailing newlines of src that rendering
// dropped, as Ansible's templar does (preserve_trailing_newlines).
func keepTrailingNewlines(src, out string) string {
	want := len(src) - len(strings.TrimRight(src, "\n"))
	have := len(out) - len(strings.TrimRight(out, "\n"))
	if want > have {
		out += strings.Repeat("\n", want-have)
	}
	return out
}

// recoverError turns a panic inside the library into an ErrRender error.
func recoverError(src string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("template %s: %w: panic: %v", quote(src), ErrRender, r)
	}
}

// sourceLoader serves the one template source and refuses everything else,
// so {% include %}, {% import %} and {% extends %} cannot read files.
type sourceLoader struct {
	src string
}

func (l *sourceLoader) Read(path string) (io.Reader, error) {
	if path != rootName {
		return nil, fmt.Errorf("%w: cannot load %q: include, import and extends are not supported", ErrRender, path)
	}
	return strings.NewReader(l.src), nil
}

func (l *sourceLoader) Resolve(path string) (string, error) { return path, nil }

func (l *sourceLoader) Inherit(string) (loaders.Loader, error) { return l, nil }
