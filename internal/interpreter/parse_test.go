package interpreter

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/jetplay/jetplay/internal/conn"
)

// postCase is one command result to post-process, as both we and
// ansible-core's _execute_module see it.
type postCase struct {
	Name               string   `json:"name"`
	Style              Style    `json:"style"`
	Shebang            *string  `json:"shebang"`
	RC                 int      `json:"rc"`
	Stdout             string   `json:"stdout"`
	Stderr             string   `json:"stderr"`
	Discovered         string   `json:"discovered,omitempty"`
	DiscoveryWarnings  []string `json:"discovery_warnings,omitempty"`
	wantParsed         bool
	wantMsg, wantNoKey string
}

func str(s string) *string { return &s }

var traceback = "Traceback (most recent call last):\n  File \"<stdin>\", line 3, in <module>\nValueError: boom\n"

var postCases = []postCase{
	{Name: "json only", Stdout: `{"changed": true, "msg": "hi", "n": 1, "f": 1.5, "l": [1, "a", null]}` + "\n", wantParsed: true},
	{Name: "junk before", Stdout: "Last login: yesterday\nmotd {not json\n  {\"a\": 1}\n", wantParsed: true},
	{Name: "junk after", Stdout: "{\"a\": 1}\ntrailing junk\n\nmore\n", wantParsed: true},
	{Name: "blank lines after", Stdout: "{\"a\": 1}\n\n   \n", wantParsed: true},
	{Name: "spaces around the braces", Stdout: "junk\n \t{\"a\":\n 1}  \t\njunk}x\n", wantParsed: true},
	{Name: "multi-line json in junk", Stdout: "junk\r\n{\n  \"a\": {\"b\": [1,\n 2]}\n}\r\nbye\n", wantParsed: true},
	{Name: "separators split lines", Stdout: "junk\f{\"a\": 1}\x1cjunk", wantParsed: true},
	{Name: "nothing", wantMsg: MsgModuleFailure},
	{Name: "only junk", Stdout: "hello\n", Stderr: "some error\n", RC: 3, wantMsg: MsgModuleFailure},
	{Name: "traceback on stderr", Stderr: traceback, RC: 1, wantMsg: MsgModuleFailure},
	{Name: "traceback on stdout", Stdout: traceback, RC: 1, wantMsg: MsgModuleFailure},
	{Name: "traceback after output", Stdout: "partial\n", Stderr: "warning: x\n" + traceback, RC: 1, wantMsg: MsgModuleFailure},
	{Name: "missing interpreter (dash)", Shebang: str("#!/usr/bin/nopython"), Stderr: "/bin/sh: 1: /usr/bin/nopython: not found\n", RC: 127, wantMsg: MsgSetInterpreter},
	{Name: "missing interpreter (bash)", Shebang: str("#!/opt/py/bin/python3"), Stderr: "bash: line 1: /opt/py/bin/python3: No such file or directory\n", RC: 127, wantMsg: MsgSetInterpreter},
	{Name: "another program missing", Shebang: str("#!/usr/bin/python3"), Stderr: "/bin/sh: 1: /usr/bin/other: not found\n", RC: 127, wantMsg: MsgModuleFailure},
	{Name: "binary has no interpreter", Style: StyleBinary, Shebang: nil, Stderr: "/bin/sh: 1: /tmp/x: not found\n", RC: 127, wantMsg: MsgModuleFailure},
	{Name: "bad json", Stdout: "{not json}\n", RC: 0, wantMsg: MsgModuleFailure},
	{Name: "two objects", Stdout: "{\"a\": 1}\n{\"b\": 2}\n", wantMsg: MsgModuleFailure},
	{Name: "internal keys", Stdout: `{"_ansible_no_log": true, "_ansible_verbose_always": "yes", "add_host": {"host_name": "h"}, "add_group": "g", "_ansible_parsed": "x", "_ansible_suppress_tmpdir_delete": true, "warnings": [], "deprecations": [], "ok": 1}`, wantParsed: true, wantNoKey: "_ansible_no_log"},
	{Name: "repeated keys", Stdout: `{"a": 1, "_ansible_z": 1, "_ansible_a": 2, "a": 2, "_ansible_z": 3}`, wantParsed: true, wantNoKey: "_ansible_z"},
	{Name: "empty warnings only", Stdout: `{"warnings": null, "deprecations": ""}`, wantParsed: true, wantNoKey: "warnings"},
	{Name: "results a dict", Stdout: `{"results": {"a": 1}}`, wantParsed: true, wantNoKey: "results"},
	{Name: "results a string", Stdout: `{"results": "text"}`, wantParsed: true, wantNoKey: "results"},
	{Name: "results a number", Stdout: `{"results": 0}`, wantParsed: true, wantNoKey: "results"},
	{Name: "results a list", Stdout: `{"results": [1, 2]}`, wantParsed: true},
	{Name: "stdout lines", Stdout: `{"stdout": "a\nb\r\nc\rd\u2028e", "stderr": ""}`, wantParsed: true},
	{Name: "stdout null", Stdout: `{"stdout": null, "stderr": false}`, wantParsed: true},
	{Name: "stdout lines given", Stdout: `{"stdout": "x", "stdout_lines": ["kept"]}`, wantParsed: true},
	{Name: "module sets discovered facts", Stdout: `{"ansible_facts": {"discovered_interpreter_python": "/x", "ansible_discovered_interpreter_perl": "/y", "mine": 1}}`, wantParsed: true},
	{Name: "discovered, module warnings", Stdout: `{"warnings": ["w1"], "deprecations": [{"msg": "d", "version": "2.0"}], "ansible_facts": {"a": 1}}`,
		Discovered: "/usr/bin/python3", DiscoveryWarnings: []string{"Platform linux on host h is using ..."}, wantParsed: true},
	{Name: "discovered, no facts", Stdout: `{"changed": false}`, Discovered: "/usr/bin/python3.11", wantParsed: true},
	{Name: "discovered, missing", Shebang: str("#!/usr/bin/python"), Stderr: "/bin/sh: 1: /usr/bin/python: not found\n", RC: 127,
		Discovered: "/usr/bin/python", DiscoveryWarnings: []string{"No python interpreters found for host h (tried ['python3'])"}, wantMsg: MsgSetInterpreter},
	{Name: "unicode", Stdout: "é junk\n{\"msg\": \"héllo \\u00e9 ☃\"}\n", wantParsed: true},
}

