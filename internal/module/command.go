package module

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/jetplay/jetplay/internal/conn"
)

// precheckScript runs on the host before command and shell when chdir,
// creates or removes is set, in one round trip: $1 is chdir, $2 creates, $3
// removes (each may be empty). It prints "dir <path>" after changing
// directory, then one of "run", "creates", "removes" or "chdir <errno>".
// creates and removes are glob patterns, matched like Python's glob.glob:
// IFS is emptied so an unquoted expansion is globbed but never split. A
// leading ~ is the remote user's home.
const precheckScript = `fix() { case $1 in '~'|'~/'*) REPLY=$HOME${1#'~'};; *) REPLY=$1;; esac; }
if [ -n "$1" ]; then
	fix "$1"
	if ! cd "$REPLY" 2>/dev/null; then
		if [ ! -e "$REPLY" ]; then echo "chdir 2"; elif [ ! -d "$REPLY" ]; then echo "chdir 20"; else echo "chdir 13"; fi
		exit 0
	fi
	printf 'dir %s\n' "$(pwd)"
fi
IFS=''
if [ -n "$2" ]; then
	fix "$2"
	for f in $REPLY; do if [ -e "$f" ] || [ -h "$f" ]; then echo creates; exit 0; fi; done
fi
if [ -n "$3" ]; then
	fix "$3"
	for f in $REPLY; do if [ -e "$f" ] || [ -h "$f" ]; then echo run; exit 0; fi; done
	echo removes; exit 0
fi
echo run
`

// stdinMarker is what the stdin wrapper prints when the program does not exist.
const stdinMarker = "jetplay: ENOENT\n"

// stdinCommandScript feeds $1 to the program "$2" "$3"... on stdin without
// a shell ever parsing the program's words (the conn has no stdin channel).
const stdinCommandScript = `d=$1; shift
case $1 in */*) [ -e "$1" ] ;; *) command -v "$1" >/dev/null 2>&1 ;; esac || { printf '` + `jetplay: ENOENT\n` + `' >&2; exit 127; }
printf %s "$d" | exec "$@"`

// stdinShellScript feeds $1 to "$2" -c "$3".
const stdinShellScript = `printf %s "$1" | exec "$2" -c "$3"`

var errnoText = map[int]string{2: "No such file or directory", 13: "Permission denied", 20: "Not a directory"}

