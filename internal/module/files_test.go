package module

import (
	"context"
	"encoding/base64"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/conn"
)

func TestFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := filepath.Join(dir, "d")
	f := filepath.Join(dir, "t")
	steps := []struct {
		name string
		args map[string]any
		want map[string]any
	}{
		{"mkdir", map[string]any{"path": d, "state": "directory"}, map[string]any{"changed": true, "path": d, "state": "directory", "mode": "0755"}},
		{"mkdir again", map[string]any{"path": d, "state": "directory"}, map[string]any{"changed": false, "state": "directory"}},
		{"mode", map[string]any{"path": d, "state": "directory", "mode": "0700"}, map[string]any{"changed": true, "mode": "0700"}},
		{"mode again", map[string]any{"path": d, "state": "directory", "mode": "0700"}, map[string]any{"changed": false}},
		{"mode as number", map[string]any{"path": d, "state": "directory", "mode": 0o750}, map[string]any{"changed": true, "mode": "0750"}},
		{"touch", map[string]any{"path": f, "state": "touch"}, map[string]any{"changed": true, "dest": f, "state": "file", "size": int64(0)}},
		{"file", map[string]any{"path": f, "state": "file"}, map[string]any{"changed": false, "path": f, "state": "file"}},
		{"no state", map[string]any{"path": f, "mode": "u=rw,go="}, map[string]any{"changed": true, "mode": "0600"}},
		{"file absent", map[string]any{"path": f + "x", "state": "file"}, map[string]any{"failed": true, "path": f + "x", "state": "absent",
			"msg": "file (" + f + "x) is absent, cannot continue"}},
		{"dir over file", map[string]any{"path": f, "state": "directory"}, map[string]any{"failed": true, "msg": f + " already exists as a file"}},
		{"absent", map[string]any{"path": f, "state": "absent"}, map[string]any{"changed": true, "path": f, "state": "absent"}},
		{"absent again", map[string]any{"path": f, "state": "absent"}, map[string]any{"changed": false, "state": "absent"}},
		{"rm dir", map[string]any{"dest": d, "state": "absent"}, map[string]any{"changed": true}},
		{"missing path", map[string]any{"state": "absent"}, map[string]any{"failed": true, "msg": "missing required arguments: path"}},
		{"link to a missing src", map[string]any{"path": f, "state": "link", "src": d}, map[string]any{"failed": true,
			"msg": `src file does not exist, use "force=yes" if you really want to create the link: ` + d}},
		{"src without link", map[string]any{"path": f, "state": "file", "src": d}, map[string]any{"failed": true, "path": f,
			"msg": "src option requires state to be 'link' or 'hard'"}},
		{"owner", map[string]any{"path": f, "state": "touch", "owner": "root"}, map[string]any{"failed": true,
			"msg": "jetplay does not implement these parameters of the file module: owner"}},
	}
	for _, s := range steps {
		res := run(t, "file", s.args, Options{})
		t.Logf("%s: %v", s.name, res)
		subset(t, res, s.want)
	}
}

