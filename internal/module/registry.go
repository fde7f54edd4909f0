package module

import (
	"slices"
	"sort"
	"strings"
)

// Kind says where a module runs.
type Kind int

const (
	// Host modules run on the target host through an executor (see Run).
	Host Kind = iota
	// Controller actions run on the controller (internal/action, or the
	// play engine for meta and the includes); Run refuses them.
	Controller
)

// String returns "host" or "controller".
func (k Kind) String() string {
	if k == Controller {
		return "controller"
	}
	return "host"
}

// Info describes one module.
type Info struct {
	// Name is the canonical short name ("command", not "ansible.builtin.command").
	Name string
	// Kind says whether the module runs on the host or in the play engine.
	Kind Kind
	// Async is true for modules Ansible lets run with async. For the others
	// a task with async fails with "async is not supported for this task."
	// (AsyncNotSupportedMsg).
	Async bool
	// FreeForm is true for modules that take free-form text, passed to Run
	// and CheckArgs as the argument "_raw_params".
	FreeForm bool
	// Params holds every accepted parameter name, aliases included
	// ("_raw_params" for free-form text). Nil when AnyParams is set.
	Params map[string]bool
	// AnyParams is true for actions that take arbitrary keys (set_fact).
	AnyParams bool
}

// AsyncNotSupportedMsg is Ansible's msg for a task with async on a module
// that does not support it.
const AsyncNotSupportedMsg = "async is not supported for this task."

// param is one parameter of Ansible's argument spec.
type param struct {
	typ      string // str, bool, int, float, list, dict, path, raw
	def      any    // default; nil means none (null in invocation)
	required bool
	aliases  []string
	choices  []string
	private  bool // jetplay's own; not listed in Ansible's messages
}

// spec is a module's registry entry.
type spec struct {
	name      string
	kind      Kind
	async     bool
	freeForm  bool
	anyParams bool
	params    map[string]param
	// requiredOneOf and mutuallyExclusive are Ansible's argument-spec rules.
	requiredOneOf     [][]string
	mutuallyExclusive [][]string
	// fileCommon adds Ansible's file attribute arguments (mode, owner, ...).
	fileCommon bool
	// reportName, when set, is the module name Ansible's messages show
	// whatever the task called it (command and shell report
	// "ansible.legacy.command").
	reportName string
	// alias maps every alias to its canonical parameter.
	alias map[string]string
}

// fileCommonParams are the arguments Ansible adds to modules with
// add_file_common_args.
var fileCommonParams = map[string]param{
	"mode":          {typ: "raw"},
	"owner":         {typ: "str"},
	"group":         {typ: "str"},
	"seuser":        {typ: "str"},
	"serole":        {typ: "str"},
	"selevel":       {typ: "str"},
	"setype":        {typ: "str"},
	"attributes":    {typ: "str", aliases: []string{"attr"}},
	"unsafe_writes": {typ: "bool", def: false},
}

var registry = map[string]*spec{}

func init() {
	for _, s := range specs {
		if s.fileCommon {
			for k, p := range fileCommonParams {
				if _, ok := s.params[k]; !ok {
					s.params[k] = p
				}
			}
		}
		s.alias = map[string]string{}
		for k, p := range s.params {
			for _, a := range p.aliases {
				s.alias[a] = k
			}
		}
		registry[s.name] = s
	}
}

// canonical strips the collection prefix Ansible accepts for builtin modules.
func canonical(name string) string {
	for _, p := range []string{"ansible.builtin.", "ansible.legacy."} {
		if strings.HasPrefix(name, p) {
			return name[len(p):]
		}
	}
	return name
}

func lookup(name string) (*spec, bool) {
	s, ok := registry[canonical(name)]
	return s, ok
}

// Lookup resolves "x", "ansible.builtin.x" and "ansible.legacy.x" to the
// module's Info. It reports false for a module jetplay does not know.
func Lookup(name string) (Info, bool) {
	s, ok := lookup(name)
	if !ok {
		return Info{}, false
	}
	info := Info{Name: s.name, Kind: s.kind, Async: s.async, FreeForm: s.freeForm, AnyParams: s.anyParams}
	if !s.anyParams {
		info.Params = map[string]bool{}
		for k, p := range s.params {
			if p.private {
				continue
			}
			info.Params[k] = true
			for _, a := range p.aliases {
				info.Params[a] = true
			}
		}
	}
	return info, true
}

// Names returns the canonical names of all known modules, sorted.
func Names() []string {
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// supportedList is Ansible's "a, b, c (alias1, alias2)" list of a spec's
// parameters.
func (s *spec) supportedList() string {
	var names, aliases []string
	for k, p := range s.params {
		if p.private {
			continue
		}
		names = append(names, k)
		aliases = append(aliases, p.aliases...)
	}
	slices.Sort(names)
	out := strings.Join(names, ", ")
	if len(aliases) > 0 {
		slices.Sort(aliases)
		out += " (" + strings.Join(aliases, ", ") + ")"
	}
	return out
}
