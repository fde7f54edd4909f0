package difftest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/testenv"
)

// examples are the playbooks of examples/ compared in json form; textExamples
// are also compared in text form.
var (
	examples     = []string{"site", "poll", "fire_and_forget", "many_jobs", "status_report", "parallel_restarts", "timeout"}
	textExamples = []string{"site", "parallel_restarts"}
)

const (
	inventory = "examples/inventory.ini"
	// workers bounds the commands running at once. Ansible runs spend most
	// of their time waiting on sleep jobs, so more than the CI's 2 cores.
	workers = 4
	// runTimeout bounds one command.
	runTimeout = 3 * time.Minute
)

var binDir string // holds the publisher built for this test binary

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "difftest-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// A run is one command's outcome.
type run struct {
	stdout, stderr []byte
	code           int
	err            error // the command did not start, or timed out
	took           time.Duration
}

// A job is one command to run; done is closed when res is set.
type job struct {
	name string
	cmd  func(ctx context.Context) *exec.Cmd
	res  run
	done chan struct{}
}

func TestDiffExamples(t *testing.T) {
	ansible := testenv.LookPath(t, "ansible-playbook")
	root := moduleRoot(t)
	publisher := buildPublisher(t, root)

	newJob := func(name string, cmd func(ctx context.Context) *exec.Cmd) *job {
		return &job{name: name, cmd: cmd, done: make(chan struct{})}
	}
	ansibleJob := func(ex, callback string) *job {
		// HOME stays the real one: with HOME elsewhere, async_wrapper and
		// async_status disagree on where ~/.ansible_async is ("could not
		// find job").
		env := ansibleRunEnv(t, callback)
		return newJob("ansible-playbook "+callback+" "+ex, func(ctx context.Context) *exec.Cmd {
			c := exec.CommandContext(ctx, ansible, "-i", inventory, "examples/"+ex+".yml")
			c.Dir, c.Env = root, env
			return c
		})
	}
	publisherJob := func(ex, output string) *job {
		return newJob("publisher -o "+output+" "+ex, func(ctx context.Context) *exec.Cmd {
			c := exec.CommandContext(ctx, publisher, "-i", inventory, "-o", output, "examples/"+ex+".yml")
			c.Dir, c.Env = root, cleanEnv()
			return c
		})
	}

	type pair struct{ ansible, jetplay *job }
	jsonRuns, textRuns := map[string]pair{}, map[string]pair{}
	var queue []*job // ansible first: it is the slow side
	for _, ex := range examples {
		jsonRuns[ex] = pair{ansibleJob(ex, "json"), publisherJob(ex, "json")}
		queue = append(queue, jsonRuns[ex].ansible)
	}
	for _, ex := range textExamples {
		textRuns[ex] = pair{ansibleJob(ex, "default"), publisherJob(ex, "text")}
		queue = append(queue, textRuns[ex].ansible)
	}
	for _, ex := range examples {
		queue = append(queue, jsonRuns[ex].jetplay)
	}
	for _, ex := range textExamples {
		queue = append(queue, textRuns[ex].jetplay)
	}
	runAll(t, queue)

	for _, ex := range examples {
		t.Run("json/"+ex, func(t *testing.T) {
			p := jsonRuns[ex]
			a, j := result(t, p.ansible), result(t, p.jetplay)
			if a.code != j.code {
				t.Errorf("exit code: ansible=%d jetplay=%d", a.code, j.code)
			}
			ad, err := Decode(a.stdout)
			if err != nil {
				t.Fatalf("ansible output: %v\n%s", err, a.stdout)
			}
			jd, err := Decode(j.stdout)
			if err != nil {
				t.Fatalf("jetplay output: %v\n%s\nstderr:\n%s", err, j.stdout, j.stderr)
			}
			c := Compare(ad, jd)
			for _, n := range c.Notes {
				t.Log(n)
			}
			if len(c.Diffs) == 0 {
				return
			}
			// ansible-playbook's own async results vary with load: run it
			// once more and count a difference only if it comes back.
			again := ansibleJob(ex, "json")
			runAll(t, []*job{again})
			if a2 := result(t, again); a2.code == a.code {
				if ad2, err := Decode(a2.stdout); err == nil && len(Compare(ad2, jd).Diffs) == 0 {
					t.Logf("ansible-playbook differed from jetplay in one run and matched it in the next (timing on Ansible's side):\n%s", Report(c.Diffs))
					return
				}
			}
			t.Errorf("%d difference(s) in the json document of examples/%s.yml:\n%s", len(c.Diffs), ex, Report(c.Diffs))
		})
	}
	for _, ex := range textExamples {
		t.Run("text/"+ex, func(t *testing.T) {
			p := textRuns[ex]
			a, j := result(t, p.ansible), result(t, p.jetplay)
			if a.code != j.code {
				t.Errorf("exit code: ansible=%d jetplay=%d", a.code, j.code)
			}
			if d := LineDiff(NormalizeText(string(a.stdout)), NormalizeText(string(j.stdout))); d != "" {
				t.Errorf("normalized text output of examples/%s.yml differs (- ansible, + jetplay):\n%s", ex, d)
			}
		})
	}
}