// TestFileDiff checks the diff and keys of the file module's results
// against what ansible-core 2.14 returns for the same steps.
func TestFileDiff(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := filepath.Join(dir, "d")
	target, link := filepath.Join(d, "target"), filepath.Join(d, "link")
	diff := func(before, after map[string]any) map[string]any {
		return map[string]any{"before": before, "after": after}
	}
	steps := []struct {
		name string
		args map[string]any
		want map[string]any
	}{
		{"mkdir", map[string]any{"path": d, "state": "directory"}, map[string]any{"changed": true,
			"diff": diff(map[string]any{"path": d, "state": "absent"}, map[string]any{"path": d, "state": "directory"})}},
		{"mkdir again", map[string]any{"path": d, "state": "directory"}, map[string]any{"changed": false,
			"diff": diff(map[string]any{"path": d}, map[string]any{"path": d})}},
		{"mode", map[string]any{"path": d, "state": "directory", "mode": "0700"}, map[string]any{"changed": true,
			"diff": diff(map[string]any{"path": d, "mode": "0755"}, map[string]any{"path": d, "mode": "0700"})}},
		{"sub dir", map[string]any{"path": d + "/sub/deeper", "state": "directory"}, map[string]any{"changed": true}},
		{"touch", map[string]any{"path": target, "state": "touch"}, map[string]any{"changed": true, "dest": target}},
		{"link", map[string]any{"path": link, "state": "link", "src": target}, map[string]any{"changed": true, "dest": link,
			"src": target, "state": "link", "mode": "0777", "size": int64(len(target)),
			"diff": diff(map[string]any{"path": link, "state": "absent"}, map[string]any{"path": link, "state": "link"})}},
		{"link again", map[string]any{"path": link, "state": "link", "src": target}, map[string]any{"changed": false,
			"diff": diff(map[string]any{"path": link}, map[string]any{"path": link})}},
		{"relink", map[string]any{"dest": link, "state": "link", "src": "sub"}, map[string]any{"changed": true, "src": "sub",
			"diff": diff(map[string]any{"path": link, "src": target}, map[string]any{"path": link, "src": "sub"})}},
		{"link over a file", map[string]any{"path": target, "state": "link", "src": "sub"}, map[string]any{"failed": true,
			"msg": "refusing to convert from file to symlink for " + target, "path": target, "state": "file"}},
		{"hard link", map[string]any{"path": d + "/hard", "state": "hard", "src": target}, map[string]any{"changed": true,
			"dest": d + "/hard", "src": target, "state": "hard",
			"diff": diff(map[string]any{"path": d + "/hard", "state": "absent"}, map[string]any{"path": d + "/hard", "state": "hard"})}},
		{"hard link again", map[string]any{"path": d + "/hard", "state": "hard", "src": target}, map[string]any{"changed": false,
			"diff": diff(map[string]any{"path": d + "/hard"}, map[string]any{"path": d + "/hard"})}},
		{"hard link over another", map[string]any{"path": d + "/hard", "state": "hard", "src": link}, map[string]any{"failed": true,
			"msg": "Cannot link, different hard link exists at destination", "dest": d + "/hard", "src": link, "state": "hard"}},
		{"hard link without src", map[string]any{"path": d + "/none", "state": "hard"}, map[string]any{"failed": true,
			"msg": "src is required for creating new hardlinks"}},
		{"rm hard link", map[string]any{"path": d + "/hard", "state": "absent"}, map[string]any{"changed": true,
			"diff": diff(map[string]any{"path": d + "/hard", "state": "hard"}, map[string]any{"path": d + "/hard", "state": "absent"})}},
		// A link to a directory counts as a directory, as in os.walk (which
		// does not descend into it).
		{"absent", map[string]any{"path": d, "state": "absent"}, map[string]any{"changed": true, "path": d, "state": "absent",
			"diff": diff(map[string]any{"path": d, "state": "directory", "path_content": map[string]any{
				"directories": []any{link, d + "/sub", d + "/sub/deeper"}, "files": []any{target}}},
				map[string]any{"path": d, "state": "absent"})}},
		{"absent again", map[string]any{"path": d, "state": "absent"}, map[string]any{"changed": false}},
	}
	for _, s := range steps {
		res := run(t, "file", s.args, Options{})
		t.Logf("%s: %v", s.name, res)
		if s.name == "absent" {
			// A directory's entries come in the file system's order: link
			// and sub may come either way, sub/deeper after both.
			pc := res["diff"].(map[string]any)["before"].(map[string]any)["path_content"].(map[string]any)
			if dirs := pc["directories"].([]any); len(dirs) == 3 && dirs[0] != link {
				dirs[0], dirs[1] = dirs[1], dirs[0]
			}
		}
		subset(t, res, s.want)
		if s.name == "touch" {
			dd := res["diff"].(map[string]any)
			for _, side := range []string{"before", "after"} {
				m := dd[side].(map[string]any)
				if _, ok := m["atime"].(float64); !ok {
					t.Errorf("touch: diff.%s has no atime: %v", side, m)
				}
			}
			if dd["before"].(map[string]any)["state"] != "absent" || dd["after"].(map[string]any)["state"] != "touch" {
				t.Errorf("touch: diff = %v", dd)
			}
		}
		if s.name == "absent again" {
			if _, ok := res["diff"]; ok {
				t.Errorf("absent again: a diff when nothing was removed: %v", res["diff"])
			}
		}
	}
	if got, err := os.Readlink(link); err == nil {
		t.Errorf("link %s still there (-> %s)", link, got)
	}
}

