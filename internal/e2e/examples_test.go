package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestExamples runs every playbook of examples/ through a real nats-server
// with two executors, as separate components: the publisher only publishes
// and waits.
func TestExamples(t *testing.T) {
	root := repoRoot(t)
	inv := filepath.Join(root, "examples", "inventory.ini")
	tests := []struct {
		file  string
		recap string // node1's recap
	}{
		{"site.yml", "node1 : ok=5 changed=3 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"},
		{"poll.yml", "node1 : ok=2 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"},
		{"fire_and_forget.yml", "node1 : ok=4 changed=2 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"},
		{"many_jobs.yml", "node1 : ok=3 changed=2 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"},
		{"status_report.yml", "node1 : ok=3 changed=2 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"},
		{"parallel_restarts.yml", "node1 : ok=3 changed=2 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"},
		{"timeout.yml", "node1 : ok=2 changed=0 unreachable=0 failed=0 skipped=1 rescued=0 ignored=1"},
	}
	c := startServer(t, busConfig())
	c.startExecutor(t, "ex-a", 8)
	c.startExecutor(t, "ex-b", 8)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runPublisher(t, c.url, "-i", inv, filepath.Join(root, "examples", tt.file))
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			for _, h := range []string{"node1", "node2"} {
				want := strings.Replace(tt.recap, "node1", h, 1)
				if got := recapLine(out, h); got != want {
					t.Errorf("recap of %s:\n got %q\nwant %q\n%s", h, got, want, out)
				}
			}
		})
	}
}

// TestEmbeddedDefault is the README's first command: no URL, so the
// publisher starts its own server and executors.
func TestEmbeddedDefault(t *testing.T) {
	root := repoRoot(t)
	code, out, errOut := runPublisher(t, "", "-i", filepath.Join(root, "examples", "inventory.ini"), filepath.Join(root, "examples", "site.yml"))
	if code != 0 || !strings.Contains(out, "PLAY RECAP") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}
