package payload

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestShebang(t *testing.T) {
	task := Task{Python: "/opt/py/bin/python3", Interpreters: map[string]string{"perl": " /opt/perl ", "python3": "/usr/local/bin/python3"}}
	tests := []struct {
		name, src    string
		task         Task
		want, interp string
		wantErr      error
	}{
		{name: "python", src: "#!/usr/bin/python\n", task: task, want: "#!/opt/py/bin/python3", interp: "/opt/py/bin/python3"},
		{name: "python with args", src: "#!/usr/bin/python -tt\n", task: task, want: "#!/opt/py/bin/python3 -tt", interp: "/opt/py/bin/python3"},
		{name: "python3 by its own variable", src: "#!/usr/bin/python3\n", task: task, want: "#!/usr/local/bin/python3", interp: "/usr/local/bin/python3"},
		{name: "python3 unset", src: "#!/usr/bin/python3\n", task: Task{Python: "/p"}, want: "#!/usr/bin/python3", interp: "/usr/bin/python3"},
		{name: "env", src: "#!/usr/bin/env python\n", task: task, want: "#!/usr/bin/env python", interp: "/usr/bin/env"},
		{name: "perl", src: "#! /usr/bin/perl -w  \r\n", task: task, want: "#!/opt/perl -w", interp: "/opt/perl"},
		{name: "quoted", src: "#!'/my dir/sh' \"a b\" c\\ d # comment\n", task: task, want: "#!/my dir/sh a b c d", interp: "/my dir/sh"},
		{name: "python without Task.Python", src: "#!/usr/bin/python\n", wantErr: ErrNeedPython},
		{name: "empty #!", src: "#!\n", task: task, wantErr: ErrNoInterpreter},
		{name: "unclosed quote", src: "#!'/bin/sh\n", task: task, wantErr: errors.New("No closing quotation")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			interp, args, ok, err := extractInterpreter([]byte(tt.src))
			var line, out string
			if err == nil && ok {
				line, out, err = tt.task.shebang(interp, args)
			}
			if tt.wantErr != nil {
				if err == nil || !errors.Is(err, tt.wantErr) && !strings.Contains(err.Error(), tt.wantErr.Error()) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || line != tt.want || out != tt.interp {
				t.Errorf("shebang = %q, %q, %v; want %q, %q", line, out, err, tt.want, tt.interp)
			}
		})
	}
	if _, _, ok, err := extractInterpreter([]byte("import os\n")); ok || err != nil {
		t.Errorf("no #! line: ok %v, err %v", ok, err)
	}
}

func TestParamsLiteral(t *testing.T) {
	got, err := paramsLiteral(map[string]any{"s": "é'\"\\\n😀\x7f", "n": 1, "l": []any{true, nil}})
	if err != nil {
		t.Fatal(err)
	}
	want := `'{"ANSIBLE_MODULE_ARGS": {"l": [true, null], "n": 1, "s": "\\u00e9\'\\"\\\\\\n\\ud83d\\ude00\\u007f"}}'`
	if got != want {
		t.Errorf("paramsLiteral =\n %s\nwant\n %s", got, want)
	}
	for _, r := range got {
		if r < 0x20 || r > 0x7e {
			t.Fatalf("literal holds %q: not ASCII", r)
		}
	}
	if _, err := paramsLiteral(map[string]any{"f": func() {}}); err == nil {
		t.Error("a func argument: no error")
	}
}

func TestModuleArgs(t *testing.T) {
	got := Task{Args: map[string]any{"a": 1, "_ansible_check_mode": "ignored"},
		Internal: Internal{NoLog: true, Verbosity: 2, Tmpdir: "/t"}}.moduleArgs("ping")
	want := map[string]any{
		"a": 1, "_ansible_check_mode": false, "_ansible_no_log": true, "_ansible_debug": false, "_ansible_diff": false,
		"_ansible_verbosity": 2, "_ansible_version": "2.14.18", "_ansible_module_name": "ping",
		"_ansible_syslog_facility":          "LOG_USER",
		"_ansible_selinux_special_fs":       []any{"fuse", "nfs", "vboxsf", "ramfs", "9p", "vfat"},
		"_ansible_string_conversion_action": "warn", "_ansible_socket": nil, "_ansible_shell_executable": "/bin/sh",
		"_ansible_keep_remote_files": false, "_ansible_tmpdir": "/t", "_ansible_remote_tmp": "~/.ansible/tmp",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("moduleArgs =\n %v\nwant\n %v", got, want)
	}
}

