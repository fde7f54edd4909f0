package payload

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"maps"
	"path"
	"strings"

	"github.com/jetplay/jetplay/internal/pyrepr"
)

// Task is what one run of a payload gets: the module's arguments, Ansible's
// internal parameters and the host's interpreters.
type Task struct {
	// Args are the module's arguments. A key starting with _ansible_ is
	// replaced by Internal's.
	Args map[string]any
	// Internal are the _ansible_* parameters.
	Internal Internal
	// Python is the host's Python (ansible_python_interpreter, or what
	// interpreter discovery found): it replaces a #! interpreter named
	// python. Required for such modules (ErrNeedPython); ansible-core's own
	// modules all say #!/usr/bin/python.
	Python string
	// Interpreters are the ansible_<name>_interpreter values by name
	// (perl, ruby, ...): each replaces a #! interpreter of that base name.
	Interpreters map[string]string
	// RlimitNofile is PYTHON_MODULE_RLIMIT_NOFILE: when above 0 the wrapper
	// lowers or raises the soft RLIMIT_NOFILE to it, within the hard limit.
	// Default 0: the limit is left as it is.
	RlimitNofile int
}

// Internal are the _ansible_* parameters Ansible's action plugins add to a
// module's arguments (ActionBase._update_module_args). Zero values take
// Ansible's defaults where it has one.
type Internal struct {
	CheckMode bool // _ansible_check_mode
	NoLog     bool // _ansible_no_log: task no_log or DEFAULT_NO_TARGET_SYSLOG
	Debug     bool // _ansible_debug
	Diff      bool // _ansible_diff
	Verbosity int  // _ansible_verbosity
	// Version is _ansible_version. Default DefaultAnsibleVersion.
	Version string
	// ModuleName is _ansible_module_name. Default the payload's Name.
	ModuleName string
	// SyslogFacility is _ansible_syslog_facility. Default LOG_USER.
	SyslogFacility string
	// SelinuxSpecialFS is _ansible_selinux_special_fs. nil means Ansible's
	// default: fuse, nfs, vboxsf, ramfs, 9p, vfat.
	SelinuxSpecialFS []string
	// StringConversionAction is _ansible_string_conversion_action. Default
	// warn.
	StringConversionAction string
	// Socket is _ansible_socket; "" is None.
	Socket string
	// ShellExecutable is _ansible_shell_executable. Default /bin/sh.
	ShellExecutable string
	// KeepRemoteFiles is _ansible_keep_remote_files.
	KeepRemoteFiles bool
	// Tmpdir is _ansible_tmpdir, the task's remote temporary directory; ""
	// is None (pipelining makes none; so does becoming an unprivileged
	// user).
	Tmpdir string
	// RemoteTmp is _ansible_remote_tmp. Default ~/.ansible/tmp.
	RemoteTmp string
}

// DefaultSelinuxSpecialFS is Ansible's default DEFAULT_SELINUX_SPECIAL_FS.
var DefaultSelinuxSpecialFS = []string{"fuse", "nfs", "vboxsf", "ramfs", "9p", "vfat"}

func (in Internal) selinuxFS() []string {
	if in.SelinuxSpecialFS == nil {
		return DefaultSelinuxSpecialFS
	}
	return in.SelinuxSpecialFS
}

// moduleArgs returns the arguments with the internal parameters, as the
// module receives them.
func (t Task) moduleArgs(name string) map[string]any {
	in := t.Internal
	args := make(map[string]any, len(t.Args)+15)
	for k, v := range t.Args {
		if !strings.HasPrefix(k, "_ansible_") {
			args[k] = v
		}
	}
	fs := in.selinuxFS()
	fsList := make([]any, len(fs))
	for i, f := range fs {
		fsList[i] = f
	}
	orNone := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	maps.Copy(args, map[string]any{
		"_ansible_check_mode":               in.CheckMode,
		"_ansible_no_log":                   in.NoLog,
		"_ansible_debug":                    in.Debug,
		"_ansible_diff":                     in.Diff,
		"_ansible_verbosity":                in.Verbosity,
		"_ansible_version":                  cmp.Or(in.Version, DefaultAnsibleVersion),
		"_ansible_module_name":              cmp.Or(in.ModuleName, name),
		"_ansible_syslog_facility":          cmp.Or(in.SyslogFacility, "LOG_USER"),
		"_ansible_selinux_special_fs":       fsList,
		"_ansible_string_conversion_action": cmp.Or(in.StringConversionAction, "warn"),
		"_ansible_socket":                   orNone(in.Socket),
		"_ansible_shell_executable":         cmp.Or(in.ShellExecutable, "/bin/sh"),
		"_ansible_keep_remote_files":        in.KeepRemoteFiles,
		"_ansible_tmpdir":                   orNone(in.Tmpdir),
		"_ansible_remote_tmp":               cmp.Or(in.RemoteTmp, "~/.ansible/tmp"),
	})
	return args
}

