package render

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/jetplay/jetplay/internal/pyrepr"
)

func TestFilters(t *testing.T) {
	e := New()
	tests := []struct {
		name    string
		in      string
		want    any
		wantErr error
	}{
		{"default undefined", "{{ nope | default('d') }}", "d", nil},
		{"default nested undefined", "{{ nope.a.b | default(1) }}", 1, nil},
		{"default missing attribute", "{{ x.zz | d('d') }}", "d", nil},
		{"default keeps none", "{{ n | default('d') }}", nil, nil},
		{"default keeps empty", "{{ empty | default('d') }}", "", nil},
		{"default boolean", "{{ empty | default('d', true) }}", "d", nil},
		{"default boolean kw", "{{ 0 | default('d', boolean=true) }}", "d", nil},
		{"default no arg", "{{ nope | default }}", "", nil},
		{"mandatory defined", "{{ num | mandatory }}", 42, nil},
		{"mandatory undefined", "{{ nope | mandatory }}", nil, ErrUndefined},
		{"mandatory msg", "{{ nope | mandatory('set nope') }}", nil, ErrRender},
		{"bool yes", "{{ 'yes' | bool }}", true, nil},
		{"bool on", "{{ 'On' | bool }}", true, nil},
		{"bool 1", "{{ 1 | bool }}", true, nil},
		{"bool no", "{{ 'no' | bool }}", false, nil},
		{"bool none", "{{ n | bool }}", false, nil},
		{"int string", "{{ '42' | int }}", 42, nil},
		{"int float", "{{ 3.9 | int }}", 3, nil},
		{"int float string", "{{ '3.9' | int }}", 3, nil},
		{"int bad", "{{ 'x' | int }}", 0, nil},
		{"int default", "{{ 'x' | int(7) }}", 7, nil},
		{"int base", "{{ '0x1f' | int(base=16) }}", 31, nil},
		{"float", "{{ '1.5' | float }}", pyrepr.Float(1.5), nil},
		{"float integral", "{{ '3' | float }}", pyrepr.Float(3), nil},
		{"float prints as float", "{{ '3' | float }} {{ 2 | float | type_debug }}", "3.0 float", nil},
		{"float bad", "{{ 'x' | float }}", pyrepr.Float(0), nil},
		{"string int", "{{ 1 | string }}", "1", nil},
		{"string none", "{{ n | string }}", "None", nil},
		{"string list", "{{ [1, 'a'] | string }}", "[1, 'a']", nil},
		{"lower", "{{ 'AbC' | lower }}", "abc", nil},
		{"upper", "{{ 'AbC' | upper }}", "ABC", nil},
		{"capitalize", "{{ 'hELLO world' | capitalize }}", "Hello world", nil},
		{"title", "{{ 'hello big world' | title }}", "Hello Big World", nil},
		{"replace", "{{ s | replace(',', ';') }}", "a;b;c", nil},
		{"replace count", "{{ s | replace(',', ';', 1) }}", "a;b,c", nil},
		{"regex_replace", `{{ 'abc' | regex_replace('(b)', '<\\1>') }}`, "a<b>c", nil},
		{"regex_replace named", `{{ 'abc' | regex_replace('(?P<x>b)', '[\\g<x>]') }}`, "a[b]c", nil},
		{"regex_replace dollar", `{{ 'abc' | regex_replace('b', '$') }}`, "a$c", nil},
		{"regex_replace ignorecase", `{{ 'aBc' | regex_replace('b', 'x', ignorecase=true) }}`, "axc", nil},
		{"regex_replace multiline", `{{ 'a\nb' | regex_replace('^', '> ', multiline=true) }}`, "> a\n> b", nil},
		{"regex_search", "{{ 'abc' | regex_search('b.') }}", "bc", nil},
		{"regex_search none", "{{ 'abc' | regex_search('z') }}", nil, nil},
		{"regex_search groups", `{{ 'k=v' | regex_search('(\\w)=(\\w)', '\\2', '\\1') }}`, []any{"v", "k"}, nil},
		{"regex_findall", "{{ 'aXbXc' | regex_findall('X') }}", []any{"X", "X"}, nil},
		{"regex_findall group", `{{ 'a1b2' | regex_findall('[a-z](\\d)') }}`, []any{"1", "2"}, nil},
		{"regex_findall groups", `{{ 'a1b2' | regex_findall('([a-z])(\\d)') }}`, []any{[]any{"a", "1"}, []any{"b", "2"}}, nil},
		{"regex bad pattern", "{{ 'a' | regex_search('(') }}", nil, ErrRender},
		{"regex_escape", "{{ 'a.b*c d' | regex_escape }}", `a\.b\*c\ d`, nil},
		{"split", "{{ s | split(',') }}", []any{"a", "b", "c"}, nil},
		{"split whitespace", "{{ ' a  b ' | split }}", []any{"a", "b"}, nil},
		{"split maxsplit", "{{ s | split(',', 1) }}", []any{"a", "b,c"}, nil},
		{"join", "{{ items | join('-') }}", "a-b", nil},
		{"join ints", "{{ [1, 2] | join }}", "12", nil},
		{"length list", "{{ items | length }}", 2, nil},
		{"length dict", "{{ x | length }}", 3, nil},
		{"length string", "{{ 'héllo' | length }}", 5, nil},
		{"count", "{{ items | count }}", 2, nil},
		{"first", "{{ items | first }}", "a", nil},
		{"last", "{{ items | last }}", "b", nil},
		{"first empty", "{{ [] | first }}", nil, ErrUndefined},
		{"map attribute", "{{ users | map(attribute='name') | list }}", []any{"al", "bo"}, nil},
		{"map attribute default", "{{ users | map(attribute='zz', default=0) | list }}", []any{0, 0}, nil},
		{"map filter", "{{ items | map('upper') | list }}", []any{"A", "B"}, nil},
		{"map filter args", "{{ items | map('regex_replace', '^', 'x') | list }}", []any{"xa", "xb"}, nil},
		{"map extract", "{{ ['y'] | map('extract', x) | list }}", []any{"Y"}, nil},
		{"select", "{{ [1, 2, 3, 4] | select('even') | list }}", []any{2, 4}, nil},
		{"select truthy", "{{ [0, 1, '', 'a', none] | select | list }}", []any{1, "a"}, nil},
		{"select test arg", "{{ [1, 5, 9] | select('gt', 4) | list }}", []any{5, 9}, nil},
		{"select operator", "{{ [1, 5, 9] | select('>=', 5) | list }}", []any{5, 9}, nil},
		{"reject", "{{ [1, 2, 3] | reject('odd') | list }}", []any{2}, nil},
		{"selectattr", "{{ users | selectattr('admin') | map(attribute='name') | list }}", []any{"al"}, nil},
		{"selectattr test", "{{ users | selectattr('age', 'lt', 25) | map(attribute='name') | list }}", []any{"bo"}, nil},
		{"selectattr equalto", "{{ users | selectattr('name', 'equalto', 'bo') | map(attribute='age') | first }}", 20, nil},
		{"selectattr defined", "{{ [{'a': 1}, {'b': 2}] | selectattr('a', 'defined') | list }}", []any{map[string]any{"a": 1}}, nil},
		{"selectattr match", "{{ users | selectattr('name', 'match', 'a') | map(attribute='name') | list }}", []any{"al"}, nil},
		{"rejectattr", "{{ users | rejectattr('admin') | map(attribute='name') | list }}", []any{"bo"}, nil},
		{"rejectattr undefined", "{{ [{'a': 1}, {'b': 2}] | rejectattr('a', 'undefined') | list }}", []any{map[string]any{"a": 1}}, nil},
		{"dict2items", "{{ {'b': 2, 'a': 1} | dict2items }}", []any{map[string]any{"key": "a", "value": 1}, map[string]any{"key": "b", "value": 2}}, nil},
		{"dict2items names", "{{ {'a': 1} | dict2items('k', 'v') }}", []any{map[string]any{"k": "a", "v": 1}}, nil},
		{"items2dict", "{{ [{'key': 'a', 'value': 1}] | items2dict }}", map[string]any{"a": 1}, nil},
		{"items2dict names", "{{ [{'n': 'a', 'v': 1}] | items2dict(key_name='n', value_name='v') }}", map[string]any{"a": 1}, nil},
		{"dict", "{{ [['a', 1], ['b', 2]] | dict }}", map[string]any{"a": 1, "b": 2}, nil},
		{"dict zip", "{{ ['a', 'b'] | zip([1, 2]) | dict }}", map[string]any{"a": 1, "b": 2}, nil},
		{"combine", "{{ {'a': 1, 'b': 1} | combine({'b': 2}, {'c': 3}) }}", map[string]any{"a": 1, "b": 2, "c": 3}, nil},
		{"combine shallow", "{{ {'a': {'x': 1}} | combine({'a': {'y': 2}}) }}", map[string]any{"a": map[string]any{"y": 2}}, nil},
		{"combine recursive", "{{ {'a': {'x': 1}} | combine({'a': {'y': 2}}, recursive=True) }}", map[string]any{"a": map[string]any{"x": 1, "y": 2}}, nil},
		{"combine list_merge", "{{ {'a': [1]} | combine({'a': [2]}, list_merge='append') }}", map[string]any{"a": []any{1, 2}}, nil},
		{"combine list input", "{{ [{'a': 1}, {'b': 2}] | combine }}", map[string]any{"a": 1, "b": 2}, nil},
		{"to_json", "{{ {'z': 1, 'a': [1, 2]} | to_json }}", `{"a": [1, 2], "z": 1}`, nil},
		{"to_json string", "{{ 'é\"' | to_json }}", `"\u00e9\""`, nil},
		{"to_json none bool", "{{ [none, true] | to_json }}", `[null, true]`, nil},
		{"to_nice_json", "{{ {'z': 1, 'a': 2} | to_nice_json }}", "{\n    \"a\": 2,\n    \"z\": 1\n}", nil},
		{"to_nice_json nested", "{{ {'a': [1]} | to_nice_json(indent=2) }}", "{\n  \"a\": [\n    1\n  ]\n}", nil},
		{"from_json", `{{ '{"a": [1, 2.5, null, true]}' | from_json }}`, map[string]any{"a": []any{1, 2.5, nil, true}}, nil},
		{"to_yaml", "{{ {'z': 1, 'a': [1, 2]} | to_yaml }}", "a: [1, 2]\nz: 1\n", nil},
		{"to_yaml quotes", "{{ ['yes', 'x'] | to_yaml }}", "['yes', x]\n", nil},
		{"to_nice_yaml", "{{ {'z': 1, 'a': [1, 2]} | to_nice_yaml }}", "a:\n- 1\n- 2\nz: 1\n", nil},
		{"to_nice_yaml nested", "{{ {'a': [{'k': 'v', 'l': 1}], 'm': {'x': []}} | to_nice_yaml }}", "a:\n-   k: v\n    l: 1\nm:\n    x: []\n", nil},
		{"from_yaml", "{{ 'a: [1, x]\nb: {c: true}' | from_yaml }}", map[string]any{"a": []any{1, "x"}, "b": map[string]any{"c": true}}, nil},
		{"from_yaml_all", "{{ 'a: 1\n---\nb: 2' | from_yaml_all }}", []any{map[string]any{"a": 1}, map[string]any{"b": 2}}, nil},
		{"trim", "{{ '  a b \n' | trim }}", "a b", nil},
		{"unique", "{{ [1, 2, 1, 'a', 'a'] | unique }}", []any{1, 2, "a"}, nil},
		{"sort", "{{ [3, 1, 2] | sort }}", []any{1, 2, 3}, nil},
		{"sort reverse", "{{ [3, 1, 2] | sort(reverse=true) }}", []any{3, 2, 1}, nil},
		{"sort attribute", "{{ users | sort(attribute='age') | map(attribute='name') | list }}", []any{"bo", "al"}, nil},
		{"sort strings", "{{ ['b', 'A', 'c'] | sort }}", []any{"A", "b", "c"}, nil},
		{"min", "{{ [3, 1, 2] | min }}", 1, nil},
		{"max", "{{ [1, 2] | max }}", 2, nil},
		{"max attribute", "{{ users | max(attribute='age') }}", map[string]any{"name": "al", "age": 30, "admin": true}, nil},
		{"sum", "{{ [1, 2, 3] | sum }}", 6, nil},
		{"sum float", "{{ [1, 2.5] | sum }}", 3.5, nil},
		{"sum attribute", "{{ users | sum(attribute='age') }}", 50, nil},
		{"sum start lists", "{{ [[1], [2]] | sum(start=[]) }}", []any{1, 2}, nil},
		{"flatten", "{{ [1, [2, [3]]] | flatten }}", []any{1, 2, 3}, nil},
		{"flatten levels", "{{ [1, [2, [3]]] | flatten(1) }}", []any{1, 2, []any{3}}, nil},
		{"flatten nulls", "{{ [1, none, [none]] | flatten }}", []any{1}, nil},
		{"zip", "{{ [1, 2] | zip(['a', 'b']) | list }}", []any{[]any{1, "a"}, []any{2, "b"}}, nil},
		{"zip short", "{{ [1, 2, 3] | zip(['a']) | list }}", []any{[]any{1, "a"}}, nil},
		{"zip_longest", "{{ [1, 2] | zip_longest(['a']) | list }}", []any{[]any{1, "a"}, []any{2, nil}}, nil},
		{"product", "{{ [1, 2] | product(['a', 'b']) | list }}",
			[]any{[]any{1, "a"}, []any{1, "b"}, []any{2, "a"}, []any{2, "b"}}, nil},
		{"product of three", "{{ [1] | product('ab', [true]) | list }}", []any{[]any{1, "a", true}, []any{1, "b", true}}, nil},
		{"product repeat", "{{ [0, 1] | product(repeat=2) | list }}",
			[]any{[]any{0, 0}, []any{0, 1}, []any{1, 0}, []any{1, 1}}, nil},
		{"product repeat 0", "{{ [1, 2] | product(repeat=0) | list }}", []any{[]any{}}, nil},
		{"product with an empty list", "{{ [1, 2] | product([]) | list }}", []any{}, nil},
		{"product of no list", "{{ 1 | product([2]) }}", nil, ErrRender},
		{"difference", "{{ [1, 2, 2, 3] | difference([2]) }}", []any{1, 3}, nil},
		{"union", "{{ [1, 2] | union([2, 3]) }}", []any{1, 2, 3}, nil},
		{"intersect", "{{ [1, 2] | intersect([2, 3]) }}", []any{2}, nil},
		{"symmetric_difference", "{{ [1, 2] | symmetric_difference([2, 3]) }}", []any{1, 3}, nil},
		{"basename", "{{ '/etc/hosts' | basename }}", "hosts", nil},
		{"basename trailing slash", "{{ '/etc/' | basename }}", "", nil},
		{"dirname", "{{ '/etc/hosts' | dirname }}", "/etc", nil},
		{"dirname root", "{{ '/hosts' | dirname }}", "/", nil},
		{"splitext", "{{ 'a.tar.gz' | splitext }}", []any{"a.tar", ".gz"}, nil},
		{"splitext dotfile", "{{ '/x/.bashrc' | splitext }}", []any{"/x/.bashrc", ""}, nil},
		{"path_join", "{{ ['/etc', 'ssh', 'sshd_config'] | path_join }}", "/etc/ssh/sshd_config", nil},
		{"b64encode", "{{ 'hello' | b64encode }}", "aGVsbG8=", nil},
		{"b64decode", "{{ 'aGVsbG8=' | b64decode }}", "hello", nil},
		{"hash sha1", "{{ 'foo' | hash('sha1') }}", "0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33", nil},
		{"hash default sha1", "{{ 'foo' | hash }}", "0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33", nil},
		{"hash md5", "{{ 'foo' | hash('md5') }}", "acbd18db4cc2f85cedef654fccc4a4d8", nil},
		{"hash sha256", "{{ 'foo' | hash('sha256') }}", "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", nil},
		{"hash bad", "{{ 'foo' | hash('nope') }}", nil, ErrRender},
		{"checksum", "{{ 'foo' | checksum }}", "0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33", nil},
		{"md5", "{{ 'foo' | md5 }}", "acbd18db4cc2f85cedef654fccc4a4d8", nil},
		{"quote safe", "{{ 'ab' | quote }}", "ab", nil},
		{"quote space", "{{ 'a b' | quote }}", "'a b'", nil},
		{"quote single", "{{ \"it's\" | quote }}", `'it'"'"'s'`, nil},
		{"quote empty", "{{ '' | quote }}", "''", nil},
		{"ternary true", "{{ t | ternary('a', 'b') }}", "a", nil},
		{"ternary false", "{{ 0 | ternary('a', 'b') }}", "b", nil},
		{"ternary none", "{{ n | ternary('a', 'b', 'c') }}", "c", nil},
		{"list string", "{{ 'ab' | list }}", []any{"a", "b"}, nil},
		{"list dict keys", "{{ {'b': 1, 'a': 2} | list }}", []any{"a", "b"}, nil},
		{"abs", "{{ -3 | abs }}", 3, nil},
		{"abs float", "{{ -1.5 | abs }}", 1.5, nil},
		{"round", "{{ 2.567 | round(2) }}", pyrepr.Float(2.57), nil},
		{"round default", "{{ 2.5 | round }} {{ 3.5 | round }} {{ 3.7 | round }} {{ -2.5 | round }}", "2.0 4.0 4.0 -2.0", nil},
		{"round int", "{{ 3 | round | int }}", 3, nil},
		{"round floor", "{{ 2.7 | round(0, 'floor') }}", pyrepr.Float(2), nil},
		{"range global", "{{ range(0, 10, 3) | list }}", []any{0, 3, 6, 9}, nil},
		{"batch", "{{ [1, 2, 3, 4, 5] | batch(2) | list }}", []any{[]any{1, 2}, []any{3, 4}, []any{5}}, nil},
		{"expanduser", "{{ '~/x' | expanduser }}", os.Getenv("HOME") + "/x", nil},
		{"expanduser other", "{{ '/x/~' | expanduser }}", "/x/~", nil},
		{"urlencode", "{{ 'a+b/c d' | urlencode }}", "a%2Bb/c%20d", nil},
		{"urlencode dict", "{{ {'a': 'x y', 'b': 1} | urlencode }}", "a=x%20y&b=1", nil},
		{"type_debug int", "{{ 1 | type_debug }}", "int", nil},
		{"type_debug str", "{{ 'x' | type_debug }}", "str", nil},
		{"type_debug list", "{{ [] | type_debug }}", "list", nil},
		{"type_debug dict", "{{ {} | type_debug }}", "dict", nil},
		{"type_debug none", "{{ n | type_debug }}", "NoneType", nil},
		{"type_debug bool", "{{ t | type_debug }}", "bool", nil},
		{"type_debug float", "{{ pi | type_debug }}", "float", nil},
		{"center", "{{ 'abc' | center(9) }}|", "   abc   |", nil},
		{"wordcount", "{{ 'a b c' | wordcount }}", 3, nil},
		{"indent", "{{ 'x\ny' | indent(2) }}", "x\n  y", nil},
		{"indent first", "{{ 'x\ny' | indent(2, true) }}", "  x\n  y", nil},
		{"extract", "{{ 1 | extract(['a', 'b']) }}", "b", nil},
		{"log", "{{ 100 | log(10) }}", 2, nil},
		{"pow", "{{ 2 | pow(10) }}", 1024, nil},
		{"root", "{{ 16 | root }}", 4, nil},
		{"chained", "{{ s | split(',') | map('upper') | reject('equalto', 'B') | join('+') }}", "A+C", nil},
		{"undefined input", "{{ nope | upper }}", nil, ErrUndefined},
		{"undefined argument", "{{ 'a' | replace(nope, 'b') }}", nil, ErrUndefined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Native(tt.in, testVars())
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Template(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if tt.wantErr == nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Template(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

// New's engine reads no environment: lookup('env') gives its default even
// for a variable every process has.
func TestLookupEnvDefaultReadsNothing(t *testing.T) {
	t.Parallel()
	if _, ok := os.LookupEnv("PATH"); !ok {
		t.Skip("PATH is not set")
	}
	got, err := New().Template("{{ lookup('env', 'PATH', default='none') }}", nil)
	if err != nil || got != "none" {
		t.Fatalf("got %#v (%v), want the default", got, err)
	}
}

func TestLookups(t *testing.T) {
	env := map[string]string{"RENDER_TEST_VAR": "v1", "RENDER_TEST_EMPTY": ""}
	e := NewWithConfig(Config{LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	dir := t.TempDir()
	file := filepath.Join(dir, "f.txt")
	if err := os.WriteFile(file, []byte("content\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]any{"path": file, "name": "num", "num": 3}
	tests := []struct {
		name    string
		in      string
		want    any
		wantErr error
	}{
		{"env", "{{ lookup('env', 'RENDER_TEST_VAR') }}", "v1", nil},
		{"env missing", "{{ lookup('env', 'RENDER_TEST_NOPE') }}", "", nil},
		{"env missing default", "{{ lookup('env', 'RENDER_TEST_NOPE', default='d') }}", "d", nil},
		{"env empty is set", "{{ lookup('env', 'RENDER_TEST_EMPTY', default='d') }}", "", nil},
		{"env from Config only", "{{ lookup('env', 'PATH', default='d') }}", "d", nil},
		{"env two", "{{ lookup('env', 'RENDER_TEST_VAR', 'RENDER_TEST_VAR') }}", "v1,v1", nil},
		{"query env", "{{ query('env', 'RENDER_TEST_VAR') }}", []any{"v1"}, nil},
		{"wantlist", "{{ lookup('env', 'RENDER_TEST_VAR', wantlist=True) }}", []any{"v1"}, nil},
		{"file", "{{ lookup('file', path) }}", "content", nil},
		{"file missing", "{{ lookup('file', '/nonexistent/x') }}", nil, ErrRender},
		{"file missing ignored", "{{ lookup('file', '/nonexistent/x', errors='ignore') }}", nil, nil},
		{"vars", "{{ lookup('vars', name) }}", 3, nil},
		{"vars default", "{{ lookup('vars', 'nope', default=1) }}", 1, nil},
		{"vars undefined", "{{ lookup('vars', 'nope') }}", nil, ErrUndefined},
		{"unknown plugin", "{{ lookup('dig', 'example') }}", nil, ErrRender},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Native(tt.in, vars)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Template(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if tt.wantErr == nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Template(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}
