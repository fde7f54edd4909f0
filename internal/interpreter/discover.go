package interpreter

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/pyrepr"
)

// Interpreter discovery, as ansible-core 2.14's
// executor/interpreter_discovery.py decides: a shell probe for the
// platform and the fallback interpreters, then (Linux) a small Python
// program on stdin that reports the distribution, looked up in Ansible's
// table of the distributions' own Pythons.

// DefaultPythonFallback is INTERPRETER_PYTHON_FALLBACK's default: the
// interpreters the probe looks for, in order.
var DefaultPythonFallback = []string{
	"python3.11", "python3.10", "python3.9", "python3.8", "python3.7", "python3.6", "python3.5",
	"/usr/bin/python3", "/usr/libexec/platform-python", "python2.7", "/usr/bin/python", "python",
}

// The discovery modes of INTERPRETER_PYTHON (ansible_python_interpreter).
const (
	ModeAuto             = "auto"
	ModeAutoSilent       = "auto_silent"
	ModeAutoLegacy       = "auto_legacy"
	ModeAutoLegacySilent = "auto_legacy_silent"
)

// isDiscoveryMode reports whether an interpreter setting asks for
// discovery: empty or one of the modes.
func isDiscoveryMode(v string) bool {
	switch v {
	case "", ModeAuto, ModeAutoSilent, ModeAutoLegacy, ModeAutoLegacySilent:
		return true
	}
	return false
}

// distroPythons is _INTERPRETER_PYTHON_DISTRO_MAP: the Python a
// distribution (or family) ships, by version.
var distroPythons = map[string]map[string]string{
	"redhat": {"6": "/usr/bin/python", "8": "/usr/libexec/platform-python", "9": "/usr/bin/python3"},
	"debian": {"8": "/usr/bin/python", "10": "/usr/bin/python3"},
	"fedora": {"23": "/usr/bin/python3"},
	"ubuntu": {"14": "/usr/bin/python", "16": "/usr/bin/python3"},
}

// osFamily is the part of the fact module's OS_FAMILY (lower-cased) that
// discovery can use: the distribution names whose family has an entry in
// distroPythons (RedHat and Debian).
var osFamily = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{"RedHat", "RHEL", "Fedora", "CentOS", "Scientific", "SLC", "Ascendos", "CloudLinux", "PSBM",
		"OracleLinux", "OVS", "OEL", "Amazon", "Virtuozzo", "XenServer", "Alibaba", "EulerOS", "openEuler", "AlmaLinux",
		"Rocky", "TencentOS", "EuroLinux", "Kylin Linux Advanced Server"} {
		m[strings.ToLower(n)] = "redhat"
	}
	for _, n := range []string{"Debian", "Ubuntu", "Raspbian", "Neon", "KDE neon", "Linux Mint", "SteamOS", "Devuan", "Kali",
		"Cumulus Linux", "Pop!_OS", "Parrot", "Pardus GNU/Linux", "Uos", "Deepin", "OSMC"} {
		m[strings.ToLower(n)] = "debian"
	}
	return m
}()

// discoveryDoc is the page discovery's warnings point to (ansible-core 2.14).
const discoveryDoc = "https://docs.ansible.com/ansible-core/2.14/reference_appendices/interpreter_discovery.html"

// bootstrapScript is the shell probe: the platform, then each fallback
// interpreter that command -v finds (one call each: not every command -v
// takes a list).
func bootstrapScript(fallback []string) string {
	cmds := make([]string, len(fallback))
	for i, py := range fallback {
		cmds[i] = "command -v '" + py + "'"
	}
	return "echo PLATFORM; uname; echo FOUND; " + strings.Join(cmds, "; ") + "; echo ENDFOUND"
}

var bootstrapRe = regexp.MustCompile(`(?s)^PLATFORM[\r\n]+(.*)FOUND(.*)ENDFOUND`)

// platformScript prints, as one JSON object, platform.dist() where this
// Python still has it (before 3.8) and the text of the os-release file.
// It runs on any Python from 2.6 on.
const platformScript = `import io, json, os, platform

def text_of(name):
    if not os.access(name, os.R_OK):
        return None
    f = io.open(name, 'r', encoding='utf-8')
    try:
        return f.read()
    finally:
        f.close()

found = {'platform_dist_result': []}
if hasattr(platform, 'dist'):
    found['platform_dist_result'] = platform.dist()
found['osrelease_content'] = text_of('/etc/os-release') or text_of('/usr/lib/os-release')
print(json.dumps(found))
`

// discovery is what discovery decided for a host.
type discovery struct {
	interpreter string
	// warnings go into the task's result; display are printed at once.
	warnings, display []string
}