// paramsLiteral is the wrapper's ANSIBALLZ_PARAMS: a Python string literal
// of the JSON text {"ANSIBLE_MODULE_ARGS": args}, ASCII only (non-ASCII
// escaped as json.dumps does by default), so that it reads the same under
// Python 2 and 3.
func paramsLiteral(args map[string]any) (string, error) {
	js, err := pyrepr.JSON(map[string]any{"ANSIBLE_MODULE_ARGS": args}, 0, true)
	if err != nil {
		return "", fmt.Errorf("module arguments: %w", err)
	}
	return pyrepr.Quote(js), nil
}

// Wrapper returns the per-task script of a new-style Python payload: run
// with the host's Python, the payload zip inside, the arguments in it.
// Pipelining sends it on the interpreter's stdin. Errors: ErrStyle for
// another style, ErrNoInterpreter, ErrNeedPython, arguments JSON cannot
// hold.
func (p *Payload) Wrapper(t Task) ([]byte, error) {
	if p.Style != StylePython {
		return nil, fmt.Errorf("wrapper of a %s payload: %w", p.Style, ErrStyle)
	}
	shebang, err := t.pythonShebang(p.moduleSource())
	if err != nil {
		return nil, fmt.Errorf("module %s: %w", p.Name, err)
	}
	params, err := paramsLiteral(t.moduleArgs(p.Name))
	if err != nil {
		return nil, fmt.Errorf("module %s: %w", p.Name, err)
	}
	var buf bytes.Buffer
	buf.Grow(len(p.blob.base64()) + 4096)
	err = wrapperTemplate.Execute(&buf, wrapperData{
		Shebang: shebang,
		Prefix:  pyrepr.Quote("ansible_" + p.Name + "_payload_"),
		ZipName: pyrepr.Quote("ansible_" + p.Name + "_payload.zip"),
		FQN:     pyrepr.Quote(p.FQN),
		Params:  params,
		Zip:     p.blob.base64(),
		Rlimit:  t.RlimitNofile,
	})
	if err != nil {
		return nil, fmt.Errorf("module %s: wrapper: %w", p.Name, err)
	}
	return buf.Bytes(), nil
}

// moduleSource returns the module's own file from the zip, or nil.
func (p *Payload) moduleSource() []byte {
	p.blob.srcOnce.Do(func() {
		p.blob.src = zipMember(p.blob.data, strings.ReplaceAll(p.FQN, ".", "/")+".py")
	})
	return p.blob.src
}

// pythonShebang is the wrapper's #! line: the module's own, its
// interpreter replaced as Ansible's _get_shebang does (/usr/bin/python
// when it has none).
func (t Task) pythonShebang(src []byte) (string, error) {
	interp, args, ok, err := extractInterpreter(src)
	if err != nil {
		return "", err
	}
	if !ok {
		interp, args = "/usr/bin/python", nil
	}
	s, _, err := t.shebang(interp, args)
	return s, err
}