func TestScriptAndWrapperErrors(t *testing.T) {
	bin, err := Open("b", "", StyleBinary, []byte("\x7fELF\x00"))
	if err != nil {
		t.Fatal(err)
	}
	script, args, err := bin.Script(Task{Args: map[string]any{"x": "é"}})
	if err != nil || !bytes.Equal(script, bin.Data) || !strings.Contains(string(args), `"x": "\u00e9"`) {
		t.Errorf("binary Script = %q, %q, %v", script, args, err)
	}
	if _, err := bin.Wrapper(Task{}); !errors.Is(err, ErrStyle) {
		t.Errorf("Wrapper of a binary payload: %v, want ErrStyle", err)
	}
	old, err := Open("o", "", StyleOld, []byte("#!/bin/sh\necho\n"))
	if err != nil {
		t.Fatal(err)
	}
	script, args, err = old.Script(Task{Args: map[string]any{"b": "x y", "a": []any{"l", 1}, "c": true}})
	if err != nil {
		t.Fatal(err)
	}
	if string(script) != "#!/bin/sh\necho\n" {
		t.Errorf("old script = %q, want the file unchanged", script)
	}
	if !strings.HasPrefix(string(args), `_ansible_check_mode=False _ansible_debug=False `) ||
		!strings.Contains(string(args), `_ansible_selinux_special_fs='['"'"'fuse'"'"', `) ||
		!strings.HasSuffix(string(args), ` a='['"'"'l'"'"', 1]' b='x y' c=True `) {
		t.Errorf("old args file = %q", args)
	}
	noShebang, err := Open("n", "", StyleWantJSON, []byte("WANT_JSON\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := noShebang.Script(Task{}); !errors.Is(err, ErrNoInterpreter) || !strings.Contains(err.Error(), "module (n) is missing interpreter line") {
		t.Errorf("a module without #!: %v, want Ansible's missing interpreter line", err)
	}
	py, err := Open("p", "", StyleWantJSON, []byte("#!/usr/bin/python\n# WANT_JSON\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := py.Script(Task{}); !errors.Is(err, ErrNeedPython) {
		t.Errorf("python module without Task.Python: %v, want ErrNeedPython", err)
	}
	script, _, err = py.Script(Task{Python: "/usr/bin/python3"})
	if err != nil || string(script) != "#!/usr/bin/python3\n# -*- coding: utf-8 -*-\n# WANT_JSON\n" {
		t.Errorf("python WANT_JSON script = %q, %v", script, err)
	}
	same, _, err := py.Script(Task{Python: "/usr/bin/python"})
	if err != nil || string(same) != "#!/usr/bin/python\n# -*- coding: utf-8 -*-\n# WANT_JSON\n" {
		t.Errorf("python WANT_JSON script, same interpreter = %q, %v", same, err)
	}
}

func TestWrapper(t *testing.T) {
	b := fakeBuilder(t, nil)
	p, err := b.Build(t.Context(), Module{Name: "m", Source: []byte("#!/usr/bin/python\nimport ansible.module_utils.basic\n")})
	if err != nil {
		t.Fatal(err)
	}
	w, err := p.Wrapper(Task{Python: "/usr/bin/python3", Args: map[string]any{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"#!/usr/bin/python3\n# -*- coding: utf-8 -*-\n",
		`params = '{"ANSIBLE_MODULE_ARGS": {"_ansible_check_mode": false, `,
		`"k": "v"}}'`,
		"fqn = 'ansible.modules.m'\n",
		"tempfile.mkdtemp(prefix='ansible_m_payload_')",
		"os.path.join(tmp, 'ansible_m_payload.zip')",
		`_JETPLAY_ZIP = """` + p.blob.base64() + `"""`,
	} {
		if !bytes.Contains(w, []byte(want)) {
			t.Errorf("wrapper lacks %q", want)
		}
	}
	if bytes.Contains(w, []byte("resource")) {
		t.Error("wrapper sets RLIMIT_NOFILE without RlimitNofile")
	}
	w2, err := p.Wrapper(Task{Python: "/usr/bin/python3", Args: map[string]any{"k": "v"}, RlimitNofile: 512})
	if err != nil || !bytes.Contains(w2, []byte("want = min(hard, 512)")) {
		t.Errorf("wrapper with RlimitNofile 512: %v", err)
	}
	if _, err := p.Wrapper(Task{}); !errors.Is(err, ErrNeedPython) {
		t.Errorf("wrapper without Task.Python: %v, want ErrNeedPython", err)
	}
	if _, _, err := p.Script(Task{}); !errors.Is(err, ErrStyle) {
		t.Errorf("Script of a python payload: %v, want ErrStyle", err)
	}
}

func TestOpen(t *testing.T) {
	b := fakeBuilder(t, nil)
	p, err := b.Build(context.Background(), Module{Name: "m", Source: []byte("#!/usr/bin/python\nimport ansible.module_utils.basic\n")})
	if err != nil {
		t.Fatal(err)
	}
	o, err := Open("m", "", StylePython, p.Data)
	if err != nil {
		t.Fatal(err)
	}
	if o.FQN != "ansible.modules.m" || o.SHA256 != p.SHA256 || !slices.Equal(o.Members, p.Members) {
		t.Errorf("Open = %+v, want the built payload's identity", o)
	}
	w1, err := p.Wrapper(Task{Python: "/usr/bin/python3"})
	if err != nil {
		t.Fatal(err)
	}
	w2, err := o.Wrapper(Task{Python: "/usr/bin/python3"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(w1, w2) {
		t.Error("the wrappers of a built and an opened payload differ")
	}
	if _, err := Open("m", "", StylePython, []byte("not a zip")); !errors.Is(err, ErrBadZip) {
		t.Errorf("Open of bytes that are no zip: %v, want ErrBadZip", err)
	}
	if _, err := Open("m", "", Style("nope"), nil); err == nil {
		t.Error("Open of an unknown style: no error")
	}
}