// runCommand is the command and shell modules (shell is command with
// _uses_shell), after ansible-core 2.14's modules/command.py.
func runCommand(ctx context.Context, h *host, p map[string]any) (map[string]any, error) {
	shell := pbool(p, "_uses_shell")
	raw := pstr(p, "_raw_params")
	argvP := pstrs(p, "argv")
	r := map[string]any{"changed": false, "stdout": "", "stderr": "", "rc": nil, "cmd": nil,
		"start": nil, "end": nil, "delta": nil, "msg": ""}
	fail := func(msg string) map[string]any { r["failed"], r["msg"] = true, msg; return r }

	var warnings []any
	exe := pstr(p, "executable")
	if !shell && exe != "" {
		warnings = append(warnings, fmt.Sprintf("As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '%s'.", exe))
		exe = ""
	}
	withWarnings := func(res map[string]any) map[string]any {
		if len(warnings) > 0 {
			res["warnings"] = warnings
		}
		return res
	}
	if strings.TrimSpace(raw) == "" && len(argvP) == 0 {
		r["rc"] = 256
		return withWarnings(fail("no command given")), nil
	}
	if raw != "" && len(argvP) > 0 {
		r["rc"] = 256
		return withWarnings(fail("only command or argv can be given, not both")), nil
	}
	var argv []string
	script := raw
	switch {
	case !shell && raw != "":
		words, err := Split(raw)
		if err != nil {
			// Ansible crashes in shlex.split: a MODULE FAILURE.
			what := "No closing quotation"
			if err == ErrNoEscapedCharacter {
				what = "No escaped character"
			}
			return withWarnings(map[string]any{"failed": true, "changed": false, "rc": 1,
				"msg": "MODULE FAILURE\nSee stdout/stderr for the exact error", "module_stdout": "",
				"module_stderr": "ValueError: " + what + "\n"}), nil
		}
		argv = words
	case !shell:
		argv = argvP
	case raw == "":
		script = strings.Join(argvP, " ")
	}
	if shell {
		r["cmd"] = script
	} else {
		r["cmd"] = strList(argv)
	}

	chdir, creates, removes := pstr(p, "chdir"), pstr(p, "creates"), pstr(p, "removes")
	dir := chdir
	if chdir != "" || creates != "" || removes != "" {
		res, err := h.script(ctx, false, precheckScript, chdir, creates, removes)
		if err != nil {
			return nil, err
		}
		verdict := ""
		sc := bufio.NewScanner(strings.NewReader(string(res.Stdout)))
		for sc.Scan() {
			line := sc.Text()
			if d, ok := strings.CutPrefix(line, "dir "); ok {
				dir = d
			} else {
				verdict = line
			}
		}
		switch {
		case res.RC != 0 || verdict == "":
			return withWarnings(fail(fmt.Sprintf("could not check chdir/creates/removes on the host (rc %d): %s",
				res.RC, strings.TrimSpace(text(res.Stderr))))), nil
		case strings.HasPrefix(verdict, "chdir "):
			var errno int
			_, _ = fmt.Sscanf(verdict, "chdir %d", &errno) // no number leaves errno 0
			return withWarnings(fail(fmt.Sprintf("Unable to change directory before execution: [Errno %d] %s: %s",
				errno, errnoText[errno], pyBytesRepr(chdir)))), nil
		case verdict == "creates":
			r["msg"] = fmt.Sprintf("%s not run command since '%s' exists", shoulda(h), creates)
			r["stdout"] = fmt.Sprintf("skipped, since %s exists", creates)
			r["rc"] = 0
			return withWarnings(r), nil
		case verdict == "removes":
			r["msg"] = fmt.Sprintf("%s not run command since '%s' does not exist", shoulda(h), removes)
			r["stdout"] = fmt.Sprintf("skipped, since %s does not exist", removes)
			r["rc"] = 0
			return withWarnings(r), nil
		}
	}

	if h.opt.Check {
		// Ansible's partial check mode: the command would run; without
		// creates or removes the task is skipped.
		r["rc"], r["changed"] = 0, true
		r["msg"] = "Command would have run if not in check mode"
		if creates == "" && removes == "" {
			r["skipped"], r["changed"] = true, false
		}
		return withWarnings(r), nil
	}

	if !shell && needsExpansion(argv) {
		// Like Ansible's command module: $VAR, ${VAR} and a leading ~ in
		// arguments are expanded with the host's environment, without a
		// shell (nothing else is interpreted).
		env, err := h.run(ctx, conn.Command{Argv: []string{"env"}})
		if err != nil {
			return nil, err
		}
		argv = expandArgs(argv, parseEnv(string(env.Stdout)))
		// r["cmd"] keeps the arguments as written, as Ansible shows them.
	}

	var c conn.Command
	stdin, hasStdin := p["stdin"].(string)
	hasStdin = hasStdin && stdin != ""
	if hasStdin && pbool(p, "stdin_add_newline") {
		stdin += "\n"
	}
	switch {
	case shell && hasStdin:
		c.Argv = []string{"/bin/sh", "-c", stdinShellScript, "jetplay", stdin, cmp.Or(exe, "/bin/sh"), script}
	case shell:
		c.Script, c.Shell = script, exe
	case hasStdin:
		c.Argv = append([]string{"/bin/sh", "-c", stdinCommandScript, "jetplay", stdin}, argv...)
	default:
		c.Argv = argv
	}
	c.Dir = dir
	r["changed"] = true
	res, err := h.runMain(ctx, c)
	if err != nil {
		return nil, err
	}
	if res.TimedOut {
		return withWarnings(h.killed(res)), nil
	}
	notFound := res.NotFound || hasStdin && !shell && res.RC == 127 && string(res.Stderr) == stdinMarker
	denied := res.PID == 0 && res.RC == 126 && len(res.Stdout) == 0
	if notFound || denied {
		// run_command's own failure: no start/end/delta, cmd as a string.
		prog := cmp.Or(exe, "/bin/sh")
		shown := script
		if !shell {
			prog, shown = argv[0], pyJoin(argv)
		}
		errno := 2
		if !notFound {
			errno = 13
		}
		return withWarnings(map[string]any{"failed": true, "changed": false, "rc": errno, "cmd": shown,
			"stdout": "", "stderr": "",
			"msg": fmt.Sprintf("[Errno %d] %s: %s", errno, errnoText[errno], pyBytesRepr(prog))}), nil
	}
	r["rc"] = res.RC
	r["start"], r["end"], r["delta"] = pyTime(res.Start), pyTime(res.End), pyDelta(res.End.Sub(res.Start))
	stdout, stderr := text(res.Stdout), text(res.Stderr)
	if pbool(p, "strip_empty_ends") {
		stdout, stderr = strings.TrimRight(stdout, "\r\n"), strings.TrimRight(stderr, "\r\n")
	}
	r["stdout"], r["stderr"] = stdout, stderr
	if res.RC != 0 {
		return withWarnings(fail("non-zero return code")), nil
	}
	return withWarnings(r), nil
}

// runRaw is the raw module: the text through the host's shell, output as is.
func runRaw(ctx context.Context, h *host, p map[string]any) (map[string]any, error) {
	res, err := h.runMain(ctx, conn.Command{Script: pstr(p, "_raw_params"), Shell: pstr(p, "executable")})
	if err != nil {
		return nil, err
	}
	if res.TimedOut {
		return h.killed(res), nil
	}
	r := map[string]any{"changed": true, "rc": res.RC, "stdout": text(res.Stdout), "stderr": text(res.Stderr)}
	if res.RC != 0 {
		r["failed"], r["msg"] = true, "non-zero return code"
	}
	return r, nil
}

func strList(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// shoulda is how command words a run it did not do: "Would" in check mode.
func shoulda(h *host) string {
	if h.opt.Check {
		return "Would"
	}
	return "Did"
}
