package render

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/jetplay/jetplay/internal/pyrepr"
)

// testVars are the variables every table test renders with.
func testVars() map[string]any {
	return map[string]any{
		"x":      map[string]any{"y": "Y", "n": nil, "list": []any{1, 2, 3}},
		"job":    map[string]any{"finished": 1, "started": 1, "rc": 0},
		"jobf":   map[string]any{"finished": 1.0, "started": 1.0, "rc": 0.0}, // as decoded from JSON
		"failed": map[string]any{"failed": true, "changed": false, "rc": 2},
		"ok":     map[string]any{"failed": false, "changed": true, "rc": 0},
		"skip":   map[string]any{"skipped": true, "changed": false},
		"loop":   map[string]any{"results": []any{map[string]any{"changed": false}, map[string]any{"changed": true}}},
		"async":  map[string]any{"finished": 0, "started": 1},
		"items":  []any{"a", "b"},
		"users":  []any{map[string]any{"name": "al", "age": 30, "admin": true}, map[string]any{"name": "bo", "age": 20, "admin": false}},
		"s":      "a,b,c",
		"f":      1.0,
		"pi":     3.14,
		"n":      nil,
		"t":      true,
		"num":    42,
		"empty":  "",
	}
}

func TestTemplateNative(t *testing.T) {
	e := New()
	tests := []struct {
		name string
		in   string
		want any
	}{
		{"plain string unchanged", "no template here", "no template here"},
		{"attribute", "{{ x.y }}", "Y"},
		{"item", "{{ x['y'] }}", "Y"},
		{"int", "{{ num }}", 42},
		{"integral float is int", "{{ f }}", 1},
		{"float", "{{ pi }}", 3.14},
		{"bool", "{{ t }}", true},
		{"none", "{{ n }}", nil},
		{"list", "{{ [1, 'a', none] }}", []any{1, "a", nil}},
		{"dict", "{{ {'a': 1} }}", map[string]any{"a": 1}},
		{"surrounding whitespace", "  {{ num }}\n", 42},
		{"copy of vars list", "{{ x.list }}", []any{1, 2, 3}},
		{"inline if", "{{ 'yes' if t else 'no' }}", "yes"},
		{"inline if without else", "{{ 'yes' if not t }}", ""},
		{"two expressions are a string", "{{ num }}{{ num }}", "4242"},
		{"text around is a string", "n={{ num }}", "n=42"},
		{"string stays string", "{{ '1' }}", "1"},
		{"concat", "{{ 'a' ~ 1 ~ x.y }}", "a1Y"},
		{"method split", "{{ s.split(',') }}", []any{"a", "b", "c"}},
		{"method startswith", "{{ s.startswith('a') }}", true},
		{"in", "{{ 'a' in items }}", true},
		{"and or not", "{{ not failed.failed or (job.rc == 0 and true) }}", true},
		{"arithmetic", "{{ 7 // 2 + 7 % 3 }}", 4},
		{"division", "{{ 7 / 2 }}", 3.5},
		{"range", "{{ range(1, 4) | list }}", []any{1, 2, 3}},
		{"dict global", "{{ dict(a=1) }}", map[string]any{"a": 1}},
		{"lookup list", "{{ query('list', 'a', 'b') }}", []any{"a", "b"}},
		{"set", "{% set a = 3 %}{{ a }}", "3"},
		{"for", "{% for i in items %}{{ loop.index }}={{ i }}\n{% endfor %}", "1=a\n2=b\n"},
		{"comment only", "{# nothing #}", ""},
		{"raw", "{% raw %}{{ a }}{% endraw %}", "{{ a }}"},
		{
			"guide example: trim_blocks and trailing newline",
			"{% if job.finished %}Finished: {{ job.finished }}\nStarted: {{ job.started }}\nReturn code: {{ job.rc }}\n{% endif %}\n",
			"Finished: 1\nStarted: 1\nReturn code: 0\n",
		},
		{
			"guide example with JSON floats",
			"{% if jobf.finished %}Finished: {{ jobf.finished }}\nReturn code: {{ jobf.rc }}\n{% endif %}\n",
			"Finished: 1\nReturn code: 0\n",
		},
		{"trailing newlines kept like Ansible", "{% if false %}x{% endif %}\n\n", "\n\n"},
		{"repr in string", "v={{ [1, none, 'a', true, {'k': n}] }} {{ n }}|{{ f }}", "v=[1, None, 'a', True, {'k': None}] |1"},
		{"repr quotes", `{{ ["it's", 'a\\b'] | string }}`, `["it's", 'a\\b']`},
		{"repr inside if block", "{% if t %}{{ items }}{% endif %}", "['a', 'b']"},
		{"repr inside for block", "{% for u in users %}{{ u.admin }} {% endfor %}", "True False "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Native(tt.in, testVars())
			if err != nil {
				t.Fatalf("Template(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Template(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestTemplateErrors(t *testing.T) {
	e := New()
	tests := []struct {
		name    string
		in      string
		wantErr error
		wantMsg string
	}{
		{"undefined variable", "{{ foo }}", ErrUndefined, "'foo' is undefined"},
		{"undefined in string", "a {{ foo }} b", ErrUndefined, "'foo' is undefined"},
		{"undefined parent", "{{ foo.bar }}", ErrUndefined, "'foo' is undefined"},
		{"missing attribute", "{{ x.bar }}", ErrUndefined, "'dict object' has no attribute 'bar'"},
		{"missing item", "{{ x['bar'] }}", ErrUndefined, "'dict object' has no attribute 'bar'"},
		{"missing index", "{{ items[5] }}", ErrUndefined, "list object has no element 5"},
		{"attribute of none", "{{ x.n.a }}", ErrUndefined, "'None' has no attribute 'a'"},
		{"undefined in if", "{% if foo %}x{% endif %}", ErrUndefined, "'foo' is undefined"},
		{"mandatory", "{{ foo | mandatory }}", ErrUndefined, "Mandatory variable 'foo' not defined."},
		{"syntax: dangling pipe", "{{ x | }}", ErrSyntax, `"{{ x | }}"`},
		{"syntax: unclosed", "{{ x ", ErrSyntax, `"{{ x "`},
		{"syntax: unclosed block", "{% if t %}x", ErrSyntax, "if t"},
		{"syntax: empty if", "{% if %}x{% endif %}", ErrSyntax, "{% if %}"},
		{"unknown filter", "{{ 1 | nosuchfilter }}", ErrRender, "nosuchfilter"},
		{"filter error", "{{ 'x' | from_json }}", ErrRender, "from_json"},
		{"include refused", "{% include 'x.j2' %}", ErrRender, "not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Template(tt.in, testVars())
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Template(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Template(%q) error = %q, want it to contain %q", tt.in, err, tt.wantMsg)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	e := New()
	for _, s := range []string{"plain", "{{ x }}", "{% for a in b %}{{ a }}{% endfor %}", "{{ undefined_is_fine_here }}"} {
		if err := e.Check(s); err != nil {
			t.Errorf("Check(%q) = %v", s, err)
		}
	}
	for _, s := range []string{"{{ x | }}", "{% if x %}", "{{ (x }}"} {
		if err := e.Check(s); !errors.Is(err, ErrSyntax) {
			t.Errorf("Check(%q) = %v, want ErrSyntax", s, err)
		}
	}
	for _, s := range []string{"x == 1", "result is failed", "a and not b", "{{ x }}", "x is version('1.0', '>=')"} {
		if err := e.CheckExpr(s); err != nil {
			t.Errorf("CheckExpr(%q) = %v", s, err)
		}
	}
	for _, s := range []string{"x ==", "", "x }}{{ y", "(a"} {
		if err := e.CheckExpr(s); !errors.Is(err, ErrSyntax) {
			t.Errorf("CheckExpr(%q) = %v, want ErrSyntax", s, err)
		}
	}
}

func TestIsTemplate(t *testing.T) {
	for s, want := range map[string]bool{"a": false, "{{ a }}": true, "{% if %}": true, "{# c #}": true, "{ a }": false, "": false} {
		if got := IsTemplate(s); got != want {
			t.Errorf("IsTemplate(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestValue(t *testing.T) {
	e := New()
	in := map[string]any{
		"cmd":   "echo {{ x.y }}",
		"n":     "{{ num }}",
		"list":  []any{"{{ items }}", 5, true},
		"plain": 3.5,
		"{{k}}": "keys are not rendered",
	}
	got, err := e.Value(in, testVars())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"cmd":   "echo Y",
		"n":     42, // a lone variable keeps its type, as in Ansible
		"list":  []any{[]any{"a", "b"}, 5, true},
		"plain": 3.5,
		"{{k}}": "keys are not rendered",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Value = %#v, want %#v", got, want)
	}
	if in["cmd"] != "echo {{ x.y }}" {
		t.Error("Value modified its input")
	}
	if _, err := e.Value([]any{"{{ nope }}"}, testVars()); !errors.Is(err, ErrUndefined) {
		t.Errorf("Value with undefined = %v, want ErrUndefined", err)
	}
}

func TestExpr(t *testing.T) {
	e := New()
	tests := []struct {
		in      string
		want    any
		wantErr error
	}{
		{"job.rc == 0", true, nil},
		{"job is finished", true, nil},
		{"x.list | length", 3, nil},
		{"{{ job.rc }}", 0, nil},
		{"{{ 'job.rc' }} == 0", true, nil},
		{"{{ empty }}", false, nil},
		{"nope", nil, ErrUndefined},
		{"job.rc ==", nil, ErrSyntax},
	}
	for _, tt := range tests {
		got, err := e.Expr(tt.in, testVars())
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("Expr(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			continue
		}
		if tt.wantErr == nil && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Expr(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestCond(t *testing.T) {
	e := New()
	tests := []struct {
		name    string
		in      any
		want    bool
		wantErr error
	}{
		{"true bool", true, true, nil},
		{"false bool", false, false, nil},
		{"nil", nil, true, nil},
		{"empty string", "", true, nil},
		{"expression", "failed is failed", true, nil},
		{"not", "not (ok is failed)", true, nil},
		{"templated", "{{ job.rc == 0 }}", true, nil},
		{"string True", "True", true, nil},
		{"number", 0, false, nil},
		{"empty list var is false", "items | select('equalto', 'z') | list", false, nil},
		{"none is false", "n", false, nil},
		{"list all hold", []any{"job.rc == 0", true, "'a' in items"}, true, nil},
		{"list one fails", []any{"job.rc == 0", "job.rc == 1"}, false, nil},
		{"list of strings", []string{"t", "num > 1"}, true, nil},
		{"is defined guards", "nope is defined and nope.x", false, nil},
		{"until style", "async is finished", false, nil},
		{"undefined", "nope", false, ErrUndefined},
		{"syntax", "a ==", false, ErrSyntax},
		{"bad type", struct{}{}, false, ErrRender},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Cond(tt.in, testVars())
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Cond(%#v) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Cond(%#v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestCacheBounded(t *testing.T) {
	e := New()
	e.cache = newCache(16)
	for i := range 100 {
		if _, err := e.Template("{{ "+strings.Repeat("1 + ", i)+"0 }}", nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.cache.len(); n > 16 {
		t.Errorf("cache holds %d entries, want at most 16", n)
	}
}

func TestConcurrent(t *testing.T) {
	e := New()
	done := make(chan error, 8)
	for i := range 8 {
		go func() {
			for j := range 200 {
				vars := map[string]any{"i": i, "j": j}
				got, err := e.Template("{% set k = i * 1000 + j %}{{ k }}", vars)
				if err != nil {
					done <- err
					return
				}
				if got != itoa(i*1000+j) {
					done <- errors.New("wrong result " + got.(string))
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func BenchmarkTemplate(b *testing.B) {
	e := New()
	vars := testVars()
	const tpl = "{% if job.finished %}Finished: {{ job.finished }}\nUsers: {{ users | map(attribute='name') | join(', ') }}\n{% endif %}"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Template(tpl, vars); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCond(b *testing.B) {
	e := New()
	vars := testVars()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Cond("job.rc == 0 and failed is failed", vars); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTemplateAnsibleData: a one-expression template has the type Ansible
// 2.14 (without jinja2_native) gives it, checked against ansible-playbook.
func TestTemplateAnsibleData(t *testing.T) {
	e := New()
	vars := map[string]any{"n": nil, "num": 42}
	tests := []struct {
		in   string
		want any
	}{
		{"{{ 1 }}", "1"},
		{"{{ 1.5 }}", "1.5"},
		{"{{ num + 1 }}", "43"},
		{"{{ true }}", true},
		{"{{ none }}", ""},
		{"{{ n + 1 if false else none }}", ""},
		{"{{ [1, 2] }}", []any{1, 2}},
		{"{{ {'x': 1} }}", map[string]any{"x": 1}},
		{"{{ 'True' }}", true},
		{"{{ '[1, 2]' }}", []any{1, 2}},
		{"x{{ 1 }}", "x1"},
		{"{{ 'plain' }}", "plain"},
		{"{{ num }}", 42}, // a lone variable keeps its number type
		{"{{ n }}", nil},  // and its None
		{"{{ 3.7 | round }}", "4.0"},
		{"{{ [3.7 | round] }}", []any{pyrepr.Float(4)}},
		{"{{ {'a': 1} | to_json }}", `{"a": 1}`}, // Ansible's STRING_TYPE_FILTERS stay text
		{"{{ [1] | to_yaml }}", "[1]\n"},
		{"{{ [1] | string }}", "[1]"},
		{"{{ [1] | string | trim }}", []any{1}},
		{"{{ dict(['a', 'b'] | zip([1, 2])) }}", map[string]any{"a": 1, "b": 2}},
		{"{{ dict({'a': 1}, b=2) }}", map[string]any{"a": 1, "b": 2}},
		{"{{ dict(c=3) }}", map[string]any{"c": 3}},
		{"{{ dict() }}", map[string]any{}},
		// Jinja drops a final newline; Ansible puts the source's trailing
		// newlines back on a text result only.
		{"{{ num }}\n", "42\n"},
		{"{{ 'a' }}\n\n", "a\n\n"},
		{"{{ [1] }}\n", []any{1}},
		{"{{ [1] | to_yaml }}\n", "[1]\n"},
	}
	for _, tt := range tests {
		got, err := e.Template(tt.in, vars)
		if err != nil {
			t.Fatalf("Template(%q): %v", tt.in, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Template(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

// TestStringLiteralEscapes: in a template file (Native) and in {% %}, Jinja
// reads string literals with Python's escapes; in the {{ }} of a playbook
// string (Template) Ansible doubles backslashes first, so they stay as
// written. Expected values come from ansible-playbook 2.14.
func TestStringLiteralEscapes(t *testing.T) {
	e := New()
	tests := []struct {
		in         string
		native     any // Native: Python's escapes
		asTemplate any // Template: backslashes kept in {{ }}; or an error
	}{
		{`{{ 'a12' | regex_search('\d+') }}`, "12", "12"},
		{`{{ 'a12' | regex_search('\\d+') }}`, "12", ""},
		{`{{ 'h1' is match('h\d') }}`, true, true},
		{`{{ 'host-12' | regex_replace('^host-(\d+)$', 'n\1') }}`, "n\x01", "n12"},
		{`{{ 'a\nb' }}`, "a\nb", `a\nb`},
		{`{{ 'it\'s' }}`, "it's", ErrSyntax},
		{`{{ "q\"" }}`, `q"`, ErrSyntax},
		{`{{ 'a\\' }}`, `a\`, `a\\`},
		{`{{ 'tab\tend' | length }}`, 7, "8"},
		{`{{ '\x41\u00e9\101' }}`, "A\u00e9A", `\x41\u00e9\101`},
		{`x\d {{ 'y' }}`, `x\d y`, `x\d y`},
		{`{% set v = 'a\tb' %}{{ v }}`, "a\tb", "a\tb"},
		{`{% raw %}{{ 'a\d' }}{% endraw %}{{ '\d' }}`, `{{ 'a\d' }}\d`, `{{ 'a\d' }}\d`},
		{`{# '\d #}{{ 1 }}`, "1", "1"},
	}
	for _, tt := range tests {
		got, err := e.Native(tt.in, nil)
		if err != nil || !reflect.DeepEqual(got, tt.native) {
			t.Errorf("Native(%s) = %#v, %v; want %#v", tt.in, got, err, tt.native)
		}
		got, err = e.Template(tt.in, nil)
		if want, ok := tt.asTemplate.(error); ok {
			if !errors.Is(err, want) {
				t.Errorf("Template(%s) = %#v, %v; want %v", tt.in, got, err, want)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.asTemplate) {
			t.Errorf("Template(%s) = %#v, %v; want %#v", tt.in, got, err, tt.asTemplate)
		}
	}
}
