package interpreter

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/pyrepr"
)

// discoverCase is one host as the probe sees it: the two outputs.
type discoverCase struct {
	Name      string   `json:"name"`
	Host      string   `json:"host,omitempty"`
	Mode      string   `json:"mode"`
	Fallback  []string `json:"fallback,omitempty"`
	Bootstrap string   `json:"bootstrap"`
	Platform  string   `json:"platform"`
}

// osRelease is the platform program's output for an os-release text.
func osRelease(content any) string {
	b, _ := json.Marshal(map[string]any{"platform_dist_result": []any{}, "osrelease_content": content})
	return string(b)
}

func found(platform string, paths ...string) string {
	return "PLATFORM\n" + platform + "\nFOUND\n" + strings.Join(append(paths, ""), "\n") + "ENDFOUND\n"
}

const debian12 = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nID=debian\n"

var discoverCases = []discoverCase{
	{Name: "debian 12", Host: "h1", Mode: "auto", Bootstrap: found("Linux", "/usr/bin/python3.11", "/usr/bin/python3"), Platform: osRelease(debian12)},
	{Name: "debian 12 without its python", Host: "h1", Mode: "auto", Bootstrap: found("Linux", "/usr/local/bin/python3.11"), Platform: osRelease(debian12)},
	{Name: "platform python not in the list", Host: "h1", Mode: "auto", Fallback: []string{"python3.11", "/usr/bin/python"},
		Bootstrap: found("Linux", "/root/.pyenv/shims/python3.11"), Platform: osRelease(debian12)},
	{Name: "same, silent", Host: "h1", Mode: "auto_silent", Fallback: []string{"python3.11", "/usr/bin/python"},
		Bootstrap: found("Linux", "/root/.pyenv/shims/python3.11"), Platform: osRelease(debian12)},
	{Name: "legacy", Host: "h1", Mode: "auto_legacy", Bootstrap: found("Linux", "/usr/bin/python3", "/usr/bin/python"), Platform: osRelease(debian12)},
	{Name: "legacy silent", Host: "h1", Mode: "auto_legacy_silent", Bootstrap: found("Linux", "/usr/bin/python3", "/usr/bin/python"), Platform: osRelease(debian12)},
	{Name: "legacy without /usr/bin/python", Host: "h1", Mode: "auto_legacy", Bootstrap: found("Linux", "/usr/bin/python3"), Platform: osRelease(debian12)},
	{Name: "empty mode", Host: "h1", Mode: "", Bootstrap: found("Linux", "/usr/local/bin/python3.11"), Platform: osRelease(debian12)},
	{Name: "centos 7 by family", Host: "c7", Mode: "auto", Bootstrap: found("Linux", "/usr/bin/python"), Platform: osRelease("NAME=\"CentOS Linux\"\nID=\"centos\"\nVERSION_ID=\"7\"\n")},
	{Name: "rhel 8.4", Host: "r8", Mode: "auto", Bootstrap: found("Linux", "/usr/libexec/platform-python", "/usr/bin/python3"), Platform: osRelease("ID=\"rhel\"\nVERSION_ID=\"8.4\"\n")},
	{Name: "rhel 5, older than the table", Host: "r5", Mode: "auto", Bootstrap: found("Linux", "/usr/bin/python"), Platform: osRelease("ID=rhel\nVERSION_ID=5\n")},
	{Name: "rocky 9.2", Host: "r9", Mode: "auto", Bootstrap: found("Linux", "/usr/bin/python3"), Platform: osRelease("ID=\"rocky\"\nVERSION_ID=\"9.2\"\n")},
	{Name: "ubuntu 22.04", Host: "u", Mode: "auto", Bootstrap: found("Linux", "/usr/bin/python3.10", "/usr/bin/python3"), Platform: osRelease("# a comment\nID='ubuntu'\nVERSION_ID=\"22.04\" # trailing\nNAME=Ubuntu\\ Linux\n")},
	{Name: "fedora 38", Host: "f", Mode: "auto", Bootstrap: found("Linux", "/usr/bin/python3"), Platform: osRelease("ID=fedora\nVERSION_ID=38\n")},
	{Name: "debian 10-rc1", Host: "d", Mode: "auto", Bootstrap: found("Linux", "/usr/bin/python3"), Platform: osRelease("ID=debian\nVERSION_ID=10-rc1\n")},
	{Name: "linuxmint is no family", Host: "m", Mode: "auto", Bootstrap: found("Linux", "/usr/bin/python3"), Platform: osRelease("ID=linuxmint\nVERSION_ID=21\n")},
	{Name: "alpine", Host: "a", Mode: "auto", Bootstrap: found("Linux", "/usr/bin/python3"), Platform: osRelease("ID=alpine\nVERSION_ID=3.18.0\n")},
	{Name: "debian sid", Host: "s", Mode: "auto", Bootstrap: found("Linux", "/usr/bin/python3"), Platform: osRelease("ID=debian\nVERSION_ID=sid\n")},
	{Name: "no version", Host: "t", Mode: "auto", Bootstrap: found("Linux", "/usr/bin/python3"), Platform: osRelease("ID=debian\n")},
	{Name: "no os-release", Host: "t", Mode: "auto", Bootstrap: found("Linux", "/usr/bin/python3"), Platform: osRelease(nil)},
	{Name: "unterminated quote", Host: "t", Mode: "auto", Bootstrap: found("Linux", "/usr/bin/python3"), Platform: osRelease("ID=\"debian\nVERSION_ID=12\n")},
	{Name: "platform.dist", Host: "old", Mode: "auto", Bootstrap: found("Linux", "/usr/bin/python"),
		Platform: `{"platform_dist_result": ["centos", "6.10", "Final"], "osrelease_content": null}`},
	{Name: "platform.dist empty", Host: "old", Mode: "auto", Bootstrap: found("Linux", "/usr/bin/python3"),
		Platform: `{"platform_dist_result": ["", "", ""], "osrelease_content": "ID=debian\nVERSION_ID=11\n"}`},
	{Name: "platform program prints nothing", Host: "x", Mode: "auto", Bootstrap: found("Linux", "/usr/bin/python3"), Platform: ""},
	{Name: "platform program prints junk", Host: "x", Mode: "auto", Bootstrap: found("Linux", "/usr/bin/python3"), Platform: osRelease(debian12) + "\nbye"},
	{Name: "platform program prints a list", Host: "x", Mode: "auto", Bootstrap: found("Linux", "/usr/bin/python3"), Platform: "[]"},
	{Name: "silent hides the unhandled error", Host: "x", Mode: "auto_silent", Bootstrap: found("Linux", "/usr/bin/python3"), Platform: ""},
	{Name: "motd before the probe", Host: "x", Mode: "auto", Bootstrap: "Welcome!\n" + found("Linux", "/usr/bin/python3"), Platform: osRelease(debian12)},
	{Name: "darwin", Host: "mac", Mode: "auto", Bootstrap: found("Darwin", "/usr/bin/python3"), Platform: osRelease(debian12)},
	{Name: "no interpreter", Host: "bare", Mode: "auto", Bootstrap: found("Linux"), Platform: osRelease(debian12)},
	{Name: "no interpreter, own list", Host: "bare", Mode: "auto", Fallback: []string{"python3", "/opt/py"}, Bootstrap: found("Linux"), Platform: osRelease(debian12)},
	{Name: "not paths are dropped", Host: "h", Mode: "auto", Bootstrap: "PLATFORM\r\nLinux\r\nFOUND\r\npython3\r\n  /usr/bin/python3\r\n/usr/bin/python3  \r\nENDFOUND\r\n", Platform: osRelease(debian12)},
	{Name: "unknown host", Mode: "auto", Bootstrap: found("Linux", "/usr/local/bin/python3"), Platform: osRelease(debian12)},
}

