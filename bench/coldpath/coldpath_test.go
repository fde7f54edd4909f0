package coldpath

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/crypto/ssh"

	"github.com/jetplay/jetplay/internal/collection"
	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/interpreter"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/payload"
	"github.com/jetplay/jetplay/internal/sshdtest"
)

// python is the host's interpreter, set for both tools
// (ansible_python_interpreter), so that neither runs discovery.
const python = "/usr/bin/python3"

// modTask is one module task, run b.N times.
type modTask struct {
	name string
	args map[string]any
}

// tasks are the benchmarked tasks; dir is a directory the login user owns.
func tasks(dir string) []modTask {
	return []modTask{
		{"ping", map[string]any{}},
		{"file", map[string]any{"path": filepath.Join(dir, "touched"), "state": "touch"}},
		{"stat", map[string]any{"path": dir}},
		{"lineinfile", map[string]any{"path": filepath.Join(dir, "lines"), "line": "jetplay bench", "create": true}},
	}
}

// env is what every sub-benchmark shares: one sshd, jetplay's pooled
// connection to it, the resolver over the installed ansible-core, and
// Ansible's inventory of the same host.
type env struct {
	srv      *sshdtest.Server
	conn     conn.Conn
	resolver *collection.Resolver
	site     string // the directory holding ansible-core's ansible package
	runner   *interpreter.Runner
	dir      string // owned by the login user: the tasks' files
	work     string // the controller's files: inventory, playbooks
	ansible  string // ansible-playbook, "" when missing
}

// BenchmarkColdPath runs each module task with jetplay's host-side layer
// and with ansible-playbook against the same sshd, and the floor; see the
// package comment for what each figure is.
func BenchmarkColdPath(b *testing.B) {
	e := setup(b)
	for _, tk := range tasks(e.dir) {
		b.Run(tk.name+"/jetplay", func(b *testing.B) { e.benchJetplay(b, tk) })
		b.Run(tk.name+"/ansible", func(b *testing.B) { e.benchAnsible(b, tk) })
	}
	b.Run("floor", e.benchFloor)
}

func setup(b *testing.B) *env {
	b.Helper()
	missing := func(what string) {
		if os.Getenv("CI") != "" {
			b.Fatalf("CI needs %s", what)
		}
		b.Skipf("no %s", what)
	}
	if _, err := os.Stat(python); err != nil {
		missing(python)
	}
	ctx := testCtx(b, time.Minute)
	in, err := collection.FindAnsibleCore(ctx, collection.FindOptions{Path: os.Getenv("PATH")})
	if err != nil {
		missing("ansible-core: " + err.Error())
	}
	e := &env{site: filepath.Dir(in.Core), work: b.TempDir()}
	if e.ansible, err = exec.LookPath("ansible-playbook"); err != nil {
		missing("ansible-playbook")
	}
	// Only ansible-core's own modules: no library or collection directory.
	e.resolver, err = collection.New(collection.Config{AnsibleCore: in.Core, Library: []string{},
		ModuleUtils: []string{}, CollectionsPaths: []string{}, NoScanSysPath: true})
	if err != nil {
		b.Fatal(err)
	}
	// The dedicated user: its /bin/sh reads no rc file per session.
	e.srv = sshdtest.Start(b, sshdtest.Options{User: sshdtest.TestUser})
	e.dir = e.srv.TempDir(b)
	pool, err := conn.NewSSHPool(conn.SSHConfig{KnownHostsFiles: []string{e.srv.KnownHosts}, KeyFiles: []string{},
		NoAgent: true, JobDir: b.TempDir(), Logger: zerolog.Nop()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = pool.Close() })
	h := e.srv.Hosts[0]
	e.conn = pool.Conn("h1", job.Target{Address: h.Addr, Port: h.Port, User: h.User, KeyFile: h.KeyFile})
	if e.runner, err = interpreter.New(interpreter.Config{Logger: zerolog.Nop()}); err != nil {
		b.Fatal(err)
	}
	inv := fmt.Sprintf("h1 ansible_host=%s ansible_port=%d ansible_user=%s ansible_ssh_private_key_file=%s "+
		"ansible_python_interpreter=%s ansible_ssh_common_args='-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes'\n",
		h.Addr, h.Port, h.User, h.KeyFile, python, e.srv.KnownHosts)
	writeFile(b, filepath.Join(e.work, "inventory.ini"), inv)
	writeFile(b, filepath.Join(e.work, "ansible.cfg"), "[defaults]\n")
	return e
}

