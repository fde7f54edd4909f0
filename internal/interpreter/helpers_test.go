package interpreter

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// ansiblePython returns the Python that ansible-core is installed for
// (the one ansible-playbook's interpreter line names), skipping the test
// when there is none, unless CI is set: there it fails.
func ansiblePython(t *testing.T) string {
	t.Helper()
	missing := func(why string) string {
		if os.Getenv("CI") != "" {
			t.Fatalf("ansible-core is required in CI: %s", why)
		}
		t.Skipf("no ansible-core: %s", why)
		return ""
	}
	p, err := exec.LookPath("ansible-playbook")
	if err != nil {
		return missing(err.Error())
	}
	f, err := os.Open(p)
	if err != nil {
		return missing(err.Error())
	}
	defer func() { _ = f.Close() }()
	line, _ := bufio.NewReader(f).ReadString('\n')
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if len(fields) == 0 {
		return missing("ansible-playbook has no interpreter line")
	}
	py := fields[0]
	if len(fields) > 1 && strings.HasSuffix(py, "/env") {
		py = fields[1]
	}
	ctx := testCtx(t, time.Minute)
	if out, err := exec.CommandContext(ctx, py, "-c", "import ansible.plugins.action").CombinedOutput(); err != nil {
		return missing(string(out))
	}
	return py
}

// runPython runs script with py, input as JSON on stdin, and decodes its
// JSON output into out.
func runPython(t *testing.T, py, script string, input, out any) {
	t.Helper()
	in, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(testCtx(t, 2*time.Minute), py, script)
	cmd.Stdin = bytes.NewReader(in)
	cmd.Env = append(os.Environ(), "ANSIBLE_NOCOLOR=1", "ANSIBLE_DEPRECATION_WARNINGS=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, stderr.Bytes())
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s: %v\n%s", script, err, b)
	}
}

func testCtx(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func newTestRunner(t testing.TB) *Runner {
	t.Helper()
	r, err := New(Config{Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.DebugLevel)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// plain is v through JSON and back with float numbers, so that values of
// Go and of Python compare with reflect.DeepEqual.
func plain(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// waitUntil polls cond for up to 10 seconds.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
