package render

import "testing"

func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"{{ x.y }}", "{% if job.finished %}a{{ job.rc }}\n{% endif %}", "{{ items | map('upper') | join(',') }}",
		"{{ x is defined and failed is failed }}", "{{ [1, {'a': none}] }}", "{% for i in range(3) %}{{ i }}{% endfor %}",
		"{{ s.split(',')[1:] }}", "{{ 'a' ~ 1 }}", "{{ x | combine({'b': 1}, recursive=true) | to_nice_yaml }}",
		"{{ x | }}", "{% if %}", "{{", "{%", "{#", "}}{{", "{{ 1 / 0 }}", "{{ nope.a[0] | default('x') }}",
		"{{ '1.2' is version('1', '>') }}", "{{ users | selectattr('age', 'gt', 3) | list }}", "{% set a = [] %}{{ a.append(1) }}",
		"{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1) }}", "{{ x['y'] }}", "{{ -x }}", "{{ x.list[-1] }}", "{{ 'a' * 3 }}",
	} {
		f.Add(s)
	}
	e := New()
	f.Fuzz(func(t *testing.T, s string) {
		vars := testVars()
		_, _ = e.Template(s, vars)
		_, _ = e.Expr(s, vars)
		_, _ = e.Cond(s, vars)
		_ = e.Check(s)
		_ = e.CheckExpr(s)
	})
}
