package e2e

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jetplay/jetplay/internal/cli/publish"
)

// TestAdHocMode: -m/-a runs one module on a pattern's hosts and prints what
// ansible's minimal callback prints, with ansible's exit codes (checked
// against `ansible` on this machine).
func TestAdHocMode(t *testing.T) {
	inv := filepath.Join(repoRoot(t), "examples", "inventory.ini")
	tests := []struct {
		name string
		ad   publish.AdHoc
		code int
		want []string
	}{
		{"command", publish.AdHoc{Module: "command", Args: "echo hi"}, 0,
			[]string{"node1 | CHANGED | rc=0 >>\nhi\n", "node2 | CHANGED | rc=0 >>\nhi\n"}},
		{"failing command", publish.AdHoc{Module: "command", Args: "false"}, 2,
			[]string{"node1 | FAILED | rc=1 >>\nnon-zero return code\n"}},
		{"debug", publish.AdHoc{Module: "ansible.builtin.debug", Args: "msg=x"}, 0,
			[]string{"node1 | SUCCESS => {\n    \"msg\": \"x\"\n}\n"}},
		{"ping", publish.AdHoc{Module: "ping"}, 0,
			[]string{"node2 | SUCCESS => {\n    \"changed\": false,\n    \"ping\": \"pong\"\n}\n"}},
		{"background", publish.AdHoc{Module: "shell", Args: "sleep 1", Background: 5, Poll: 0}, 0,
			[]string{"node1 | CHANGED => {\n    \"ansible_job_id\": \"<jid>\",\n    \"changed\": true,\n    \"finished\": 0,\n    \"results_file\": \"jetplay_status/<jid>\",\n    \"started\": 1\n}\n"}},
	}
	jid := regexp.MustCompile(`r[0-9a-f]{18}\.[0-9]{8}`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := publish.Options{Forks: 5, Output: "text", LogLevel: "warn", Executors: 1,
				Inventories: []string{inv}, Playbooks: []string{"local"}, AdHoc: tt.ad}
			o.SSH.HostKeyCheck = true
			code, out, errOut := publishOpts(t, o)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			out = jid.ReplaceAllString(out, "<jid>")
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, "PLAY") {
				t.Errorf("ad-hoc output has banners:\n%s", out)
			}
		})
	}
}
