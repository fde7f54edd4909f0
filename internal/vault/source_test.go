package vault

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFile writes content to name in dir with mode and returns its path.
func writeFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPasswordFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	encPW, err := Encrypt([]byte("inner\n"), NewSecret("", []byte("outer")))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		file    string
		content string
		mode    os.FileMode
		vault   *Vault
		want    string
		wantErr error
		wantMsg string
	}{
		{name: "trailing newline", file: "a", content: "hunter2\n", mode: 0o600, want: "hunter2"},
		{name: "surrounding whitespace", file: "b", content: " \thunter2 \r\n\n", mode: 0o600, want: "hunter2"},
		{name: "inner newline kept", file: "c", content: "a\nb\n", mode: 0o600, want: "a\nb"},
		{name: "empty", file: "d", content: " \n", mode: 0o600, wantErr: ErrEmptyPassword,
			wantMsg: "Invalid vault password was provided from file (DIR/d)"},
		{name: "encrypted password file", file: "e", content: string(encPW), mode: 0o600,
			vault: New(Config{}, NewSecret("", []byte("outer"))), want: "inner"},
		{name: "encrypted, no secrets", file: "f", content: string(encPW), mode: 0o600, wantErr: ErrNoSecrets},
		{name: "script", file: "pw.sh", content: "#!/bin/sh\nprintf ' s3cret \\r\\n'\n", mode: 0o700, want: " s3cret "},
		{name: "script fails", file: "fail.sh", content: "#!/bin/sh\necho oops >&2\nexit 3\n", mode: 0o755,
			wantErr: ErrPasswordFile, wantMsg: "Vault password script DIR/fail.sh returned non-zero (3)"},
		{name: "script prints nothing", file: "none.sh", content: "#!/bin/sh\necho\n", mode: 0o500,
			wantErr: ErrEmptyPassword, wantMsg: "Invalid vault password was provided from script (DIR/none.sh)"},
		{name: "client without id", file: "x-client.sh", content: "#!/bin/sh\necho \"args:$#\"\n", mode: 0o700, want: "args:0"},
		{name: "not a script", file: "bin", content: "\x00\x01", mode: 0o700, wantErr: ErrPasswordFile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := writeFile(t, dir, tc.file, tc.content, tc.mode)
			src, err := PasswordFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if fs, ok := src.(*FileSource); ok {
				fs.Vault = tc.vault
			}
			got, err := src.Password(context.Background(), "")
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if want := strings.ReplaceAll(tc.wantMsg, "DIR", dir); want != "" && err.Error() != want {
				t.Errorf("message %q, want %q", err, want)
			}
			if string(got) != tc.want {
				t.Errorf("password %q, want %q", got, tc.want)
			}
		})
	}
	_, err = PasswordFile(filepath.Join(dir, "missing"))
	if !errors.Is(err, ErrPasswordFile) || !errors.Is(err, fs.ErrNotExist) ||
		err.Error() != "The vault password file "+filepath.Join(dir, "missing")+" was not found" {
		t.Errorf("missing file: %v", err)
	}
}

func TestClientScript(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	script := writeFile(t, dir, "keys-client.py", `#!/bin/sh
[ "$1" = --vault-id ] || { echo "bad args: $*" >&2; exit 1; }
case "$2" in
dev) echo devpass ;;
prod) echo prodpass ;;
*) echo "no secret for $2" >&2; exit 2 ;;
esac
`, 0o755)
	src, err := PasswordFile(script)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := src.(*ScriptSource); !ok || !s.Client {
		t.Fatalf("source %#v, want a client script", src)
	}
	tests := []struct {
		id      string
		want    string
		wantErr error
		wantMsg string
	}{
		{id: "dev", want: "devpass"},
		{id: "prod", want: "prodpass"},
		{id: "qa", wantErr: ErrUnknownID,
			wantMsg: "Vault password client script " + script + " did not find a secret for vault-id=qa: no secret for qa"},
		{id: "", wantErr: ErrPasswordFile,
			wantMsg: "Vault password client script " + script + " returned non-zero (1) when getting secret for vault-id=None: bad args: "},
	}
	for _, tc := range tests {
		got, err := src.Password(context.Background(), tc.id)
		if !errors.Is(err, tc.wantErr) || (tc.wantMsg != "" && err.Error() != strings.TrimSpace(tc.wantMsg)) {
			t.Errorf("id %q: error %v, want %q", tc.id, err, tc.wantMsg)
		}
		if string(got) != tc.want {
			t.Errorf("id %q: password %q, want %q", tc.id, got, tc.want)
		}
	}
}

