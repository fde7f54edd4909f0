package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/cli/publish"
	"github.com/jetplay/jetplay/internal/job"
)

// TestSecretsReachNeitherBusNorLogs: the output of a no_log task and a
// become password are found nowhere in the status bucket (every revision),
// the task stream, the publisher's output or the debug logs.
func TestSecretsReachNeitherBusNorLogs(t *testing.T) {
	const outSecret = "OutputSecret-4f1c9"
	const becomeSecret = "BecomePass-77ad2"
	c := startServer(t, busConfig())
	dir := t.TempDir()
	inv := writeFile(t, dir, "inv.ini", "[targets]\nlocal1 ansible_connection=local ansible_become_password="+becomeSecret+"\n")
	pb := writeFile(t, dir, "pb.yml", `- hosts: targets
  gather_facts: false
  tasks:
    - name: print a secret
      shell: echo `+outSecret+`
      no_log: true
      register: hidden
    - name: become with a password
      command: id -u
      become: true
      register: who
    - name: use the hidden result
      debug:
        msg: "rc was {{ hidden.rc }}"
`)
	// The publisher, with debug logs, against the server; an in-process
	// executor with debug logs too, both captured.
	var buf bytes.Buffer
	logs := &syncWriter{w: &buf}
	o := publish.Options{Forks: 5, Output: "json", NATS: c.url, LogLevel: "debug", Replicas: 1,
		Inventories: []string{inv}, Playbooks: []string{pb}}
	o.SSH.HostKeyCheck = true
	c.startExecutorWithLog(t, "ex", logs)
	var stdout bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if code := publish.Run(ctx, o, &stdout, logs); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), logs.String())
	}
	if !strings.Contains(stdout.String(), "the output has been hidden") {
		t.Errorf("the no_log result is not censored in the output:\n%s", stdout.String())
	}
	where := map[string]string{"publisher output": stdout.String(), "logs": logs.String()}
	for _, s := range []string{job.StreamName, "KV_" + job.BucketName, "KV_" + job.IdempotencyBucket} {
		where["stream "+s] = streamContents(t, c, s)
	}
	if !strings.Contains(logs.String(), `"level":"debug"`) {
		t.Fatalf("no debug logs captured; the test would prove nothing:\n%s", logs.String())
	}
	for name, text := range where {
		for _, secret := range []string{outSecret, becomeSecret} {
			if strings.Contains(text, secret) {
				t.Errorf("%s contains the secret %q", name, secret)
			}
		}
	}
}

// streamContents returns every message still stored in stream.
func streamContents(t *testing.T, c *cluster, stream string) string {
	t.Helper()
	ctx := context.Background()
	s, err := c.js.Stream(ctx, stream)
	if err != nil {
		t.Fatalf("stream %s: %v", stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && seq > 0; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			continue // deleted
		}
		b.Write(m.Data)
		b.WriteByte('\n')
	}
	return b.String()
}
