package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
)

// readmeMarker precedes the README's fenced block of nats CLI commands.
const readmeMarker = "<!-- natscli-test:"

// natsCLI finds the nats command: on PATH, or where scripts/test installs it
// ($(go env GOPATH)/bin). Without it the test is skipped, unless CI is set.
func natsCLI(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("nats"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			p := filepath.Join(dir, "bin", "nats")
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("the nats CLI is not installed (scripts/test installs it: go install github.com/nats-io/natscli/nats@v0.5.0)")
	}
	t.Skip("the nats CLI is not installed; bash scripts/test installs it")
	return ""
}

// readmeCommands returns the lines of the README's marked shell block.
func readmeCommands(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(data), readmeMarker)
	if !ok {
		t.Fatalf("README.md has no %q block", readmeMarker)
	}
	_, after, ok = strings.Cut(after, "```sh\n")
	if !ok {
		t.Fatal("README.md: no ```sh block after the natscli-test marker")
	}
	block, _, ok := strings.Cut(after, "```")
	if !ok {
		t.Fatal("README.md: the natscli-test block does not end")
	}
	return strings.Split(strings.TrimRight(block, "\n"), "\n")
}

// TestNatsCLISubmitsAJob: the README's nats CLI commands, run as they are
// with the producer's credentials against the secure config, submit
// examples/api/task.json; an executor (executor role) runs it; the CLI's
// KV watch sees it end and its KV get shows the result.
func TestNatsCLISubmitsAJob(t *testing.T) {
	t.Parallel()
	natsBin := natsCLI(t)
	lines := readmeCommands(t)
	watchAt, getAt := -1, -1
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "nats kv watch "):
			watchAt = i
		case strings.HasPrefix(l, "nats kv get "):
			getAt = i
		}
	}
	if watchAt < 0 || getAt < watchAt {
		t.Fatalf("README block: want a `nats kv watch` line, then a `nats kv get` line:\n%s", strings.Join(lines, "\n"))
	}

	sc := startSecure(t, busConfig())
	e := sc.role(t, "executor")
	runExecutor(t, executor.Config{Bus: e.bus, Name: "ex-cli", Concurrency: 2})

	// The commands run from a directory laid out like the repository's root.
	dir := t.TempDir()
	task, err := os.ReadFile(filepath.Join(repoRoot(t), "examples", "api", "task.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "examples", "api"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "examples", "api"), "task.json", string(task))
	home := t.TempDir() // no nats contexts of whoever runs the test
	env := append(os.Environ(),
		"NATS_URL="+sc.url, "NATS_USER=producer", "NATS_PASSWORD="+sc.passwords["producer"],
		"NATS_CONTEXT=", "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"PATH="+filepath.Dir(natsBin)+string(os.PathListSeparator)+os.Getenv("PATH"),
	)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bash := func(script string, extraEnv ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, "bash", "-c", script)
		cmd.Dir = dir
		cmd.Env = append(env, extraEnv...)
		return cmd
	}

	// Submit: every line before the watch, then tell the test the jid.
	submit := bash("set -e\n" + strings.Join(lines[:watchAt], "\n") + "\nprintf 'JID=%s\\n' \"$JID\"\n")
	out, err := submit.CombinedOutput()
	if err != nil {
		t.Fatalf("submit lines: %v\n%s", err, out)
	}
	var jid string
	for _, l := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(l, "JID="); ok {
			jid = v
		}
	}
	if _, err := job.ParseID(jid); err != nil {
		t.Fatalf("the README's lines made no valid jid: %v\n%s", err, out)
	}

	// Watch: the CLI's KV watch shows the job reach a final state.
	watchCmd := bash(lines[watchAt], "JID="+jid)
	stdout, err := watchCmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var watchErr bytes.Buffer
	watchCmd.Stderr = &watchErr
	watchCmd.WaitDelay = 5 * time.Second
	if err := watchCmd.Start(); err != nil {
		t.Fatal(err)
	}
	seen := make(chan string, 1)
	go func() {
		defer close(seen)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if l := sc.Text(); strings.Contains(l, jid) && strings.Contains(l, `"state":"`) && finalLine(l) {
				seen <- l
				return
			}
		}
	}()
	select {
	case l, ok := <-seen:
		if !ok {
			t.Fatalf("kv watch ended without a final state: %s", watchErr.String())
		}
		if !strings.Contains(l, `"state":"succeeded"`) {
			t.Fatalf("kv watch: %s", l)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("kv watch saw no final state; stderr: %s", watchErr.String())
	}
	_ = watchCmd.Process.Kill()
	_ = watchCmd.Wait()

	// Get: the record, raw.
	raw, err := bash(lines[getAt], "JID="+jid).Output()
	if err != nil {
		t.Fatalf("kv get: %v\n%s", err, raw)
	}
	var st job.Status
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatalf("kv get --raw printed no status record: %v\n%s", err, raw)
	}
	if st.JID != job.ID(jid) || st.State != job.Succeeded || fmt.Sprint(st.Result["stdout"]) != "hello from the nats CLI" || st.Executor != "ex-cli" {
		t.Fatalf("record: jid %s state %s executor %s result %v reason %q", st.JID, st.State, st.Executor, st.Result, st.Reason)
	}
	if st.Run != job.ID(jid).Run() || st.Host != "localhost" {
		t.Errorf("record: run %s host %s", st.Run, st.Host)
	}
}

// finalLine reports whether a kv watch line shows a final state.
func finalLine(l string) bool {
	for _, s := range []job.State{job.Succeeded, job.Failed, job.TimedOut, job.Cancelled, job.Lost, job.Rejected} {
		if strings.Contains(l, `"state":"`+string(s)+`"`) {
			return true
		}
	}
	return false
}
