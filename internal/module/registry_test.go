package module

import (
	"errors"
	"slices"
	"testing"
)

func TestLookup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		want     string
		kind     Kind
		async    bool
		freeForm bool
	}{
		{"command", "command", Host, true, true},
		{"ansible.builtin.shell", "shell", Host, true, true},
		{"ansible.legacy.raw", "raw", Host, false, true},
		{"copy", "copy", Host, false, false},
		{"file", "file", Host, true, false},
		{"wait_for", "wait_for", Host, true, false},
		{"debug", "debug", Controller, false, false},
		{"ansible.builtin.async_status", "async_status", Controller, false, false},
		{"meta", "meta", Controller, false, true},
		{"include_tasks", "include_tasks", Controller, false, true},
		{"wait_for_connection", "wait_for_connection", Controller, false, false},
		{"template", "template", Controller, false, false},
	}
	for _, tt := range tests {
		info, ok := Lookup(tt.name)
		if !ok || info.Name != tt.want || info.Kind != tt.kind || info.Async != tt.async || info.FreeForm != tt.freeForm {
			t.Errorf("Lookup(%q) = %+v, %v", tt.name, info, ok)
		}
	}
	if _, ok := Lookup("community.general.nope"); ok {
		t.Error("unknown module found")
	}
	info, _ := Lookup("file")
	for _, p := range []string{"path", "dest", "name", "mode", "attr", "state"} {
		if !info.Params[p] {
			t.Errorf("file does not accept %s", p)
		}
	}
	if info, _ := Lookup("copy"); info.Params["_content_b64"] {
		t.Error("copy lists the private _content_b64")
	}
	if info, _ := Lookup("set_fact"); !info.AnyParams {
		t.Error("set_fact does not take any key")
	}
	names := Names()
	if !slices.IsSorted(names) || !slices.Contains(names, "systemd") || !slices.Contains(names, "pause") {
		t.Errorf("Names() = %v", names)
	}
	for _, n := range names {
		info, _ := Lookup(n)
		if _, ok := modules[n]; ok != (info.Kind == Host) {
			t.Errorf("%s: kind %v but implemented %v", n, info.Kind, ok)
		}
	}
}

// The messages are ansible-core 2.14's, as seen running the modules.
func TestCheckArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mod     string
		args    map[string]any
		wantMsg string
	}{
		{"file", map[string]any{"path": "/x", "foo": 1}, "Unsupported parameters for (file) module: foo. Supported parameters include: _diff_peek, _original_basename, access_time, access_time_format, attributes, follow, force, group, mode, modification_time, modification_time_format, owner, path, recurse, selevel, serole, setype, seuser, src, state, unsafe_writes (attr, dest, name)."},
		{"ansible.builtin.file", map[string]any{"path": "/x", "foo": 1}, "Unsupported parameters for (ansible.builtin.file) module: foo. Supported parameters include: _diff_peek, _original_basename, access_time, access_time_format, attributes, follow, force, group, mode, modification_time, modification_time_format, owner, path, recurse, selevel, serole, setype, seuser, src, state, unsafe_writes (attr, dest, name)."},
		{"ansible.builtin.command", map[string]any{"cmd": "echo", "foo": 1}, "Unsupported parameters for (ansible.legacy.command) module: foo. Supported parameters include: _raw_params, _uses_shell, argv, chdir, creates, executable, removes, stdin, stdin_add_newline, strip_empty_ends."},
		{"ansible.builtin.ping", map[string]any{"x": 1}, "Unsupported parameters for (ansible.builtin.ping) module: x. Supported parameters include: data."},
		{"file", map[string]any{"path": "/x", "state": "bogus"}, "value of state must be one of: absent, directory, file, hard, link, touch, got: bogus"},
		{"file", map[string]any{"state": "absent"}, "missing required arguments: path"},
		{"wait_for", map[string]any{"timeout": "abc"}, "argument 'timeout' is of type <class 'str'> and we were unable to convert to int: <class 'str'> cannot be converted to an int"},
		{"service", map[string]any{"name": "x"}, "one of the following is required: state, enabled"},
		{"debug", map[string]any{"msg": "a", "var": "b"}, "parameters are mutually exclusive: msg|var"},
		{"async_status", map[string]any{}, "missing required arguments: jid"},
		{"file", map[string]any{"dest": "/x", "mode": "0644"}, ""},
		{"command", map[string]any{"_raw_params": "echo", "chdir": "/"}, ""},
		{"set_fact", map[string]any{"anything": 1, "cacheable": true}, ""},
		{"wait_for", map[string]any{"port": "8080", "timeout": 3.0}, ""},
	}
	for _, tt := range tests {
		err := CheckArgs(tt.mod, tt.args)
		if tt.wantMsg == "" {
			if err != nil {
				t.Errorf("CheckArgs(%s, %v) = %v", tt.mod, tt.args, err)
			}
			continue
		}
		if !errors.Is(err, ErrBadArgs) || ArgsMsg(err) != tt.wantMsg {
			t.Errorf("CheckArgs(%s, %v) = %v\nwant msg %s", tt.mod, tt.args, err, tt.wantMsg)
		}
	}
	if err := CheckArgs("nope", nil); !errors.Is(err, ErrUnknownModule) {
		t.Errorf("CheckArgs(nope) = %v", err)
	}
}
