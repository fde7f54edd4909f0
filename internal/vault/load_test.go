package vault

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestSplitID(t *testing.T) {
	t.Parallel()
	tests := []struct{ slug, label, source string }{
		{"dev@/p/pw", "dev", "/p/pw"},
		{"/p/pw", "", "/p/pw"},
		{"dev@prompt", "dev", "prompt"},
		{"dev@/p/a@b", "dev", "/p/a@b"},
		{"@x", "", "x"},
		{"dev@", "dev", ""},
	}
	for _, tc := range tests {
		if l, s := SplitID(tc.slug); l != tc.label || s != tc.source {
			t.Errorf("SplitID(%q) = %q, %q; want %q, %q", tc.slug, l, s, tc.label, tc.source)
		}
	}
}

func TestIDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		defaultID string
		list, ids []string
		files     []string
		ask       bool
		want      []string
	}{
		{name: "none", want: nil},
		{name: "ansible-playbook order", list: []string{"cfg@/c"}, ids: []string{"dev@/d", "prompt"},
			files: []string{"/f1", "/cfgfile"}, ask: true,
			want: []string{"cfg@/c", "dev@/d", "prompt", "default@/f1", "default@/cfgfile", "default@prompt_ask_vault_pass"}},
		{name: "vault_identity", defaultID: "me", files: []string{"/f"}, ask: true,
			want: []string{"me@/f", "me@prompt_ask_vault_pass"}},
	}
	for _, tc := range tests {
		got := IDs(tc.defaultID, tc.list, tc.ids, tc.files, tc.ask)
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "dev.txt", "devpw\n", 0o600)
	writeFile(t, dir, "empty.txt", "\n", 0o600)
	writeFile(t, dir, "pw-client", "#!/bin/sh\necho \"pw-$2\"\n", 0o755)
	encrypted, err := Encrypt([]byte("innerpw"), NewSecret("dev", []byte("devpw")))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "enc.txt", string(encrypted), 0o600)
	resolve := func(p string) string { return filepath.Join(dir, p) }
	// prompt answers with the prompt, so a test sees which was asked; the
	// confirmation of a new password gets the same answer.
	prompt := func(_ context.Context, p string) (string, error) {
		return "typed:" + strings.ToLower(strings.TrimPrefix(p, "Confirm ")), nil
	}

	tests := []struct {
		name      string
		cfg       Config
		slugs     []string
		wantIDs   []string
		wantWarn  []string
		wantErr   error
		wantMsg   string
		checkPass map[string]string // vault id -> password its secret must hold
	}{
		{name: "no slugs"},
		{name: "file, client and prompt", slugs: []string{"dev@dev.txt", "qa@pw-client", "pw-client", "ops@prompt", "prompt_ask_vault_pass"},
			wantIDs:   []string{"dev", "qa", "default", "ops", "default"},
			checkPass: map[string]string{"dev": "devpw", "qa": "pw-qa", "ops": "typed:vault password (ops):"}},
		{name: "ask vault pass prompt", slugs: []string{"prompt_ask_vault_pass"}, wantIDs: []string{"default"},
			checkPass: map[string]string{"default": "typed:vault password:"}},
		{name: "new password prompts", cfg: Config{NewPassword: true}, slugs: []string{"x@prompt"}, wantIDs: []string{"x"},
			checkPass: map[string]string{"x": "typed:new vault password (x):"}},
		{name: "password file encrypted with an earlier secret", slugs: []string{"dev@dev.txt", "inner@enc.txt"},
			wantIDs: []string{"dev", "inner"}, checkPass: map[string]string{"inner": "innerpw"}},
		{name: "missing file warns when another works", slugs: []string{"gone.txt", "dev@dev.txt", "e@empty.txt"}, wantIDs: []string{"dev"},
			wantWarn: []string{
				"Error getting vault password file (None): The vault password file " + dir + "/gone.txt was not found",
				"Error in vault password file loading (e): Invalid vault password was provided from file (" + dir + "/empty.txt)",
			}},
		{name: "all files fail: the last error", slugs: []string{"a@gone.txt", "b@empty.txt"}, wantErr: ErrEmptyPassword,
			wantMsg: "Invalid vault password was provided from file (" + dir + "/empty.txt)",
			wantWarn: []string{
				"Error getting vault password file (a): The vault password file " + dir + "/gone.txt was not found",
				"Error in vault password file loading (b): Invalid vault password was provided from file (" + dir + "/empty.txt)",
			}},
		{name: "vault_identity names unlabelled secrets", cfg: Config{DefaultID: "site"}, slugs: []string{"dev.txt"}, wantIDs: []string{"site"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var warned []string
			cfg := tc.cfg
			cfg.Resolve = resolve
			cfg.Prompt = prompt
			cfg.Warn = func(m string) { warned = append(warned, m) }
			v, err := Load(context.Background(), cfg, tc.slugs...)
			if !errors.Is(err, tc.wantErr) || (tc.wantMsg != "" && err.Error() != tc.wantMsg) {
				t.Fatalf("error %v, want %q", err, tc.wantMsg)
			}
			if strings.Join(warned, "\n") != strings.Join(tc.wantWarn, "\n") {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(warned, "\n"), strings.Join(tc.wantWarn, "\n"))
			}
			if err != nil {
				return
			}
			if got := v.IDs(); strings.Join(got, " ") != strings.Join(tc.wantIDs, " ") {
				t.Errorf("ids %q, want %q", got, tc.wantIDs)
			}
			for id, pw := range tc.checkPass {
				env, err := Encrypt([]byte("probe"), NewSecret(id, []byte(pw)))
				if err != nil {
					t.Fatal(err)
				}
				if _, used, err := v.DecryptID(env); err != nil || used != id {
					t.Errorf("secret %s: decrypted by %q, %v", id, used, err)
				}
			}
		})
	}
}

func TestLoadPromptErrors(t *testing.T) {
	t.Parallel()
	var warned []string
	cfg := Config{Warn: func(m string) { warned = append(warned, m) }}
	_, err := Load(context.Background(), cfg, "dev@prompt")
	if !errors.Is(err, ErrNoPrompt) {
		t.Fatalf("error %v, want ErrNoPrompt", err)
	}
	if len(warned) != 1 || !strings.HasPrefix(warned[0], "Error in vault password prompt (dev): ") {
		t.Errorf("warnings %q", warned)
	}
	cfg.NewPassword = true
	n := 0
	cfg.Prompt = func(context.Context, string) (string, error) { n++; return map[int]string{1: "a", 2: "b"}[n], nil }
	if _, err := Load(context.Background(), cfg, "prompt_ask_vault_pass"); !errors.Is(err, ErrPasswordMismatch) || n != 2 {
		t.Errorf("confirm: %v after %d prompts", err, n)
	}
}