func TestCopyRemoteSrc(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, dest := filepath.Join(dir, "src.txt"), filepath.Join(dir, "dst.txt")
	if err := os.WriteFile(src, []byte("data\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"dest": dest, "src": src, "checksum": "c5d84736ba451747dd5f0eb9d17e104f3697ef47",
		"md5sum": "6137cde4893c59f76f005a8123d8e8e6", "state": "file", "size": int64(5), "mode": "0600"}
	for _, changed := range []bool{true, false} {
		res := run(t, "copy", map[string]any{"src": src, "dest": dest, "remote_src": true}, Options{})
		want["changed"] = changed
		subset(t, res, want)
		for _, k := range []string{"diff", "path"} {
			if _, ok := res[k]; ok {
				t.Errorf("changed=%v: remote_src result has %s: %v", changed, k, res)
			}
		}
	}
	if b, err := os.ReadFile(dest); err != nil || string(b) != "data\n" {
		t.Errorf("dest = %q, %v", b, err)
	}
	res := run(t, "copy", map[string]any{"src": filepath.Join(dir, "none"), "dest": dest, "remote_src": true}, Options{})
	subset(t, res, map[string]any{"failed": true, "msg": "Source " + filepath.Join(dir, "none") + " not found"})
}

func TestCopy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dest := filepath.Join(dir, "c")
	big := strings.Repeat("0123456789abcdef", 20000) // 320 KB: several argv chunks
	steps := []struct {
		name string
		args map[string]any
		want map[string]any
		file string
	}{
		{"new", map[string]any{"content": "hello\n", "dest": dest, "mode": "0640"}, map[string]any{"changed": true, "dest": dest,
			"checksum": "f572d396fae9206628714fb2ce00f72e94f2258f", "md5sum": "b1946ac92492d2347c6235b4d2611184", "mode": "0640", "size": int64(6), "state": "file"}, "hello\n"},
		{"same", map[string]any{"content": "hello\n", "dest": dest, "mode": "0640"}, map[string]any{"changed": false, "path": dest,
			"checksum": "f572d396fae9206628714fb2ce00f72e94f2258f", "mode": "0640",
			"diff": map[string]any{"before": map[string]any{"path": dest}, "after": map[string]any{"path": dest}}}, "hello\n"},
		{"mode only", map[string]any{"content": "hello\n", "dest": dest, "mode": "0600"}, map[string]any{"changed": true, "mode": "0600", "path": dest,
			"diff": map[string]any{"before": map[string]any{"path": dest, "mode": "0640"}, "after": map[string]any{"path": dest, "mode": "0600"}}}, "hello\n"},
		{"new content keeps mode", map[string]any{"content": "it's $HOME `x`\n", "dest": dest}, map[string]any{"changed": true, "mode": "0600"}, "it's $HOME `x`\n"},
		{"force no", map[string]any{"content": "other", "dest": dest, "force": false}, map[string]any{"changed": false}, "it's $HOME `x`\n"},
		{"binary src", map[string]any{"src": "files/bin", "_content_b64": base64.StdEncoding.EncodeToString([]byte("a\x00b")), "dest": dir + "/"},
			map[string]any{"changed": true, "dest": filepath.Join(dir, "bin"), "size": int64(3), "diff": []any{}}, ""},
		{"big", map[string]any{"content": big, "dest": dest}, map[string]any{"changed": true, "size": int64(len(big))}, big},
		{"empty", map[string]any{"content": "", "dest": dest}, map[string]any{"changed": true, "size": int64(0)}, ""},
		{"no dir", map[string]any{"content": "x", "dest": filepath.Join(dir, "no", "x")}, map[string]any{"failed": true,
			"msg": "Destination directory " + filepath.Join(dir, "no") + " does not exist"}, ""},
		{"src only", map[string]any{"src": "/etc/hosts", "dest": dest}, map[string]any{"failed": true}, ""},
		{"nothing", map[string]any{"dest": dest}, map[string]any{"failed": true, "msg": "src (or content) is required"}, ""},
	}
	for _, s := range steps {
		res := run(t, "copy", s.args, Options{})
		subset(t, res, s.want)
		if src, ok := res["src"].(string); ok && s.name == "new" {
			// The bytes went through a temporary file next to dest, gone now.
			if filepath.Dir(src) != dir || !strings.HasPrefix(filepath.Base(src), ".jetplay.") {
				t.Errorf("%s: src = %q, want a temporary file in %s", s.name, src, dir)
			}
			if _, err := os.Stat(src); err == nil {
				t.Errorf("%s: temporary file %s left behind", s.name, src)
			}
		} else if s.name == "new" {
			t.Errorf("%s: no src in %v", s.name, res)
		}
		if s.file != "" || s.name == "empty" {
			got, err := os.ReadFile(dest)
			if err != nil || string(got) != s.file {
				t.Errorf("%s: dest holds %d bytes (%v), want %d", s.name, len(got), err, len(s.file))
			}
		}
		if inv, ok := res["invocation"].(map[string]any); ok {
			if args := inv["module_args"].(map[string]any); args["content"] != nil || args["_content_b64"] != nil {
				t.Errorf("%s: invocation shows content: %v", s.name, args)
			}
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "bin")); string(b) != "a\x00b" {
		t.Errorf("binary copy = %q", b)
	}
}

