package settings

import (
	"path/filepath"
	"strings"
)

// Resolver resolves paths as Ansible's configuration does, for one
// environment, working directory and home directory, none of them read from
// the process.
type Resolver struct {
	// Env holds the environment variables for $VAR expansion.
	Env map[string]string
	// Cwd is the working directory: "{{CWD}}" and the base of relative
	// paths.
	Cwd string
	// Home is what "~" expands to (Python's expanduser takes $HOME); ""
	// leaves "~" as it is.
	Home string
}

// Path returns path resolved as Ansible's resolve_path and unfrackpath
// (without following links): "{{CWD}}" becomes Cwd; $NAME and ${NAME} are
// replaced from Env (unknown names stay); a leading "~" or "~/" becomes
// Home ("~user" stays); a relative path is joined to base, or to Cwd when
// base is ""; the result is cleaned.
func (r Resolver) Path(path, base string) string {
	path = strings.ReplaceAll(path, "{{CWD}}", r.Cwd)
	path = r.expandUser(expandVars(path, r.Env))
	if base == "" {
		base = r.Cwd
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(base, path)
	}
	return normPath(path)
}

// expandVars is Python's posixpath.expandvars: $name (ASCII letters,
// digits, _) and ${anything but }}; a name not in env stays as written; a
// substituted value is not expanded again.
func expandVars(path string, env map[string]string) string {
	if !strings.Contains(path, "$") {
		return path
	}
	var b strings.Builder
	for i := 0; i < len(path); {
		if path[i] != '$' {
			b.WriteByte(path[i])
			i++
			continue
		}
		name, end := "", i+1
		switch {
		case end < len(path) && path[end] == '{':
			j := strings.IndexByte(path[end:], '}')
			if j < 0 {
				b.WriteByte('$')
				i++
				continue
			}
			name, end = path[end+1:end+j], end+j+1
		default:
			for end < len(path) && isWordByte(path[end]) {
				end++
			}
			name = path[i+1 : end]
			if name == "" {
				b.WriteByte('$')
				i++
				continue
			}
		}
		if v, ok := env[name]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(path[i:end])
		}
		i = end
	}
	return b.String()
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// expandUser is Python's posixpath.expanduser for the current user only.
func (r Resolver) expandUser(path string) string {
	if r.Home == "" || (path != "~" && !strings.HasPrefix(path, "~/")) {
		return path
	}
	out := strings.TrimRight(r.Home, "/") + path[1:]
	if out == "" {
		return "/"
	}
	return out
}

// normPath is Python's posixpath.normpath: filepath.Clean, except that a
// leading "//" (exactly two) is kept, as POSIX allows.
func normPath(p string) string {
	c := filepath.Clean(p)
	if strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "///") {
		c = "/" + c
	}
	return c
}