// fallbackError is one of the reasons discovery falls back to the first
// interpreter found (NotImplementedError in ansible-core: no warning of
// its own).
type fallbackError string

func (e fallbackError) Error() string { return string(e) }

// discover runs discovery on c for host. run executes one command of the
// probe; its error (the host unreachable, ctx done) is returned as is,
// where ansible-core would warn and go on to a module run that fails the
// same way.
func discover(ctx context.Context, run func(ctx context.Context, script string, stdin []byte) (conn.Result, error),
	host, mode string, fallback []string, debug func(msg string)) (discovery, error) {
	if host == "" {
		host = "unknown"
	}
	legacy := strings.HasPrefix(mode, "auto_legacy")
	silent := strings.HasSuffix(mode, "_silent")
	d := discovery{}
	warn := func(format string, a ...any) {
		if !silent {
			d.warnings = append(d.warnings, fmt.Sprintf(format, a...))
		}
	}
	platform := "unknown"
	found := []string{"/usr/bin/python"}
	var stderr []byte

	chosen, err := func() (string, error) {
		res, err := run(ctx, bootstrapScript(fallback), nil)
		if err != nil {
			return "", connError{err}
		}
		stderr = res.Stderr
		m := bootstrapRe.FindStringSubmatch(text(res.Stdout))
		if m == nil {
			debug("raw interpreter discovery output: " + text(res.Stdout))
			return "", fmt.Errorf("unexpected output from Python interpreter discovery")
		}
		platform = pyStrip(strings.ToLower(m[1]))
		found = nil
		for _, line := range splitLines(m[2]) {
			if strings.HasPrefix(line, "/") {
				found = append(found, pyStrip(line))
			}
		}
		if len(found) == 0 {
			warn("No python interpreters found for host %s (tried %s)", host, pyrepr.Repr(stringsAny(fallback)))
			return "/usr/bin/python", nil
		}
		if platform != "linux" {
			return "", fallbackError("unsupported platform for extended discovery: " + platform)
		}
		res, err = run(ctx, found[0], []byte(platformScript))
		if err != nil {
			return "", connError{err}
		}
		stderr = res.Stderr
		info, err := pyJSONLoads(text(res.Stdout), false)
		if err != nil {
			return "", err
		}
		obj, ok := info.(map[string]any)
		if !ok {
			return "", fmt.Errorf("'%s' object has no attribute 'get'", pyrepr.TypeName(info))
		}
		distro, version, err := linuxDistro(obj)
		if err != nil {
			return "", err
		}
		if distro == "" || version == "" {
			return "", fallbackError("unable to get Linux distribution/version info")
		}
		key := pyStrip(strings.ToLower(distro))
		versions := distroPythons[key]
		if versions == nil {
			versions = distroPythons[osFamily[key]]
		}
		if versions == nil {
			return "", fallbackError("unsupported Linux distribution: " + distro)
		}
		want, err := fuzzyVersion(version, versions)
		if err != nil {
			return "", err
		}
		if legacy && want != "/usr/bin/python" && contains(found, "/usr/bin/python") {
			warn("Distribution %s %s on host %s should use %s, but is using /usr/bin/python for backward compatibility with prior Ansible releases. See %s for more information",
				distro, version, host, want, discoveryDoc)
			return "/usr/bin/python", nil
		}
		if !contains(found, want) {
			if !contains(fallback, want) {
				warn("Platform interpreter %s on host %s is missing from bootstrap list", want, host)
			}
			warn("Distribution %s %s on host %s should use %s, but is using %s, since the discovered platform python interpreter was not present. See %s for more information.",
				distro, version, host, want, found[0], discoveryDoc)
			return found[0], nil
		}
		return want, nil
	}()
	if err == nil {
		d.interpreter = chosen
		return d, nil
	}
	switch e := err.(type) {
	case connError:
		return discovery{}, e.err
	case fallbackError:
		debug("Python interpreter discovery fallback (" + e.Error() + ")")
	default:
		if !silent {
			d.display = append(d.display, fmt.Sprintf("Unhandled error in Python interpreter discovery for host %s: %s", host, err))
			if len(stderr) > 0 {
				debug("Interpreter discovery remote stderr:\n" + text(stderr))
			}
		}
	}
	warn("Platform %s on host %s is using the discovered Python interpreter at %s, but future installation of another Python interpreter could change the meaning of that path. See %s for more information.",
		platform, host, found[0], discoveryDoc)
	d.interpreter = found[0]
	return d, nil
}

// connError marks an error of the connection inside discover.
type connError struct{ err error }

func (e connError) Error() string { return e.err.Error() }

