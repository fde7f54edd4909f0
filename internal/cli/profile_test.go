package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStartProfilesWritesBoth(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "mem.pprof")
	var stderr bytes.Buffer
	stop := StartProfiles(cpu, mem, &stderr)
	sink := 0
	for i := range 1_000_000 {
		sink += i % 7
	}
	_ = sink
	stop()
	if stderr.Len() != 0 {
		t.Fatalf("stderr: %s", stderr.String())
	}
	for _, f := range []string{cpu, mem} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// pprof files are gzipped protocol buffers.
		if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
			t.Errorf("%s: not a pprof file (%d bytes)", filepath.Base(f), len(b))
		}
	}
}

func TestStartProfilesNoneAndBadPath(t *testing.T) {
	var stderr bytes.Buffer
	StartProfiles("", "", &stderr)()
	if stderr.Len() != 0 {
		t.Fatalf("no profiles asked, stderr: %s", stderr.String())
	}
	bad := filepath.Join(t.TempDir(), "missing", "x.pprof")
	StartProfiles(bad, bad, &stderr)()
	for _, env := range []string{EnvCPUProfile, EnvMemProfile} {
		if !strings.Contains(stderr.String(), env+": ") {
			t.Errorf("stderr does not name %s: %q", env, stderr.String())
		}
	}
}