func TestStat(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := filepath.Join(dir, "f")
	if err := os.WriteFile(f, []byte("hello\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(f, filepath.Join(dir, "l")); err != nil {
		t.Fatal(err)
	}
	res := run(t, "stat", map[string]any{"path": f}, Options{})
	st := res["stat"].(map[string]any)
	subset(t, st, map[string]any{"exists": true, "isreg": true, "isdir": false, "mode": "0640", "size": int64(6),
		"checksum": "f572d396fae9206628714fb2ce00f72e94f2258f", "rusr": true, "wusr": true, "xusr": false, "roth": false,
		"path": f, "uid": int64(os.Getuid())})
	for _, k := range []string{"version", "attributes", "attr_flags", "mimetype", "charset"} {
		if _, ok := st[k]; !ok {
			t.Errorf("stat lacks %s: %v", k, st)
		}
	}
	if _, err := exec.LookPath("file"); err == nil {
		subset(t, st, map[string]any{"mimetype": "text/plain", "charset": "us-ascii"})
	}
	res = run(t, "stat", map[string]any{"path": f, "get_mime": false, "get_attributes": false}, Options{})
	for _, k := range []string{"version", "attributes", "attr_flags", "mimetype", "charset"} {
		if v, ok := res["stat"].(map[string]any)[k]; ok {
			t.Errorf("stat without get_mime and get_attributes has %s: %v", k, v)
		}
	}
	res = run(t, "stat", map[string]any{"path": filepath.Join(dir, "l")}, Options{})
	subset(t, res["stat"].(map[string]any), map[string]any{"islnk": true, "lnk_source": f, "lnk_target": f})
	if _, ok := res["stat"].(map[string]any)["checksum"]; ok {
		t.Errorf("stat of a link (follow: false) has a checksum: %v", res["stat"])
	}
	if _, err := exec.LookPath("file"); err == nil {
		subset(t, res["stat"].(map[string]any), map[string]any{"mimetype": "inode/symlink", "charset": "binary"})
	}
	res = run(t, "stat", map[string]any{"path": filepath.Join(dir, "l"), "follow": true, "checksum_algorithm": "sha256"}, Options{})
	subset(t, res["stat"].(map[string]any), map[string]any{"isreg": true,
		"checksum": "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"})
	res = run(t, "stat", map[string]any{"path": dir}, Options{})
	subset(t, res["stat"].(map[string]any), map[string]any{"isdir": true})
	res = run(t, "stat", map[string]any{"path": filepath.Join(dir, "none")}, Options{})
	subset(t, res, map[string]any{"changed": false, "stat": map[string]any{"exists": false}})
}

func TestGetURL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src.txt")
	if err := os.WriteFile(src, []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + src
	sum := "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
	g, g2, g3 := filepath.Join(dir, "g"), filepath.Join(dir, "g2"), filepath.Join(dir, "g3")
	steps := []struct {
		args map[string]any
		want map[string]any
	}{
		{map[string]any{"url": url, "dest": g}, map[string]any{"changed": true, "checksum_dest": nil, "checksum_src": "f572d396fae9206628714fb2ce00f72e94f2258f",
			"dest": g, "md5sum": "b1946ac92492d2347c6235b4d2611184", "mode": "0644", "msg": "OK (6 bytes)", "size": int64(6), "state": "file",
			"status_code": nil, "url": url, "elapsed": 0}},
		{map[string]any{"url": url, "dest": g}, map[string]any{"changed": false, "checksum_dest": "f572d396fae9206628714fb2ce00f72e94f2258f", "msg": "OK (6 bytes)"}},
		{map[string]any{"url": url, "dest": g2, "checksum": "sha256:0000", "mode": "0600"}, map[string]any{"failed": true, "changed": true,
			"msg": "The checksum for " + g2 + " did not match 0000; it was 5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03."}},
		{map[string]any{"url": url, "dest": g3, "checksum": sum, "mode": "0600"}, map[string]any{"changed": true, "mode": "0600", "msg": "OK (6 bytes)"}},
		{map[string]any{"url": url, "dest": g3, "checksum": sum, "mode": "0600"}, map[string]any{"changed": false, "mode": "0600", "msg": "file already exists"}},
		{map[string]any{"url": url, "dest": dir}, map[string]any{"changed": false, "dest": src}},
		{map[string]any{"url": "file:///nonexistent", "dest": g}, map[string]any{"failed": true}},
		{map[string]any{"url": "ftp://x/y", "dest": g}, map[string]any{"failed": true}},
	}
	for i, s := range steps {
		res := run(t, "get_url", s.args, Options{})
		t.Logf("%d: %v", i, res)
		subset(t, res, s.want)
	}
	if _, err := os.Stat(g2); err == nil {
		t.Error("a download with a wrong checksum was kept")
	}
}

// TestGetURLNoTool runs get_url of an http URL on a "host" whose PATH has
// neither curl nor wget.
func TestGetURLNoTool(t *testing.T) {
	t.Parallel()
	bin := toolDir(t, "sha1sum", "stat", "date", "basename")
	res := run(t, "get_url", map[string]any{"url": "http://127.0.0.1:1/x", "dest": filepath.Join(t.TempDir(), "x")},
		Options{Env: map[string]string{"PATH": bin}})
	subset(t, res, map[string]any{"failed": true, "msg": "jetplay: get_url of http(s) URLs needs curl or wget on the host"})
}

// toolDir makes a directory with symlinks to the named host tools, to
// serve as a PATH without the others.
func toolDir(t *testing.T, tools ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range tools {
		for _, d := range []string{"/usr/bin", "/bin", "/usr/sbin", "/sbin"} {
			if _, err := os.Stat(filepath.Join(d, name)); err == nil {
				if err := os.Symlink(filepath.Join(d, name), filepath.Join(dir, name)); err != nil {
					t.Fatal(err)
				}
				break
			}
		}
	}
	return dir
}

func TestPackageAndServiceWithoutTools(t *testing.T) {
	t.Parallel()
	opt := Options{Env: map[string]string{"PATH": toolDir(t, "cat", "sed", "rm", "mktemp")}}
	tests := []struct {
		mod  string
		args map[string]any
		msg  string
	}{
		{"package", map[string]any{"name": "curl", "state": "present"}, `Could not detect which package manager to use. Try gathering facts or setting the "use" option.`},
		{"apt", map[string]any{"name": []any{"curl", "jq"}}, "jetplay: apt needs apt-get on the host, which it does not have"},
		{"dnf", map[string]any{"name": "curl", "state": "latest"}, "jetplay: dnf is not on the host"},
		{"yum", map[string]any{"name": "curl"}, "jetplay: yum is not on the host"},
		{"systemd", map[string]any{"name": "nginx", "state": "started"}, "Failed to find required executable systemctl in paths: " + opt.Env["PATH"]},
		{"service", map[string]any{"name": "nginx", "state": "started"}, "jetplay: the host has neither systemctl nor service(8)"},
	}
	for _, tt := range tests {
		res := run(t, tt.mod, tt.args, opt)
		subset(t, res, map[string]any{"failed": true, "msg": tt.msg})
	}
}

// TestScriptsTakeValuesAsArgv checks that hostile values reach the host
// as argv words, never inside script text.
func TestScriptsTakeValuesAsArgv(t *testing.T) {
	t.Parallel()
	evil := "/tmp/x'; rm -rf / #$(reboot)"
	tests := []struct {
		mod  string
		args map[string]any
	}{
		{"file", map[string]any{"path": evil, "state": "directory"}},
		{"copy", map[string]any{"dest": evil, "content": evil}},
		{"stat", map[string]any{"path": evil}},
		{"get_url", map[string]any{"url": "http://h/" + evil, "dest": evil}},
		{"package", map[string]any{"name": evil, "state": "present"}},
		{"service", map[string]any{"name": evil, "state": "started"}},
		{"systemd", map[string]any{"name": evil, "state": "started"}},
		{"command", map[string]any{"argv": []any{"echo", evil}, "chdir": evil, "creates": evil}},
		{"wait_for", map[string]any{"path": evil, "timeout": 0}},
	}
	for _, tt := range tests {
		rec := &recorder{answer: func(c conn.Command) (conn.Result, error) {
			return conn.Result{Stdout: []byte("run\n")}, nil
		}}
		if _, err := Run(context.Background(), rec, tt.mod, tt.args, Options{}); err != nil {
			t.Fatalf("%s: %v", tt.mod, err)
		}
		for _, c := range rec.cmds {
			if c.Script != "" || len(c.Argv) < 3 {
				if tt.mod == "command" {
					continue
				}
				t.Errorf("%s: not an argv script: %+v", tt.mod, c)
				continue
			}
			if strings.Contains(c.Argv[2], "reboot") {
				t.Errorf("%s: value spliced into the script", tt.mod)
			}
		}
	}
}

func TestWaitFor(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := filepath.Join(dir, "f")
	if err := os.WriteFile(f, []byte("root:x:0:0\nname=web42\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	port := ln.Addr().(*net.TCPAddr).Port
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	freePort := closed.Addr().(*net.TCPAddr).Port
	closed.Close()

	tests := []struct {
		name string
		args map[string]any
		want map[string]any
	}{
		{"file", map[string]any{"path": f}, map[string]any{"changed": false, "elapsed": 0, "path": f, "state": "file", "mode": "0644",
			"size": int64(22), "port": nil, "search_regex": nil, "match_groups": []any{}, "match_groupdict": map[string]any{}}},
		{"regex", map[string]any{"path": f, "search_regex": "ro(o)t:(x)"}, map[string]any{"match_groups": []any{"o", "x"}, "search_regex": "ro(o)t:(x)"}},
		{"named", map[string]any{"path": f, "search_regex": `^name=(?P<host>\w+)$`}, map[string]any{"match_groups": []any{"web42"},
			"match_groupdict": map[string]any{"host": "web42"}}},
		{"absent", map[string]any{"path": filepath.Join(dir, "none"), "state": "absent"}, map[string]any{"state": "absent", "elapsed": 0}},
		{"file timeout", map[string]any{"path": filepath.Join(dir, "none"), "timeout": 1}, map[string]any{"failed": true,
			"msg": "Timeout when waiting for file " + filepath.Join(dir, "none")}},
		{"regex timeout", map[string]any{"path": f, "search_regex": "nomatch", "timeout": 1}, map[string]any{"failed": true,
			"msg": "Timeout when waiting for search string nomatch in " + f}},
		{"absent timeout", map[string]any{"path": f, "state": "absent", "timeout": 1}, map[string]any{"failed": true,
			"msg": "Timeout when waiting for " + f + " to be absent."}},
		{"custom msg", map[string]any{"path": filepath.Join(dir, "none"), "timeout": 1, "msg": "nope"}, map[string]any{"failed": true, "msg": "nope"}},
		{"port", map[string]any{"port": port, "timeout": 5}, map[string]any{"changed": false, "port": port, "state": "started", "path": nil, "elapsed": 0}},
		{"port timeout", map[string]any{"port": freePort, "timeout": 1}, map[string]any{"failed": true,
			"msg": "Timeout when waiting for 127.0.0.1:" + strconv.Itoa(freePort)}},
		{"port stopped", map[string]any{"port": freePort, "state": "stopped"}, map[string]any{"state": "stopped"}},
		{"port stop timeout", map[string]any{"port": port, "state": "stopped", "timeout": 1}, map[string]any{"failed": true,
			"msg": "Timeout when waiting for 127.0.0.1:" + strconv.Itoa(port) + " to stop."}},
		{"drained", map[string]any{"port": freePort, "state": "drained"}, map[string]any{"state": "drained"}},
		{"sleep only", map[string]any{"timeout": 1}, map[string]any{"elapsed": 1, "state": "started"}},
		{"port and path", map[string]any{"port": 1, "path": f}, map[string]any{"failed": true, "elapsed": 0,
			"msg": "port and path parameter can not both be passed to wait_for"}},
		{"bad timeout", map[string]any{"timeout": "abc"}, map[string]any{"failed": true,
			"msg": "argument 'timeout' is of type <class 'str'> and we were unable to convert to int: <class 'str'> cannot be converted to an int"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			subset(t, run(t, "wait_for", tt.args, Options{}), tt.want)
		})
	}
}

func TestWaitForAppears(t *testing.T) {
	t.Parallel()
	f := filepath.Join(t.TempDir(), "later")
	go func() {
		time.Sleep(300 * time.Millisecond)
		_ = os.WriteFile(f, []byte("ready\n"), 0o644)
	}()
	res := run(t, "wait_for", map[string]any{"path": f, "search_regex": "ready", "timeout": 10}, Options{})
	subset(t, res, map[string]any{"changed": false, "state": "file"})
}

func TestWaitForAsyncDeadline(t *testing.T) {
	t.Parallel()
	res := runResult(t, "wait_for", map[string]any{"path": "/nonexistent", "timeout": 30}, Options{Async: time.Second})
	subset(t, res.Values, map[string]any{"failed": true, "msg": "Timeout exceeded", "child_pid": 0, "stdout": "", "stderr": ""})
	if !res.TimedOut {
		t.Error("TimedOut = false, want true")
	}
}

// TestWaitForPortFallback checks ports with neither bash nor nc: the
// listening sockets of /proc/net/tcp.
func TestWaitForPortFallback(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc/net/tcp")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	opt := Options{Env: map[string]string{"PATH": toolDir(t, "cat")}}
	subset(t, run(t, "wait_for", map[string]any{"port": port, "timeout": 2}, opt), map[string]any{"state": "started", "port": port})
	subset(t, run(t, "wait_for", map[string]any{"port": port, "host": "10.255.255.1", "timeout": 2}, opt),
		map[string]any{"failed": true, "msg": errNoPortTool.Error()})
}
