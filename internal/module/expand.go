package module

import (
	"regexp"
	"strings"
)

// envVarRE is what Python's os.path.expandvars replaces: $name and ${name}.
var envVarRE = regexp.MustCompile(`\$(\w+|\{[^}]*\})`)

// needsExpansion reports whether any argument has something to expand.
func needsExpansion(argv []string) bool {
	for _, a := range argv {
		if strings.Contains(a, "$") || strings.HasPrefix(a, "~") {
			return true
		}
	}
	return false
}

// parseEnv reads the output of env(1).
func parseEnv(out string) map[string]string {
	env := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && k != "" && !strings.ContainsAny(k, " \t") {
			env[k] = v
		}
	}
	return env
}

// expandArgs applies os.path.expandvars then os.path.expanduser to each
// argument, as Ansible's command module does: unknown variables are left as
// they are, and only "~" and "~/..." are expanded (to HOME).
func expandArgs(argv []string, env map[string]string) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		a = envVarRE.ReplaceAllStringFunc(a, func(m string) string {
			name := strings.Trim(m[1:], "{}")
			if v, ok := env[name]; ok {
				return v
			}
			return m
		})
		if home, ok := env["HOME"]; ok && (a == "~" || strings.HasPrefix(a, "~/")) {
			a = home + a[1:]
		}
		out[i] = a
	}
	return out
}