// cannedRun answers discovery's two commands with a case's outputs and
// records them.
type cannedRun struct {
	c     discoverCase
	calls []call
}

type call struct {
	Cmd   string `json:"cmd"`
	Stdin bool   `json:"stdin"`
}

func (r *cannedRun) run(_ context.Context, script string, stdin []byte) (conn.Result, error) {
	r.calls = append(r.calls, call{Cmd: script, Stdin: stdin != nil})
	if stdin == nil {
		return conn.Result{Stdout: []byte(r.c.Bootstrap)}, nil
	}
	return conn.Result{Stdout: []byte(r.c.Platform)}, nil
}

// TestDiscoveryAgainstAnsible runs each case through ansible-core's own
// discover_interpreter (testdata/discover.py) and through ours: the
// interpreter, the result's warnings, the printed warnings and the
// commands must be the same.
func TestDiscoveryAgainstAnsible(t *testing.T) {
	py := ansiblePython(t)
	var want []struct {
		Interpreter string   `json:"interpreter"`
		Warnings    []string `json:"warnings"`
		Display     []string `json:"display"`
		Calls       []struct {
			Cmd      string `json:"cmd"`
			Sudoable bool   `json:"sudoable"`
			Stdin    bool   `json:"stdin"`
		} `json:"calls"`
	}
	runPython(t, py, "testdata/discover.py", discoverCases, &want)
	if len(want) != len(discoverCases) {
		t.Fatalf("%d answers for %d cases", len(want), len(discoverCases))
	}
	for i, c := range discoverCases {
		t.Run(c.Name, func(t *testing.T) {
			w := want[i]
			r := &cannedRun{c: c}
			fallback := c.Fallback
			if fallback == nil {
				fallback = DefaultPythonFallback
			}
			d, err := discover(testCtx(t, 10*time.Second), r.run, c.Host, c.Mode, fallback, func(string) {})
			if err != nil {
				t.Fatal(err)
			}
			if d.interpreter != w.Interpreter {
				t.Errorf("interpreter %q, want %q", d.interpreter, w.Interpreter)
			}
			if !reflect.DeepEqual(d.warnings, w.Warnings) && len(d.warnings)+len(w.Warnings) > 0 {
				t.Errorf("warnings\n got %q\nwant %q", d.warnings, w.Warnings)
			}
			if !reflect.DeepEqual(d.display, w.Display) && len(d.display)+len(w.Display) > 0 {
				t.Errorf("display\n got %q\nwant %q", d.display, w.Display)
			}
			if len(r.calls) != len(w.Calls) {
				t.Fatalf("calls %v, want %v", r.calls, w.Calls)
			}
			for j, wc := range w.Calls {
				if r.calls[j].Cmd != wc.Cmd || r.calls[j].Stdin != wc.Stdin || wc.Sudoable {
					t.Errorf("call %d: %+v, want %+v (never sudoable)", j, r.calls[j], wc)
				}
			}
		})
	}
}

