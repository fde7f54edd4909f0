package collection

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakePython writes an executable that answers the probe as a Python
// whose ansible package is at ansibleInit ("" for none) would.
func fakePython(t *testing.T, path, ansibleInit string, sysPath ...string) {
	t.Helper()
	q := make([]string, len(sysPath))
	for i, p := range sysPath {
		q[i] = `"` + p + `"`
	}
	script := "#!/bin/sh\n" +
		`[ "$1" = -c ] || exit 2` + "\n" +
		`echo '{"path": ["", ` + strings.Join(q, ", ") + `], "ansible": "` + ansibleInit + `"}'` + "\n"
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

func writeExec(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestFindAnsibleCore(t *testing.T) {
	dir := t.TempDir()
	core := withCore(t, dir)
	site := filepath.Dir(core)
	init := filepath.Join(core, "__init__.py")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	t.Run("ansible-playbook's python", func(t *testing.T) {
		bin := filepath.Join(t.TempDir(), "bin")
		fakePython(t, filepath.Join(bin, "fakepy"), init, site, "/nowhere")
		fakePython(t, filepath.Join(bin, "python3"), "") // asked only after fakepy
		writeExec(t, filepath.Join(bin, "ansible-playbook"), "#!/usr/bin/env fakepy\n")
		in, err := FindAnsibleCore(ctx, FindOptions{Path: bin, Dirs: []string{}})
		if err != nil {
			t.Fatal(err)
		}
		want := Install{Core: core, Version: "2.14.99", SysPath: []string{site, "/nowhere"}, Python: filepath.Join(bin, "fakepy")}
		if in.Core != want.Core || in.Version != want.Version || !slices.Equal(in.SysPath, want.SysPath) || in.Python != want.Python {
			t.Errorf("got %+v, want %+v", in, want)
		}
	})

	t.Run("first python that has it", func(t *testing.T) {
		bin := filepath.Join(t.TempDir(), "bin")
		writeExec(t, filepath.Join(bin, "broken"), "#!/bin/sh\nexit 1\n")
		writeExec(t, filepath.Join(bin, "hangs"), "#!/bin/sh\nexec sleep 60\n")
		fakePython(t, filepath.Join(bin, "without"), "")
		fakePython(t, filepath.Join(bin, "notcore"), filepath.Join(dir, "lib", "__init__.py"))
		fakePython(t, filepath.Join(bin, "with"), init, site)
		in, err := FindAnsibleCore(ctx, FindOptions{
			Path:    bin,
			Pythons: []string{"missing", "broken", "hangs", "without", "notcore", "with"},
			Timeout: 500 * time.Millisecond,
			Dirs:    []string{},
		})
		if err != nil {
			t.Fatal(err)
		}
		if in.Python != filepath.Join(bin, "with") || in.Core != core {
			t.Errorf("got %+v", in)
		}
	})

	t.Run("site dirs without python", func(t *testing.T) {
		home := t.TempDir()
		in, err := FindAnsibleCore(ctx, FindOptions{
			Pythons: []string{},
			Dirs:    []string{filepath.Join(dir, "nothing*"), filepath.Join(dir, "si?e")},
			Home:    home,
		})
		if err != nil {
			t.Fatal(err)
		}
		if in.Core != core || in.Python != "" || !slices.Equal(in.SysPath, []string{site}) {
			t.Errorf("got %+v", in)
		}
		// "~" in a site dir is the given home.
		writeTree(t, home, map[string]string{
			".local/lib/python3.11/site-packages/ansible/release.py":      "__version__ = \"9.9\"\n",
			".local/lib/python3.11/site-packages/ansible/modules/ping.py": mod,
		})
		in, err = FindAnsibleCore(ctx, FindOptions{Pythons: []string{}, Dirs: []string{"~/.local/lib/python3*/site-packages"}, Home: home})
		if err != nil || in.Version != "9.9" {
			t.Errorf("got %+v, %v", in, err)
		}
	})

	t.Run("none", func(t *testing.T) {
		bin := filepath.Join(t.TempDir(), "bin")
		fakePython(t, filepath.Join(bin, "python3"), "")
		_, err := FindAnsibleCore(ctx, FindOptions{Path: bin, Pythons: []string{"python3"}, Dirs: []string{t.TempDir()}})
		if !errors.Is(err, ErrNoAnsibleCore) || !strings.Contains(err.Error(), filepath.Join(bin, "python3")) {
			t.Errorf("got %v, want ErrNoAnsibleCore naming the python asked", err)
		}
		_, err = FindAnsibleCore(ctx, FindOptions{Pythons: []string{}, Dirs: []string{}})
		if !errors.Is(err, ErrNoAnsibleCore) {
			t.Errorf("got %v, want ErrNoAnsibleCore", err)
		}
	})

	t.Run("canceled", func(t *testing.T) {
		bin := filepath.Join(t.TempDir(), "bin")
		fakePython(t, filepath.Join(bin, "python3"), init, site)
		cctx, ccancel := context.WithCancel(ctx)
		ccancel()
		if _, err := FindAnsibleCore(cctx, FindOptions{Path: bin}); !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	})
}

func TestReadInstall(t *testing.T) {
	dir := t.TempDir()
	core := withCore(t, dir)
	in, err := ReadInstall(core)
	if err != nil || in.Core != core || in.Version != "2.14.99" {
		t.Errorf("got %+v, %v", in, err)
	}
	for _, bad := range []string{dir, filepath.Join(dir, "nothing")} {
		if _, err := ReadInstall(bad); !errors.Is(err, ErrNoAnsibleCore) {
			t.Errorf("ReadInstall(%s): %v", bad, err)
		}
	}
}

func TestShebangPython(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	writeExec(t, filepath.Join(bin, "python3.11"), "#!/bin/sh\n")
	for _, tt := range []struct{ line, want string }{
		{"#! /usr/bin/python3\n", "/usr/bin/python3"},
		{"#!/usr/bin/python3 -E\n", "/usr/bin/python3"},
		{"#!/usr/bin/env python3.11\n", filepath.Join(bin, "python3.11")},
		{"#!/usr/bin/env -S python3.11 -X dev\n", filepath.Join(bin, "python3.11")},
		{"#!/usr/bin/env missing\n", ""},
		{"#!/bin/sh\n", ""},
		{"no shebang\n", ""},
		{"", ""},
	} {
		p := filepath.Join(dir, "script")
		writeExec(t, p, tt.line)
		if got := shebangPython(p, bin); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.line, got, tt.want)
		}
	}
}
