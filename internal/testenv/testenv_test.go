package testenv

import (
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB whose Fatalf and Skipf record what they were
// called with and end the goroutine, as the real ones do.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) {
	r.skip = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// lookPath runs LookPath(r, name) in a goroutine of its own, so that
// Fatalf and Skipf can end it, and returns what it returned.
func lookPath(r *recorder, name string) string {
	var p string
	done := make(chan struct{})
	go func() {
		defer close(done)
		p = LookPath(r, name)
	}()
	<-done
	return p
}

func TestLookPath(t *testing.T) {
	const missing = "jetplay-testenv-no-such-command"
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatalf("sh is not on PATH: %v", err)
	}
	tests := []struct {
		name, cmd, ci     string
		want, fatal, skip string
	}{
		{name: "found", cmd: "sh", want: sh},
		{name: "found in CI", cmd: "sh", ci: "true", want: sh},
		{name: "missing", cmd: missing, skip: missing + " not installed: "},
		{name: "missing in CI", cmd: missing, ci: "true", fatal: "CI is set but " + missing + " is not installed: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			r := &recorder{TB: t}
			got := lookPath(r, tt.cmd)
			if got != tt.want {
				t.Errorf("LookPath(%q) = %q, want %q", tt.cmd, got, tt.want)
			}
			if !strings.HasPrefix(r.fatal, tt.fatal) || (tt.fatal == "") != (r.fatal == "") {
				t.Errorf("Fatalf got %q, want it to start with %q", r.fatal, tt.fatal)
			}
			if !strings.HasPrefix(r.skip, tt.skip) || (tt.skip == "") != (r.skip == "") {
				t.Errorf("Skipf got %q, want it to start with %q", r.skip, tt.skip)
			}
		})
	}
}