// Script returns what runs a payload of any other style on the host: the
// module file (its #! line rewritten as Ansible's modify_module does, the
// arguments written in for StyleJSONArgs) and the content of the
// arguments file its argv[1] names (JSON for StyleWantJSON and
// StyleBinary, k=v words for StyleOld; nil for StyleJSONArgs). Errors:
// ErrStyle for StylePython, ErrNoInterpreter, ErrNeedPython, arguments
// JSON cannot hold.
func (p *Payload) Script(t Task) (script, argsFile []byte, err error) {
	args := t.moduleArgs(p.Name)
	src := p.Data
	switch p.Style {
	case StylePython, StylePowerShell:
		return nil, nil, fmt.Errorf("script of a %s payload: %w", p.Style, ErrStyle)
	case StyleBinary:
		js, err := pyrepr.JSON(args, 0, true)
		if err != nil {
			return nil, nil, fmt.Errorf("module %s: module arguments: %w", p.Name, err)
		}
		return src, []byte(js), nil
	case StyleJSONArgs:
		js, err := pyrepr.JSON(args, 0, true)
		if err != nil {
			return nil, nil, fmt.Errorf("module %s: module arguments: %w", p.Name, err)
		}
		src = bytes.ReplaceAll(src, markerVersion, []byte(pyrepr.Quote(cmp.Or(t.Internal.Version, DefaultAnsibleVersion))))
		src = bytes.ReplaceAll(src, markerComplex, []byte("b"+pyrepr.Quote(js)))
		src = bytes.ReplaceAll(src, markerSelinux, []byte(strings.Join(t.Internal.selinuxFS(), ",")))
		src = bytes.ReplaceAll(src, markerJSONArgs, []byte(js))
		src = bytes.ReplaceAll(src, []byte("syslog.LOG_USER"), []byte("syslog."+cmp.Or(t.Internal.SyslogFacility, "LOG_USER")))
	case StyleWantJSON:
		js, err := pyrepr.JSON(args, 0, true)
		if err != nil {
			return nil, nil, fmt.Errorf("module %s: module arguments: %w", p.Name, err)
		}
		argsFile = []byte(js)
	case StyleOld:
		var b strings.Builder
		for _, k := range pyrepr.SortedKeys(args) {
			b.WriteString(k + "=" + pyrepr.ShlexQuote(pyrepr.Str(args[k])) + " ")
		}
		argsFile = []byte(b.String())
	}
	interp, iargs, ok, err := extractInterpreter(src)
	if err != nil {
		return nil, nil, fmt.Errorf("module %s: %w", p.Name, err)
	}
	if !ok {
		return nil, nil, fmt.Errorf("module (%s) is missing interpreter line: %w", p.Name, ErrNoInterpreter)
	}
	shebang, newInterp, err := t.shebang(interp, iargs)
	if err != nil {
		return nil, nil, fmt.Errorf("module %s: %w", p.Name, err)
	}
	first, rest, hasRest := bytes.Cut(src, []byte("\n"))
	lines := [][]byte{first}
	if interp != newInterp {
		lines[0] = []byte(shebang)
	}
	if strings.HasPrefix(path.Base(interp), "python") {
		lines = append(lines, []byte(codingLine))
	}
	if hasRest {
		lines = append(lines, rest)
	}
	return bytes.Join(lines, []byte("\n")), argsFile, nil
}

const codingLine = "# -*- coding: utf-8 -*-"

// extractInterpreter is Ansible's _extract_interpreter: the interpreter
// and arguments of the first line's #!, ok false when there is none.
func extractInterpreter(src []byte) (interp string, args []string, ok bool, err error) {
	first, _, _ := bytes.Cut(src, []byte("\n"))
	if !bytes.HasPrefix(first, []byte("#!")) {
		return "", nil, false, nil
	}
	words, err := shlexSplit(strings.TrimSpace(string(first))[2:])
	if err != nil {
		return "", nil, false, fmt.Errorf("#! line: %w", err)
	}
	if len(words) == 0 {
		return "", nil, false, fmt.Errorf("#! line names no interpreter: %w", ErrNoInterpreter)
	}
	return words[0], words[1:], true, nil
}

// shebang is Ansible's _get_shebang for a resolved interpreter: python is
// Task.Python, another name its Interpreters entry, anything else stays.
func (t Task) shebang(interp string, args []string) (line, out string, err error) {
	name := strings.TrimSpace(path.Base(interp))
	if name == "python" {
		if t.Python == "" {
			return "", "", ErrNeedPython
		}
		out = strings.TrimSpace(t.Python)
	} else if v, ok := t.Interpreters[name]; ok {
		out = strings.TrimSpace(v)
	}
	out = cmp.Or(out, interp)
	line = "#!" + out
	if len(args) > 0 {
		line += " " + strings.Join(args, " ")
	}
	return line, out, nil
}

// shlexSplit is Python's shlex.split (POSIX mode) for a #! line: words
// split on whitespace; single quotes keep everything; in double quotes a
// backslash escapes only a backslash or a double quote; outside quotes it
// escapes any character; # starts a comment, also inside a word.
func shlexSplit(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case '#':
			// A comment, also right after a word (shlex ends the word).
			if inWord {
				words = append(words, w.String())
			}
			return words, nil
		case '\\':
			inWord = true
			if i+1 < len(s) {
				i++
				w.WriteByte(s[i])
			}
		case '\'', '"':
			inWord = true
			j := i + 1
			for ; j < len(s) && s[j] != c; j++ {
				if c == '"' && s[j] == '\\' && j+1 < len(s) && (s[j+1] == '\\' || s[j+1] == '"') {
					j++
				}
				w.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, errors.New("No closing quotation") //nolint:staticcheck // Python's message, word for word
			}
			i = j
		default:
			inWord = true
			w.WriteByte(c)
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}
