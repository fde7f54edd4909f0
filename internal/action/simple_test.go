package action

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDebug(t *testing.T) {
	t.Parallel()
	vars := map[string]any{"x": 42, "name": "x"}
	tests := []struct {
		name      string
		args      map[string]any
		verbosity int
		want      map[string]any
	}{
		{"default msg", nil, 0, map[string]any{"changed": false, "failed": false, "msg": "Hello world!", "_ansible_verbose_always": true}},
		{"msg rendered", map[string]any{"msg": "x={{ x }}"}, 0, map[string]any{"changed": false, "failed": false, "msg": "x=42", "_ansible_verbose_always": true}},
		{"var", map[string]any{"var": "x"}, 0, map[string]any{"changed": false, "failed": false, "x": 42, "_ansible_verbose_always": true}},
		{"var undefined", map[string]any{"var": "nope"}, 0, map[string]any{"changed": false, "failed": false, "nope": "VARIABLE IS NOT DEFINED!", "_ansible_verbose_always": true}},
		{"var as written", map[string]any{"var": "{{ name }}"}, 0, map[string]any{"changed": false, "failed": false, "{{ name }}": "x", "_ansible_verbose_always": true}},
		{"below verbosity", map[string]any{"msg": "hi", "verbosity": 2}, 1, map[string]any{"changed": false, "skipped": true, "skipped_reason": "Verbosity threshold not met."}},
		{"at verbosity", map[string]any{"msg": "hi", "verbosity": 1}, 1, map[string]any{"changed": false, "failed": false, "msg": "hi", "_ansible_verbose_always": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCall(t, "debug", tt.args, vars)
			c.Verbosity = tt.verbosity
			o := run(t, c, &fakeEngine{})
			if o.Fault != None || !reflect.DeepEqual(o.Result, tt.want) {
				t.Errorf("debug = %v %v, want %v", o.Fault, o.Result, tt.want)
			}
		})
	}
	c := newCall(t, "debug", map[string]any{"var": "x |"}, vars)
	if o := run(t, c, &fakeEngine{}); o.Result["failed"] != true {
		t.Errorf("debug var with a syntax error = %v, want failed", o.Result)
	}
}

func TestSetFact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		args      map[string]any
		wantFacts map[string]any
	}{
		{"values", map[string]any{"a": 1, "b": "{{ v }}"}, map[string]any{"a": 1, "b": "x"}},
		{"booleans from words", map[string]any{"y": "Yes", "n": "FALSE", "s": "maybe"}, map[string]any{"y": true, "n": false, "s": "maybe"}},
		{"cacheable dropped", map[string]any{"a": 1, "cacheable": true}, map[string]any{"a": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := &fakeEngine{}
			o := run(t, newCall(t, "set_fact", tt.args, map[string]any{"v": "x"}), e)
			want := map[string]any{"changed": false, "ansible_facts": tt.wantFacts}
			if !reflect.DeepEqual(o.Result, want) {
				t.Errorf("set_fact = %v, want %v", o.Result, want)
			}
			if !reflect.DeepEqual(e.facts["h1"], tt.wantFacts) {
				t.Errorf("facts of h1 = %v, want %v", e.facts["h1"], tt.wantFacts)
			}
		})
	}
}

func TestFail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args map[string]any
		want string
	}{
		{"default", nil, "Failed as requested from task"},
		{"msg", map[string]any{"msg": "boom {{ 1 + 1 }}"}, "boom 2"},
		{"non-string msg", map[string]any{"msg": 3}, "3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := run(t, newCall(t, "fail", tt.args, nil), &fakeEngine{})
			want := map[string]any{"failed": true, "changed": false, "msg": tt.want}
			if o.Fault != None || !reflect.DeepEqual(o.Result, want) {
				t.Errorf("fail = %v %v, want %v", o.Fault, o.Result, want)
			}
		})
	}
}

func TestAssert(t *testing.T) {
	t.Parallel()
	vars := map[string]any{"x": 1}
	tests := []struct {
		name string
		args map[string]any
		want map[string]any
	}{
		{"passes", map[string]any{"that": []any{"x == 1", "x > 0"}},
			map[string]any{"changed": false, "failed": false, "msg": "All assertions passed", "_ansible_verbose_always": true}},
		{"one string", map[string]any{"that": "x == 1", "success_msg": "ok"},
			map[string]any{"changed": false, "failed": false, "msg": "ok", "_ansible_verbose_always": true}},
		{"fails", map[string]any{"that": []any{"x == 1", "x == 2"}},
			map[string]any{"failed": true, "changed": false, "assertion": "x == 2", "evaluated_to": false, "msg": "Assertion failed", "_ansible_verbose_always": true}},
		{"fail_msg over msg", map[string]any{"that": "x == 2", "fail_msg": "f", "msg": "m"},
			map[string]any{"failed": true, "changed": false, "assertion": "x == 2", "evaluated_to": false, "msg": "f", "_ansible_verbose_always": true}},
		{"msg", map[string]any{"that": "x == 2", "msg": "m"},
			map[string]any{"failed": true, "changed": false, "assertion": "x == 2", "evaluated_to": false, "msg": "m", "_ansible_verbose_always": true}},
		{"quiet", map[string]any{"that": "x == 1", "quiet": true},
			map[string]any{"changed": false, "failed": false, "msg": "All assertions passed"}},
		{"no that", map[string]any{}, map[string]any{"failed": true, "changed": false, "msg": "missing required arguments: that"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := run(t, newCall(t, "assert", tt.args, vars), &fakeEngine{})
			if !reflect.DeepEqual(o.Result, tt.want) {
				t.Errorf("assert = %v, want %v", o.Result, tt.want)
			}
		})
	}
	o := run(t, newCall(t, "assert", map[string]any{"that": "nope == 1"}, vars), &fakeEngine{})
	if msg, _ := o.Result["msg"].(string); o.Result["failed"] != true || !strings.HasPrefix(msg, "The conditional check 'nope == 1' failed. The error was: ") {
		t.Errorf("assert on an undefined variable = %v", o.Result)
	}
}

