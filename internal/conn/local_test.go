package conn

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestLocalStarted: Started gets the child's pid while it runs, once; a
// program that cannot start gets no call.
func TestLocalStarted(t *testing.T) {
	t.Parallel()
	gate := filepath.Join(t.TempDir(), "gate")
	started := make(chan int, 2)
	cmd := Command{Script: "echo $$; while [ ! -e " + gate + " ]; do sleep 0.05; done", Started: func(pid int) { started <- pid }}
	got := runInBackground(t, Local{}, cmd)
	var pid int
	select {
	case pid = <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("Started not called within 10s")
	}
	if !alive(pid) {
		t.Fatalf("Started with pid %d, which is not a live process", pid)
	}
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	o := <-got
	if o.err != nil || string(o.res.Stdout) != strconv.Itoa(pid)+"\n" || o.res.PID != pid {
		t.Fatalf("result %+v err %v, want the shell's own pid %d", o.res, o.err, pid)
	}
	if len(started) != 0 {
		t.Errorf("Started called again with %d", <-started)
	}
	res, err := Local{}.Run(testCtx(t, 10*time.Second), Command{Argv: []string{filepath.Join(t.TempDir(), "nope")},
		Started: func(pid int) { t.Errorf("Started(%d) for a program that does not exist", pid) }})
	if err != nil || !res.NotFound {
		t.Fatalf("missing program: %+v %v", res, err)
	}
}