func TestLooseVersionOrder(t *testing.T) {
	tests := []struct {
		a, b    string
		less    bool
		wantErr string
	}{
		{a: "8", b: "10", less: true},
		{a: "8.4", b: "8", less: false},
		{a: "8", b: "8.4", less: true},
		{a: "08", b: "8", less: false},
		{a: "10-rc1", b: "10", less: false},
		{a: "1.2a", b: "1.2b", less: true},
		{a: "sid", b: "8", wantErr: "'<' not supported between instances of 'str' and 'int'"},
		{a: "8", b: "sid", wantErr: "'<' not supported between instances of 'int' and 'str'"},
		{a: "99999999999999999999", b: "100000000000000000000", less: true},
	}
	for _, tt := range tests {
		less, err := parseLoose(tt.a).less(parseLoose(tt.b))
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%s < %s: %v, want %q", tt.a, tt.b, err, tt.wantErr)
			}
			continue
		}
		if err != nil || less != tt.less {
			t.Errorf("%s < %s: %v %v, want %v", tt.a, tt.b, less, err, tt.less)
		}
	}
}

func TestShlexSplit(t *testing.T) {
	tests := []struct {
		in       string
		comments bool
		want     []string
		wantErr  string
	}{
		{in: `/usr/bin/env python3 -u`, want: []string{"/usr/bin/env", "python3", "-u"}},
		{in: `'a b'c "d\"e\x" f\ g ''`, want: []string{"a bc", `d"e\x`, "f g", ""}},
		{in: "A=1#c\nB='#x' # y\nC=\"q\"", comments: true, want: []string{"A=1", "B=#x", "C=q"}},
		{in: "A=1#c", want: []string{"A=1#c"}},
		{in: `a "b`, wantErr: "No closing quotation"},
		{in: `a\`, wantErr: "No escaped character"},
	}
	for _, tt := range tests {
		got, err := shlexSplit(tt.in, tt.comments)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%q: %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: %q %v, want %q", tt.in, got, err, tt.want)
		}
	}
	if got := pyrepr.ShlexQuote("it's $x"); got != `'it'"'"'s $x'` {
		t.Errorf("ShlexQuote: %s", got)
	}
}

// countingConn answers discovery like a Debian 12 host and counts the
// probes; it fails them while fail is set.
type countingConn struct {
	probes atomic.Int64
	fail   atomic.Bool
	gate   chan struct{} // when set, probes wait for it
}

func (c *countingConn) Run(ctx context.Context, cmd conn.Command) (conn.Result, error) {
	if strings.HasPrefix(cmd.Script, "echo PLATFORM") {
		c.probes.Add(1)
		if c.gate != nil {
			select {
			case <-c.gate:
			case <-ctx.Done():
				return conn.Result{}, ctx.Err()
			}
		}
		if c.fail.Load() {
			return conn.Result{}, &conn.UnreachableError{Host: "h", Err: errors.New("refused")}
		}
		return conn.Result{Stdout: []byte(found("Linux", "/usr/bin/python3"))}, nil
	}
	if cmd.Stdin != nil && cmd.Script == "/usr/bin/python3" && string(cmd.Stdin) == platformScript {
		return conn.Result{Stdout: []byte(osRelease(debian12))}, nil
	}
	return conn.Result{RC: 1}, nil
}

// TestDiscoveryCache: one probe per host and settings however many tasks
// ask at once; a failed probe is not kept; Forget drops the answer; a
// fact passed in skips discovery.
func TestDiscoveryCache(t *testing.T) {
	r := newTestRunner(t)
	c := &countingConn{gate: make(chan struct{})}
	ctx := testCtx(t, 30*time.Second)
	task := Task{Host: "h", Module: "m", Style: StyleNew, Shebang: AnsiballZShebang, Payload: []byte("x")}
	var wg sync.WaitGroup
	choices := make([]Choice, 8)
	for i := range choices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch, err := r.Interpreter(ctx, c, task)
			if err != nil {
				t.Error(err)
			}
			choices[i] = ch
		}()
	}
	waitUntil(t, func() bool { return c.probes.Load() == 1 })
	close(c.gate)
	wg.Wait()
	for _, ch := range choices {
		if ch.Shebang != "#!/usr/bin/python3" || !ch.Discovered || ch.Facts["discovered_interpreter_python"] != "/usr/bin/python3" {
			t.Fatalf("choice %+v", ch)
		}
	}
	if n := c.probes.Load(); n != 1 {
		t.Fatalf("%d probes for one host, want 1", n)
	}
	other := task
	other.Host = "h2"
	if _, err := r.Interpreter(ctx, c, other); err != nil || c.probes.Load() != 2 {
		t.Fatalf("another host: %v, %d probes", err, c.probes.Load())
	}
	silent := task
	silent.Interpreters = map[string]string{"python": "auto_silent"}
	if _, err := r.Interpreter(ctx, c, silent); err != nil || c.probes.Load() != 3 {
		t.Fatalf("another mode: %v, %d probes", err, c.probes.Load())
	}
	withFact := task
	withFact.DiscoveredPython = "/usr/bin/python3.9"
	ch, err := r.Interpreter(ctx, c, withFact)
	if err != nil || ch.Shebang != "#!/usr/bin/python3.9" || ch.Discovered || ch.Facts != nil || c.probes.Load() != 3 {
		t.Fatalf("with the fact: %+v %v, %d probes", ch, err, c.probes.Load())
	}

	r.Forget("h")
	c.fail.Store(true)
	if _, err := r.Interpreter(ctx, c, task); !errors.Is(err, conn.ErrUnreachable) {
		t.Fatalf("unreachable: %v", err)
	}
	c.fail.Store(false)
	if _, err := r.Interpreter(ctx, c, task); err != nil || c.probes.Load() != 5 {
		t.Fatalf("after a failed probe: %v, %d probes, want a new one", err, c.probes.Load())
	}
}

// TestInterpreterChoice covers _get_shebang's rules without a host.
func TestInterpreterChoice(t *testing.T) {
	r := newTestRunner(t)
	none := connFunc(func(context.Context, conn.Command) (conn.Result, error) {
		return conn.Result{}, errors.New("no command expected")
	})
	tests := []struct {
		name    string
		task    Task
		want    string
		wantErr error
	}{
		{name: "python set", task: Task{Shebang: AnsiballZShebang, Interpreters: map[string]string{"python": " /opt/py/bin/python3 "}}, want: "#!/opt/py/bin/python3"},
		{name: "python with args", task: Task{Shebang: AnsiballZShebang, Interpreters: map[string]string{"python": "/usr/bin/env python3"}}, want: "#!/usr/bin/env python3"},
		{name: "fact given", task: Task{Shebang: AnsiballZShebang, DiscoveredPython: "/usr/bin/python3"}, want: "#!/usr/bin/python3"},
		{name: "from the payload", task: Task{Payload: []byte("#!/usr/bin/python\nprint(1)\n"), DiscoveredPython: "/p3"}, want: "#!/p3"},
		{name: "env python keeps its args", task: Task{Payload: []byte("#!/usr/bin/env python\n")}, want: "#!/usr/bin/env python"},
		{name: "env with an override", task: Task{Payload: []byte("#!/usr/bin/env python\n"), Interpreters: map[string]string{"env": "/bin/env"}}, want: "#!/bin/env python"},
		{name: "python3 is not python", task: Task{Payload: []byte("#!/usr/bin/python3 -u\n")}, want: "#!/usr/bin/python3 -u"},
		{name: "sh override", task: Task{Payload: []byte("#!/bin/sh\n"), Interpreters: map[string]string{"sh": "/bin/bash"}}, want: "#!/bin/bash"},
		{name: "empty override", task: Task{Payload: []byte("#!/bin/sh\n"), Interpreters: map[string]string{"sh": ""}}, want: "#!/bin/sh"},
		{name: "binary", task: Task{Style: StyleBinary, Payload: []byte("\x7fELF")}, want: ""},
		{name: "no line", task: Task{Module: "mymod", Payload: []byte("echo hi\n")}, wantErr: ErrNoShebang},
		{name: "empty line", task: Task{Module: "mymod", Payload: []byte("#!\n")}, wantErr: ErrNoShebang},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := r.Interpreter(testCtx(t, 10*time.Second), none, tt.task)
			if tt.wantErr != nil {
				var me *ModuleError
				if !errors.Is(err, tt.wantErr) || !errors.As(err, &me) || me.Msg != "module (mymod) is missing interpreter line" {
					t.Fatalf("%v, want %v with Ansible's message", err, tt.wantErr)
				}
				return
			}
			if err != nil || ch.Shebang != tt.want || ch.Discovered {
				t.Fatalf("%+v %v, want %q", ch, err, tt.want)
			}
		})
	}
}

type connFunc func(context.Context, conn.Command) (conn.Result, error)

func (f connFunc) Run(ctx context.Context, c conn.Command) (conn.Result, error) { return f(ctx, c) }