func TestPause(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   map[string]any
		stdout string
	}{
		{"seconds", map[string]any{"seconds": "0.01"}, "Paused for 0.01 seconds"},
		{"minutes", map[string]any{"minutes": 0}, "Paused for 0 seconds"},
		{"nothing", nil, "Paused for 0 seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := run(t, newCall(t, "pause", tt.args, nil), &fakeEngine{})
			if o.Result["stdout"] != tt.stdout || o.Result["changed"] != false || o.Result["rc"] != 0 {
				t.Errorf("pause = %v, want stdout %q", o.Result, tt.stdout)
			}
			for _, k := range []string{"start", "stop", "delta", "echo", "user_input", "stderr"} {
				if _, ok := o.Result[k]; !ok {
					t.Errorf("pause result lacks %s: %v", k, o.Result)
				}
			}
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	f, _ := Lookup("pause")
	o := f(ctx, newCall(t, "pause", map[string]any{"minutes": 10}, nil), &fakeEngine{})
	if o.Result["failed"] != true || o.Result["msg"] != context.DeadlineExceeded.Error() {
		t.Errorf("pause past its context = %v, want failed with the context's error", o.Result)
	}
}

func TestIncludeVars(t *testing.T) {
	t.Parallel()
	book := t.TempDir()
	if err := os.MkdirAll(filepath.Join(book, "vars"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(book, "vars", "v.yml")
	if err := os.WriteFile(file, []byte("a: 1\nb: two\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	loaded := map[string]any{"a": 1, "b": "two"}
	tests := []struct {
		name      string
		args      map[string]any
		wantFacts map[string]any
		wantErr   bool
	}{
		{"free form", map[string]any{"_raw_params": "v.yml"}, loaded, false},
		{"file", map[string]any{"file": "v.yml"}, loaded, false},
		{"name", map[string]any{"file": "v.yml", "name": "cfg"}, map[string]any{"cfg": loaded}, false},
		{"missing", map[string]any{"file": "none.yml"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := &fakeEngine{}
			c := newCall(t, "include_vars", tt.args, nil)
			c.BookDir = book
			o := run(t, c, e)
			if tt.wantErr {
				if o.Result["failed"] != true || e.facts != nil {
					t.Errorf("include_vars = %v, facts %v; want failed and no facts", o.Result, e.facts)
				}
				return
			}
			want := map[string]any{"changed": false, "ansible_facts": tt.wantFacts, "ansible_included_var_files": []any{file}}
			if !reflect.DeepEqual(o.Result, want) {
				t.Errorf("include_vars = %v, want %v", o.Result, want)
			}
			if !reflect.DeepEqual(e.facts["h1"], tt.wantFacts) {
				t.Errorf("facts = %v, want %v", e.facts["h1"], tt.wantFacts)
			}
		})
	}
}

func TestValidateArgumentSpec(t *testing.T) {
	t.Parallel()
	spec := map[string]any{"port": map[string]any{"type": "int", "required": true}}
	tests := []struct {
		name       string
		args       map[string]any
		vars       map[string]any
		wantFailed bool
		wantMsg    string
	}{
		{"provided", map[string]any{"argument_spec": spec, "provided_arguments": map[string]any{"port": 80}}, nil, false, "The arg spec validation passed"},
		{"from a task variable", map[string]any{"argument_spec": spec}, map[string]any{"port": "{{ 8000 + 80 }}"}, false, "The arg spec validation passed"},
		{"missing", map[string]any{"argument_spec": spec}, nil, true, "Validation of arguments failed:\nmissing required arguments: port"},
		{"no spec", map[string]any{}, nil, true, `"argument_spec" arg is required in args: map[]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := run(t, newCall(t, "validate_argument_spec", tt.args, tt.vars), &fakeEngine{})
			if (o.Result["failed"] == true) != tt.wantFailed || o.Result["msg"] != tt.wantMsg {
				t.Errorf("validate_argument_spec = %v, want failed %v, msg %q", o.Result, tt.wantFailed, tt.wantMsg)
			}
		})
	}
}