// build is the per-run part of jetplay's cold path: resolve the module,
// read it and build its payload with a new Builder (nothing cached).
func (e *env) build(ctx context.Context, b *testing.B, name string) *payload.Payload {
	b.Helper()
	m, err := e.resolver.Resolve(name, nil)
	if err != nil {
		b.Fatal(err)
	}
	src, err := os.ReadFile(m.Path)
	if err != nil {
		b.Fatal(err)
	}
	bl, err := payload.New(payload.Config{Finder: payload.ResolverFinder(e.resolver)})
	if err != nil {
		b.Fatal(err)
	}
	p, err := bl.Build(ctx, payload.Module{Name: name, FQN: payload.FQN(m.Path, e.site, name), Source: src})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// run is the per-task part: the wrapper with the task's arguments, run
// over the pooled connection; a failed task fails the benchmark.
func (e *env) run(ctx context.Context, b *testing.B, p *payload.Payload, tk modTask) {
	w, err := p.Wrapper(payload.Task{Args: tk.args, Python: python})
	if err != nil {
		b.Fatal(err)
	}
	res, err := e.runner.Run(ctx, e.conn, interpreter.Task{Host: "h1", Module: tk.name, Style: interpreter.StyleNew,
		Payload: w, Shebang: interpreter.AnsiballZShebang, Interpreters: map[string]string{"python": python}})
	if err != nil {
		b.Fatal(err)
	}
	if res.Failed() || !res.Parsed {
		b.Fatalf("%s failed: %v", tk.name, res.Values)
	}
}

func (e *env) benchJetplay(b *testing.B, tk modTask) {
	ctx := testCtx(b, 10*time.Minute)
	// Untimed: the pooled connection is open and the host has run the
	// module once, as Ansible's warm-up ping opens its master.
	e.run(ctx, b, e.build(ctx, b, tk.name), tk)
	host0, ctl0 := e.hostCPU(b), selfCPU(b)
	b.ResetTimer()
	start := time.Now()
	p := e.build(ctx, b, tk.name)
	built := time.Since(start)
	for range b.N {
		e.run(ctx, b, p, tk)
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(ms(cpuSpent(b, host0, e.hostCPU(b)))/n, "host-cpu-ms/op")
	b.ReportMetric(ms(selfCPU(b)-ctl0)/n, "ctl-cpu-ms/op")
	b.ReportMetric(ms(built), "build-ms")
}

// recap is the host's line of Ansible's PLAY RECAP.
var recap = regexp.MustCompile(`h1\s+:\s+ok=(\d+)\s+changed=\d+\s+unreachable=0\s+failed=0\s`)

// measure is one ansible-playbook run.
type measure struct{ wall, host, ctl time.Duration }

// playbook runs a warm-up ping, then n times tk, with Ansible's best
// configuration (as bench/run's ansible_run): pipelining, ControlPersist
// in a fresh control-path directory whose master is closed afterwards,
// a fresh ANSIBLE_HOME and local temp, no facts.
func (e *env) playbook(b *testing.B, tk modTask, n int) measure {
	b.Helper()
	args, err := json.Marshal(tk.args)
	if err != nil {
		b.Fatal(err)
	}
	var book strings.Builder
	book.WriteString("- hosts: h1\n  gather_facts: false\n  tasks:\n    - ansible.builtin.ping:\n")
	for range n {
		fmt.Fprintf(&book, "    - ansible.builtin.%s: %s\n", tk.name, args)
	}
	tmp := b.TempDir()
	path := filepath.Join(tmp, "book.yml")
	writeFile(b, path, book.String())
	cp := filepath.Join(tmp, "cp")
	if err := os.Mkdir(cp, 0o700); err != nil {
		b.Fatal(err)
	}
	defer e.closeMasters(b, cp)
	cmd := exec.CommandContext(testCtx(b, 10*time.Minute), e.ansible, "-i", filepath.Join(e.work, "inventory.ini"), path)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "ANSIBLE_CONFIG="+filepath.Join(e.work, "ansible.cfg"),
		"ANSIBLE_HOME="+filepath.Join(tmp, "home"), "ANSIBLE_LOCAL_TEMP="+filepath.Join(tmp, "local"),
		"ANSIBLE_PIPELINING=True", "ANSIBLE_GATHERING=explicit", "ANSIBLE_HOST_KEY_CHECKING=True",
		"ANSIBLE_RETRY_FILES_ENABLED=False", "ANSIBLE_NOCOLOR=1", "ANSIBLE_DEPRECATION_WARNINGS=False",
		"ANSIBLE_SSH_ARGS=-o ControlMaster=auto -o ControlPersist=60s", "ANSIBLE_CONTROL_PATH_DIR="+cp)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	host0 := e.hostCPU(b)
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	// The master (and its sshd) is still up: its CPU so far is counted.
	host := cpuSpent(b, host0, e.hostCPU(b))
	if err != nil {
		b.Fatalf("ansible-playbook: %v\n%s", err, out.Bytes())
	}
	m := recap.FindSubmatch(out.Bytes())
	if m == nil || string(m[1]) != strconv.Itoa(n+1) {
		b.Fatalf("ansible-playbook did not run %d tasks:\n%s", n+1, out.Bytes())
	}
	return measure{wall: wall, host: host, ctl: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
}

// closeMasters ends the ControlPersist masters whose sockets are in dir,
// by socket.
func (e *env) closeMasters(b *testing.B, dir string) {
	socks, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, s := range socks {
		ctx := testCtx(b, 10*time.Second)
		_ = exec.CommandContext(ctx, "ssh", "-o", "ControlPath="+s, "-O", "exit", "h1").Run()
	}
}

func (e *env) benchAnsible(b *testing.B, tk modTask) {
	base := e.playbook(b, tk, 0)
	full := e.playbook(b, tk, b.N)
	n := float64(b.N)
	b.ReportMetric(float64(full.wall-base.wall)/n, "ns/op")
	b.ReportMetric(ms(full.host-base.host)/n, "host-cpu-ms/op")
	b.ReportMetric(ms(full.ctl-base.ctl)/n, "ctl-cpu-ms/op")
	b.ReportMetric(ms(base.wall), "startup-ms")
}

// benchFloor: an exec of `python3 -c pass` in a new session over an
// x/crypto/ssh connection opened beforehand.
func (e *env) benchFloor(b *testing.B) {
	key, err := os.ReadFile(e.srv.KeyFile)
	if err != nil {
		b.Fatal(err)
	}
	signer, err := ssh.ParsePrivateKey(key)
	if err != nil {
		b.Fatal(err)
	}
	h := e.srv.Hosts[0]
	c, err := ssh.Dial("tcp", fmt.Sprintf("%s:%d", h.Addr, h.Port), &ssh.ClientConfig{User: h.User,
		Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)}, HostKeyCallback: ssh.FixedHostKey(e.srv.HostKey), Timeout: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	runPass := func() {
		s, err := c.NewSession()
		if err != nil {
			b.Fatal(err)
		}
		defer func() { _ = s.Close() }()
		if out, err := s.CombinedOutput(python + " -c pass"); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
	runPass()
	host0, ctl0 := e.hostCPU(b), selfCPU(b)
	b.ResetTimer()
	for range b.N {
		runPass()
	}
	b.StopTimer()
	n := float64(b.N)
	// The floor's few ms of host CPU per exec can fall between the 10 ms
	// ticks of the sshd tree (CI saw no tick counted once in 20 runs): the
	// floor then reports no host CPU instead of failing the run; the
	// module cases, which are compared, still require it.
	if host1 := e.hostCPU(b); host1 > host0 {
		b.ReportMetric(ms(host1-host0)/n, "host-cpu-ms/op")
	} else {
		b.Logf("floor: no host CPU tick counted over %d execs", b.N)
	}
	b.ReportMetric(ms(selfCPU(b)-ctl0)/n, "ctl-cpu-ms/op")
}

// userHZ is the unit of the times in /proc/PID/stat: USER_HZ, 100 on
// every Linux architecture's user ABI.
const userHZ = 100

// hostCPU returns the CPU time (user and system) used so far by the sshd
// listeners and every process under them, with the children they waited
// for: sshd, the sessions' shells and the modules. Between two calls with
// the same sessions waited for, the difference is what ran in between. It
// counts in ticks of 10 ms per process.
func (e *env) hostCPU(b *testing.B) time.Duration {
	b.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		b.Fatal(err)
	}
	children := map[int][]int{}
	ticks := map[int]int64{}
	for _, ent := range entries {
		pid, err := strconv.Atoi(ent.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", ent.Name(), "stat"))
		if err != nil {
			continue // exited meanwhile
		}
		// pid (comm) state ppid ... utime stime cutime cstime (fields 14-17).
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 15 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		children[ppid] = append(children[ppid], pid)
		var t int64
		for _, s := range f[11:15] {
			v, _ := strconv.ParseInt(s, 10, 64)
			t += v
		}
		ticks[pid] = t
	}
	var total int64
	queue := e.srv.PIDs()
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		total += ticks[p]
		queue = append(queue, children[p]...)
	}
	return time.Duration(total) * time.Second / userHZ
}

// cpuSpent returns after-before, failing b when it is not positive: every
// measured run starts Python on the host, so nothing counted means the
// process tree was not found.
func cpuSpent(b *testing.B, before, after time.Duration) time.Duration {
	b.Helper()
	if after <= before {
		b.Fatalf("no host CPU counted (%v, then %v): the sshd process tree was not found", before, after)
	}
	return after - before
}

// selfCPU returns the CPU time this process has used.
func selfCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func testCtx(b *testing.B, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	b.Cleanup(cancel)
	return ctx
}

func writeFile(b *testing.B, path, content string) {
	b.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		b.Fatal(err)
	}
}