// post runs our post-processing on c.
func (c postCase) post() (map[string]any, bool, []string) {
	var display []string
	used := ""
	if c.Shebang != nil {
		used = *c.Shebang
	}
	data, order, parsed := parseReturned(conn.Result{RC: c.RC, Stdout: []byte(c.Stdout), Stderr: []byte(c.Stderr)}, used, &display)
	var disc *discovery
	if c.Discovered != "" {
		disc = &discovery{interpreter: c.Discovered, warnings: c.DiscoveryWarnings}
	}
	postProcess(data, order, disc, &display)
	return data, parsed, display
}

func fillPostCases() []postCase {
	cases := make([]postCase, len(postCases))
	for i, c := range postCases {
		if c.Style == "" {
			c.Style = StyleNew
		}
		if c.Shebang == nil && c.Style != StyleBinary {
			c.Shebang = str("#!/usr/bin/python3")
		}
		cases[i] = c
	}
	return cases
}

// TestPostProcessingAgainstAnsible runs each case through ansible-core's
// own _execute_module (testdata/execute_module.py) and through ours: the
// values and the printed warnings must be the same.
func TestPostProcessingAgainstAnsible(t *testing.T) {
	py := ansiblePython(t)
	cases := fillPostCases()
	var want []struct {
		Values  map[string]any `json:"values"`
		Display []string       `json:"display"`
	}
	runPython(t, py, "testdata/execute_module.py", cases, &want)
	if len(want) != len(cases) {
		t.Fatalf("%d answers for %d cases", len(want), len(cases))
	}
	for i, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			got, parsed, display := c.post()
			if !reflect.DeepEqual(plain(t, got), plain(t, want[i].Values)) {
				t.Errorf("values\n got %v\nwant %v", plain(t, got), plain(t, want[i].Values))
			}
			if !reflect.DeepEqual(display, want[i].Display) && !(len(display) == 0 && len(want[i].Display) == 0) {
				t.Errorf("display\n got %q\nwant %q", display, want[i].Display)
			}
			if parsed != c.wantParsed {
				t.Errorf("parsed %v, want %v", parsed, c.wantParsed)
			}
			if c.wantMsg != "" && got["msg"] != c.wantMsg {
				t.Errorf("msg %q, want %q", got["msg"], c.wantMsg)
			}
			if _, ok := got[c.wantNoKey]; c.wantNoKey != "" && ok {
				t.Errorf("%s is still in the result", c.wantNoKey)
			}
		})
	}
}