// runAll runs the jobs in order on a bounded pool and logs how long each took.
func runAll(t *testing.T, jobs []*job) {
	t.Helper()
	ch := make(chan *job)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for jb := range ch {
				jb.res = execute(t.Context(), jb.cmd)
				close(jb.done)
			}
		})
	}
	for _, jb := range jobs {
		ch <- jb
	}
	close(ch)
	wg.Wait()
	for _, jb := range jobs {
		t.Logf("%s: exit %d in %s", jb.name, jb.res.code, jb.res.took.Round(time.Millisecond))
	}
}

func execute(ctx context.Context, mk func(context.Context) *exec.Cmd) run {
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	var out, errOut bytes.Buffer
	c := mk(ctx)
	c.Stdout, c.Stderr = &out, &errOut
	c.WaitDelay = 5 * time.Second
	start := time.Now()
	err := c.Run()
	r := run{stdout: out.Bytes(), stderr: errOut.Bytes(), took: time.Since(start)}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.err = ctx.Err()
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		r.err = err
	}
	return r
}

// result returns a job's run, failing the test when the command did not run.
func result(t *testing.T, jb *job) run {
	t.Helper()
	<-jb.done
	if jb.res.err != nil {
		t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s", jb.name, jb.res.err, jb.res.stdout, jb.res.stderr)
	}
	return jb.res
}

// moduleRoot returns the directory of go.mod: `go env GOMOD`, else the first
// parent of the working directory that has one.
func moduleRoot(t *testing.T) string {
	t.Helper()
	if out, err := exec.Command("go", "env", "GOMOD").Output(); err == nil {
		if mod := strings.TrimSpace(string(out)); mod != "" && mod != os.DevNull {
			return filepath.Dir(mod)
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

var (
	buildOnce sync.Once
	buildErr  error
	buildOut  []byte
)

// buildPublisher builds cmd/publisher once per test binary.
func buildPublisher(t *testing.T, root string) string {
	t.Helper()
	bin := filepath.Join(binDir, "publisher")
	buildOnce.Do(func() {
		c := exec.Command("go", "build", "-o", bin, "./cmd/publisher")
		c.Dir = root
		buildOut, buildErr = c.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build ./cmd/publisher: %v\n%s", buildErr, buildOut)
	}
	return bin
}

// ansibleRunEnv is the environment of an ansible-playbook run: cleanEnv, an
// empty ansible.cfg, the stdout callback, no colour, no host key checking,
// no retry files, and local and remote temporary directories in a
// directory of the test's own.
func ansibleRunEnv(t *testing.T, callback string) []string {
	t.Helper()
	tmp := t.TempDir()
	cfg := filepath.Join(tmp, "ansible.cfg")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return append(cleanEnv(),
		"ANSIBLE_CONFIG="+cfg,
		"ANSIBLE_STDOUT_CALLBACK="+callback,
		"ANSIBLE_NOCOLOR=1",
		"ANSIBLE_HOST_KEY_CHECKING=False",
		"ANSIBLE_RETRY_FILES_ENABLED=False",
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(tmp, "local"),
		"ANSIBLE_REMOTE_TEMP="+filepath.Join(tmp, "remote"),
	)
}

// cleanEnv is the environment without ANSIBLE_* and NATS_URL, so that
// neither tool picks up settings of the machine running the test.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "ANSIBLE_") || strings.HasPrefix(kv, "NATS_URL=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}
