package interpreter

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/pyrepr"
)

// Old-style, WANT_JSON and binary modules read their arguments from a file
// named on their command line, so they need files on the host, as in
// Ansible. runFiles makes a private directory (umask 77) under RemoteTmp
// (see tmpBase), named as Ansible names its own
// (ansible-tmp-<time>-<pid>-<random>),
// writes the module (AnsiballZ_<name>, executable) and the args file into
// it, each through stdin, never on a command line (arguments may be
// secrets), runs "<interpreter> '<module>' <args>" (binary: "'<module>'
// <args>") and removes the directory, also when the run failed or ctx
// ended. All of it runs as the task's become user, so that user owns the
// files (Ansible writes them as the login user and then grants the become
// user access, setfacl and the like).

// cleanupTimeout bounds the removal of the temporary directory once ctx
// has ended.
const cleanupTimeout = 30 * time.Second

func (r *Runner) runFiles(ctx context.Context, c conn.Conn, t Task, ch Choice) (conn.Result, error) {
	args, err := argsFile(t.Style, t.Args)
	if err != nil {
		return conn.Result{}, err
	}
	name := t.ModulePath
	if name == "" {
		name = t.Module[strings.LastIndexByte(t.Module, '.')+1:]
	}
	name = "AnsiballZ_" + strings.TrimSpace(path.Base(strings.TrimSpace(name)))
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return conn.Result{}, fmt.Errorf("temporary directory name: %w", err)
	}
	base := "ansible-tmp-" + strconv.FormatFloat(float64(time.Now().UnixNano())/1e9, 'f', 6, 64) + "-" +
		strconv.Itoa(os.Getpid()) + "-" + strconv.FormatUint(binary.BigEndian.Uint64(rnd[:])>>16, 10)
	tmp := shellPath(tmpBase(t))

	// 1: the directory and the module; it prints the directory's path.
	mk := "umask 77 && mkdir -p " + tmp + " && mkdir " + tmp + "/" + base + " && cd " + tmp + "/" + base +
		" && cat > " + name + " && chmod u+x " + name + " && pwd"
	res, err := c.Run(ctx, r.fileCommand(t, mk, t.Payload))
	if err != nil {
		return res, err
	}
	dir := strings.TrimSpace(text(res.Stdout))
	if res.RC != 0 || !strings.HasPrefix(dir, "/") {
		return res, &ModuleError{Err: ErrTempFiles, Msg: fmt.Sprintf(
			"Failed to create temporary directory. In some cases, you may have been able to authenticate and did not have permissions on the target directory. Consider changing the remote tmp path in ansible.cfg to a path rooted in \"/tmp\", for more error information use -vvv. Failed command was: %s, exited with result %d, stderr output: %s",
			mk, res.RC, strings.TrimSpace(text(res.Stderr)))}
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if _, err := c.Run(rctx, r.fileCommand(t, "rm -f -r "+pyrepr.ShlexQuote(dir)+" > /dev/null 2>&1", nil)); err != nil {
			r.log.Warn().Err(err).Str("host", t.Host).Msg("cannot remove the module's temporary directory")
		}
	}()
	module, argsPath := pyrepr.ShlexQuote(dir+"/"+name), pyrepr.ShlexQuote(dir+"/args")

	// 2: the args file.
	res, err = c.Run(ctx, r.fileCommand(t, "umask 77 && cat > "+argsPath, args))
	if err != nil {
		return res, err
	}
	if res.RC != 0 {
		return res, &ModuleError{Err: ErrTempFiles, Msg: fmt.Sprintf("failed to transfer the module's arguments to %s: rc %d: %s",
			dir+"/args", res.RC, strings.TrimSpace(text(res.Stderr)))}
	}

	// 3: the module, as build_module_command writes it.
	cmd := module + " " + argsPath
	if ch.Shebang != "" {
		cmd = ch.Command() + " " + cmd
	}
	return c.Run(ctx, r.command(t, cmd, nil))
}

// systemTmpDirs are the shell's system_tmpdirs: where Ansible puts the
// files of a task that becomes an unprivileged user.
var systemTmpDirs = []string{"/var/tmp", "/tmp"}

// tmpBase is the directory the temporary directory goes into: RemoteTmp,
// or, when the task becomes an unprivileged user (not root or toor, whose
// home may not exist or be writable), RemoteTmp if it is in one of
// systemTmpDirs, else the first of them, as ansible-core's mkdtemp does.
func tmpBase(t Task) string {
	base := cmp.Or(t.RemoteTmp, DefaultRemoteTmp)
	if !t.Become || t.BecomeUser == "" || t.BecomeUser == "root" || t.BecomeUser == "toor" {
		return base
	}
	for _, d := range systemTmpDirs {
		if strings.HasPrefix(base, d) {
			return base
		}
	}
	return systemTmpDirs[0]
}

// fileCommand is the conn.Command of a file-handling step: as the task's
// user, without its environment or deadline.
func (r *Runner) fileCommand(t Task, script string, stdin []byte) conn.Command {
	return conn.Command{
		Script: script, Shell: t.Shell, Stdin: stdin,
		Become: t.Become, BecomeUser: t.BecomeUser, BecomeMethod: t.BecomeMethod, BecomePassword: t.BecomePassword,
		Timeout: r.cfg.DiscoveryTimeout,
	}
}

// argsFile is the content of a module's args file: for StyleOld each
// argument as "key=<shell-quoted str(value)> " (Python's str, so True,
// None, lists as Python shows them), else json.dumps of the arguments.
// Keys are sorted.
func argsFile(style Style, args map[string]any) ([]byte, error) {
	if args == nil {
		args = map[string]any{}
	}
	if style != StyleOld {
		s, err := pyrepr.JSON(args, 0, true)
		if err != nil {
			return nil, fmt.Errorf("module arguments: %w", err)
		}
		return []byte(s), nil
	}
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + pyrepr.ShlexQuote(pyrepr.Str(args[k])) + " ")
	}
	return []byte(b.String()), nil
}

// shellPath is p as a shell word: a leading "~/" becomes "$HOME"/,
// quoted as the rest.
func shellPath(p string) string {
	if p == "~" {
		return `"$HOME"`
	}
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		return `"$HOME"/` + pyrepr.ShlexQuote(rest)
	}
	return pyrepr.ShlexQuote(p)
}