// TestPostProcessing checks what the cases must come to without Ansible
// at hand (the differential test above checks them against Ansible).
func TestPostProcessing(t *testing.T) {
	for _, c := range fillPostCases() {
		t.Run(c.Name, func(t *testing.T) {
			got, parsed, _ := c.post()
			if parsed != c.wantParsed {
				t.Fatalf("parsed %v, want %v: %v", parsed, c.wantParsed, got)
			}
			if got["_ansible_parsed"] != parsed {
				t.Errorf("_ansible_parsed %v, want %v", got["_ansible_parsed"], parsed)
			}
			if c.wantMsg != "" && got["msg"] != c.wantMsg {
				t.Errorf("msg %q, want %q", got["msg"], c.wantMsg)
			}
			if _, ok := got[c.wantNoKey]; c.wantNoKey != "" && ok {
				t.Errorf("%s is still in the result", c.wantNoKey)
			}
			if !parsed {
				if got["module_stdout"] != c.Stdout || got["module_stderr"] != c.Stderr || got["rc"] != c.RC || got["failed"] != true {
					t.Errorf("failure result %v", got)
				}
				_, exc := got["exception"]
				if want := strings.HasPrefix(c.Stderr, "Traceback") || strings.HasPrefix(c.Stdout, "Traceback"); exc != want {
					t.Errorf("exception %v, want %v", exc, want)
				}
			}
			if c.Discovered != "" {
				facts, _ := got["ansible_facts"].(map[string]any)
				if facts["discovered_interpreter_python"] != c.Discovered {
					t.Errorf("facts %v, want discovered_interpreter_python %s", facts, c.Discovered)
				}
			}
		})
	}
}

func TestFilterNonJSONLines(t *testing.T) {
	tests := []struct {
		in, want string
		warnings int
		wantErr  bool
	}{
		{in: `{"a": 1}`, want: `{"a": 1}`},
		{in: "x\n {\"a\": 1} \ny", want: " {\"a\": 1} ", warnings: 1},
		{in: "x\n[1]\n", wantErr: true}, // objects only
		{in: "{\n", wantErr: true},
		{in: "", wantErr: true},
		{in: "{}\n\n", want: "{}"},
	}
	for _, tt := range tests {
		got, w, err := filterNonJSONLines(tt.in)
		if (err != nil) != tt.wantErr || err != nil && !errors.Is(err, errNoJSON) {
			t.Errorf("%q: err %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want || len(w) != tt.warnings {
			t.Errorf("%q: got %q %q, want %q and %d warnings", tt.in, got, w, tt.want, tt.warnings)
		}
	}
}

func TestPyJSONLoadsErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "Expecting value: line 1 column 1 (char 0)"},
		{"  \n ", "Expecting value: line 2 column 2 (char 4)"},
		{"bash: python: not found", "Expecting value: line 1 column 1 (char 0)"},
		{"{\"a\": 1}\nxé", "Extra data: line 2 column 1 (char 9)"},
		{"é{}", "Expecting value: line 1 column 1 (char 0)"},
	}
	for _, tt := range tests {
		_, err := pyJSONLoads(tt.in, false)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q: %v, want %q", tt.in, err, tt.want)
		}
	}
	if v, err := pyJSONLoads(" {\"n\": 10000000000000000001}\n", true); err != nil || v.(map[string]any)["n"].(interface{ String() string }).String() != "10000000000000000001" {
		t.Errorf("big integer: %v %v", v, err)
	}
}