// linuxDistro is _get_linux_distro: platform.dist()'s name and version
// when it gave three values not all empty, else os-release's ID and
// VERSION_ID.
func linuxDistro(info map[string]any) (distro, version string, err error) {
	if dist, ok := info["platform_dist_result"].([]any); ok && len(dist) == 3 && (pyrepr.Truthy(dist[0]) || pyrepr.Truthy(dist[1]) || pyrepr.Truthy(dist[2])) {
		d, ok1 := dist[0].(string)
		v, ok2 := dist[1].(string)
		if !ok1 || !ok2 {
			return "", "", fmt.Errorf("platform_dist_result is not made of strings: %s", pyrepr.Repr(dist))
		}
		return d, v, nil
	}
	content := info["osrelease_content"]
	if !pyrepr.Truthy(content) {
		return "", "", nil
	}
	s, ok := content.(string)
	if !ok {
		return "", "", fmt.Errorf("osrelease_content is a %s, not a string", pyrepr.TypeName(content))
	}
	props, err := parseOSRelease(s)
	if err != nil {
		return "", "", err
	}
	return props["id"], props["version_id"], nil
}

// parseOSRelease reads an os-release file as the distro package does:
// shell words (quotes, escapes, comments), each KEY=value one property
// with its key lower-cased; other words are ignored.
func parseOSRelease(content string) (map[string]string, error) {
	words, err := shlexSplit(content, true)
	if err != nil {
		return nil, err
	}
	props := map[string]string{}
	for _, w := range words {
		if k, v, ok := strings.Cut(w, "="); ok {
			props[strings.ToLower(k)] = v
		}
	}
	return props, nil
}

// fuzzyVersion is _version_fuzzy_match: the exact version, else the
// entry of the nearest version below it (LooseVersion order), else the
// oldest. Comparing a number with a word fails as Python 3 does.
func fuzzyVersion(version string, versions map[string]string) (string, error) {
	if p := versions[version]; p != "" {
		return p, nil
	}
	keys := make([]looseVersion, 0, len(versions))
	for k := range versions {
		keys = append(keys, parseLoose(k))
	}
	// Insertion sort: the table's versions are numbers, so no comparison
	// fails.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0; j-- {
			if less, _ := keys[j].less(keys[j-1]); !less {
				break
			}
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	find := parseLoose(version)
	lo, hi := 0, len(keys) // bisect.bisect_right
	for lo < hi {
		mid := (lo + hi) / 2
		less, err := find.less(keys[mid])
		if err != nil {
			return "", err
		}
		if less {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	if lo == 0 {
		return versions[keys[0].vstring], nil
	}
	return versions[keys[lo-1].vstring], nil
}

// looseVersion is ansible-core's LooseVersion: runs of digits (numbers),
// runs of lower-case letters and whatever lies between, dots dropped.
type looseVersion struct {
	vstring string
	parts   []loosePart
}

type loosePart struct {
	s   string
	num bool
}

var looseRe = regexp.MustCompile(`\d+|[a-z]+|\.`)

func parseLoose(v string) looseVersion {
	lv := looseVersion{vstring: v}
	add := func(s string) {
		if s == "" || s == "." {
			return
		}
		num := true
		for _, r := range s {
			if r < '0' || r > '9' {
				num = false
				break
			}
		}
		if num {
			s = strings.TrimLeft(s, "0")
			if s == "" {
				s = "0"
			}
		}
		lv.parts = append(lv.parts, loosePart{s: s, num: num})
	}
	at := 0
	for _, m := range looseRe.FindAllStringIndex(v, -1) {
		add(v[at:m[0]])
		add(v[m[0]:m[1]])
		at = m[1]
	}
	add(v[at:])
	return lv
}

func (p loosePart) equal(q loosePart) bool { return p.num == q.num && p.s == q.s }

// less is Python's list < on the parts: the first unequal pair decides; a
// number against a string is a TypeError.
func (v looseVersion) less(w looseVersion) (bool, error) {
	for i := 0; i < len(v.parts) && i < len(w.parts); i++ {
		p, q := v.parts[i], w.parts[i]
		if p.equal(q) {
			continue
		}
		switch {
		case p.num && q.num:
			if len(p.s) != len(q.s) {
				return len(p.s) < len(q.s), nil
			}
			return p.s < q.s, nil
		case !p.num && !q.num:
			return p.s < q.s, nil
		default:
			return false, fmt.Errorf("'<' not supported between instances of '%s' and '%s'", p.typeName(), q.typeName())
		}
	}
	return len(v.parts) < len(w.parts), nil
}

func (p loosePart) typeName() string {
	if p.num {
		return "int"
	}
	return "str"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func stringsAny(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}