func TestScriptCancel(t *testing.T) {
	t.Parallel()
	script := writeFile(t, t.TempDir(), "slow.sh", "#!/bin/sh\nexec sleep 60\n", 0o755)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	src := &ScriptSource{Path: script}
	if _, err := src.Password(ctx, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func TestIsClientScript(t *testing.T) {
	t.Parallel()
	tests := map[string]bool{
		"/a/pass-client":       true,
		"/a/pass-client.py":    true,
		"pass-client.tar.gz":   false,
		"/a/pass-client/x":     false,
		"/a/.pass-client":      true,
		"/a/pass.sh":           false,
		"/a/my-client-pass.sh": false,
		"vault-client.rb":      true,
		"/a.b/client":          false,
		"/x-client.d/pw":       false,
		"..-client":            true,
		"/a/x-client.":         true,
	}
	for name, want := range tests {
		if got := isClientScript(name); got != want {
			t.Errorf("isClientScript(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestPrompt(t *testing.T) {
	t.Parallel()
	// answers returns a Prompt that gives the answers in turn and records
	// the prompts.
	answers := func(asked *[]string, out ...any) func(context.Context, string) (string, error) {
		return func(_ context.Context, p string) (string, error) {
			*asked = append(*asked, p)
			a := out[0]
			out = out[1:]
			if err, ok := a.(error); ok {
				return "", err
			}
			return a.(string), nil
		}
	}
	tests := []struct {
		name      string
		formats   []string
		answers   []any
		want      string
		wantAsked []string
		wantErr   error
		wantMsg   string
	}{
		{name: "once", formats: []string{"Vault password (%(vault_id)s): "}, answers: []any{" pw \n"},
			want: "pw", wantAsked: []string{"Vault password (dev): "}},
		{name: "confirmed", formats: []string{"New: ", "Confirm: "}, answers: []any{"pw", "pw "}, want: "pw",
			wantAsked: []string{"New: ", "Confirm: "}},
		{name: "mismatch", formats: []string{"New: ", "Confirm: "}, answers: []any{"pw", "px"},
			wantErr: ErrPasswordMismatch, wantMsg: "Passwords do not match"},
		{name: "empty", formats: []string{"P: "}, answers: []any{""}, wantErr: ErrEmptyPassword,
			wantMsg: "Invalid vault password was provided"},
		{name: "ctrl-d", formats: []string{"P: "}, answers: []any{io.EOF}, wantErr: io.EOF,
			wantMsg: "EOFError (ctrl-d) on prompt for (dev)"},
	}
	for _, tc := range tests {
		var asked []string
		src := &PromptSource{Prompt: answers(&asked, tc.answers...), Formats: tc.formats}
		got, err := src.Password(context.Background(), "dev")
		if !errors.Is(err, tc.wantErr) || (tc.wantMsg != "" && err.Error() != tc.wantMsg) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantMsg)
		}
		if string(got) != tc.want {
			t.Errorf("%s: password %q, want %q", tc.name, got, tc.want)
		}
		if tc.wantAsked != nil && strings.Join(asked, "|") != strings.Join(tc.wantAsked, "|") {
			t.Errorf("%s: asked %q, want %q", tc.name, asked, tc.wantAsked)
		}
	}
	if _, err := (&PromptSource{Formats: []string{"P: "}}).Password(context.Background(), "x"); !errors.Is(err, ErrNoPrompt) {
		t.Errorf("nil Prompt: %v", err)
	}
}
