package render

import (
	"crypto/md5"  //nolint:gosec // the hash filter offers md5 like Ansible
	"crypto/sha1" //nolint:gosec // the hash filter offers sha1 like Ansible
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"

	"github.com/jetplay/jetplay/internal/pyrepr"
)

// args are a filter's, test's or function's arguments as native values.
type args struct {
	pos []any
	kw  map[string]any
}

// get returns positional argument i, else keyword name, else def.
func (a args) get(i int, name string, def any) any {
	if i >= 0 && i < len(a.pos) {
		return a.pos[i]
	}
	if v, ok := a.kw[name]; ok {
		return v
	}
	return def
}

func (a args) str(i int, name, def string) string {
	return pyrepr.Str(a.get(i, name, def))
}

func (a args) bool(i int, name string, def bool) bool {
	return pyrepr.Truthy(a.get(i, name, def))
}

func (a args) int(i int, name string, def int) (int, error) {
	v := a.get(i, name, def)
	n, ok := toInt(v)
	if !ok {
		return 0, fmt.Errorf("%s: expected an integer, got %s", name, pyrepr.TypeName(v))
	}
	return n, nil
}

// nativeArgs converts the library's arguments. The first argument that is an
// error (an undefined value) is returned as the error.
func nativeArgs(p *exec.VarArgs) (args, *exec.Value) {
	a := args{pos: make([]any, len(p.Args)), kw: make(map[string]any, len(p.KwArgs))}
	for i, v := range p.Args {
		if v.IsError() {
			return a, v
		}
		a.pos[i] = toGo(v)
	}
	for k, v := range p.KwArgs {
		if v.IsError() {
			return a, v
		}
		a.kw[k] = toGo(v)
	}
	return a, nil
}

// simple adapts a filter on native values to the library's signature. An
// undefined input or argument is passed on as the error it is.
func simple(fn func(in any, a args) (any, error)) exec.FilterFunction {
	return func(_ *exec.Evaluator, in *exec.Value, p *exec.VarArgs) *exec.Value {
		if in.IsError() {
			return in
		}
		a, bad := nativeArgs(p)
		if bad != nil {
			return bad
		}
		out, err := fn(toGo(in), a)
		if err != nil {
			return exec.AsValue(err)
		}
		return exec.AsValue(out)
	}
}

// strFilter adapts a filter on strings.
func strFilter(fn func(s string) string) exec.FilterFunction {
	return simple(func(in any, _ args) (any, error) { return fn(pyrepr.Str(in)), nil })
}

func ansibleFilters() map[string]exec.FilterFunction {
	return map[string]exec.FilterFunction{
		reprFilter:             filterRepr,
		"default":              filterDefault,
		"d":                    filterDefault,
		"mandatory":            filterMandatory,
		"bool":                 simple(fBool),
		"int":                  simple(fInt),
		"float":                simple(fFloat),
		"string":               simple(func(in any, _ args) (any, error) { return pyrepr.Str(in), nil }),
		"lower":                strFilter(strings.ToLower),
		"upper":                strFilter(strings.ToUpper),
		"capitalize":           strFilter(capitalize),
		"regex_replace":        simple(fRegexReplace),
		"regex_search":         simple(fRegexSearch),
		"regex_findall":        simple(fRegexFindall),
		"regex_escape":         simple(fRegexEscape),
		"split":                simple(fSplit),
		"dict2items":           simple(fDict2Items),
		"items2dict":           simple(fItems2Dict),
		"dict":                 simple(fDict),
		"combine":              simple(fCombine),
		"to_json":              simple(fToJSON),
		"to_nice_json":         simple(fToNiceJSON),
		"from_json":            simple(fFromJSON),
		"to_yaml":              simple(fToYAML),
		"to_nice_yaml":         simple(fToNiceYAML),
		"from_yaml":            simple(fFromYAML),
		"from_yaml_all":        simple(fFromYAMLAll),
		"flatten":              simple(fFlatten),
		"zip":                  simple(fZip),
		"zip_longest":          simple(fZipLongest),
		"product":              simple(fProduct),
		"unique":               simple(fUnique),
		"difference":           simple(fDifference),
		"union":                simple(fUnion),
		"intersect":            simple(fIntersect),
		"symmetric_difference": simple(fSymmetricDifference),
		"min":                  simple(fMin),
		"max":                  simple(fMax),
		"sum":                  simple(fSum),
		"sort":                 simple(fSort),
		"basename":             strFilter(basename),
		"dirname":              strFilter(dirname),
		"splitext":             simple(fSplitext),
		"expanduser":           strFilter(expanduser),
		"path_join":            simple(fPathJoin),
		"b64encode":            strFilter(func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }),
		"b64decode":            simple(fB64Decode),
		"hash":                 simple(fHash),
		"checksum":             simple(func(in any, _ args) (any, error) { return hashString("sha1", pyrepr.Str(in)) }),
		"sha1":                 simple(func(in any, _ args) (any, error) { return hashString("sha1", pyrepr.Str(in)) }),
		"md5":                  simple(func(in any, _ args) (any, error) { return hashString("md5", pyrepr.Str(in)) }),
		"quote":                strFilter(shellQuote),
		"ternary":              simple(fTernary),
		"type_debug":           simple(func(in any, _ args) (any, error) { return pyrepr.TypeName(in), nil }),
		"extract":              simple(fExtract),
		"log":                  simple(fLog),
		"pow":                  simple(fPow),
		"root":                 simple(fRoot),
		"round":                simple(fRound),
		"abs":                  simple(fAbs),
		"length":               simple(fLength),
		"count":                simple(fLength),
		"first":                simple(fFirst),
		"last":                 simple(fLast),
		"join":                 simple(fJoin),
		"list":                 simple(fList),
		"trim":                 simple(fTrim),
		"replace":              simple(fReplace),
		"urlencode":            simple(fURLEncode),
		"center":               simple(fCenter),
		"indent":               simple(fIndent),
		"select":               filterSelect(false, false),
		"reject":               filterSelect(true, false),
		"selectattr":           filterSelect(false, true),
		"rejectattr":           filterSelect(true, true),
		"map":                  filterMap,
	}
}

// filterDefault is Ansible's default(value=”, boolean=False): only an
// undefined input (or, with boolean, a false one) is replaced; None is kept.
func filterDefault(_ *exec.Evaluator, in *exec.Value, p *exec.VarArgs) *exec.Value {
	a, bad := nativeArgs(p)
	if bad != nil {
		return bad
	}
	def := exec.AsValue(a.get(0, "default_value", ""))
	if isUndefined(in) {
		return def
	}
	if in.IsError() {
		return in
	}
	if a.bool(1, "boolean", false) && !truthyValue(in) {
		return def
	}
	return in
}

func filterMandatory(_ *exec.Evaluator, in *exec.Value, p *exec.VarArgs) *exec.Value {
	if !isUndefined(in) {
		return in
	}
	a, _ := nativeArgs(p)
	if msg, ok := a.get(0, "msg", nil).(string); ok {
		return exec.AsValue(&undefinedError{msg: msg})
	}
	phrase := undefinedPhrase(in.Error())
	name := "variable"
	if m := regexp.MustCompile(`^'([^']*)' is undefined$`).FindStringSubmatch(phrase); m != nil {
		name = m[1]
	}
	return exec.AsValue(&undefinedError{msg: fmt.Sprintf("Mandatory variable '%s' not defined.", name)})
}

func fBool(in any, _ args) (any, error) {
	switch x := in.(type) {
	case bool:
		return x, nil
	case nil:
		return false, nil
	case int:
		return x == 1, nil
	case float64:
		return x == 1, nil
	case pyrepr.Float:
		return x == 1, nil
	case string:
		switch strings.ToLower(x) {
		case "yes", "on", "1", "true", "y":
			return true, nil
		}
	}
	return false, nil
}

// toInt converts like Python's int() of a number, a bool or a numeric string.
func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, false
		}
		return int(x), true
	case pyrepr.Float:
		return toInt(float64(x))
	case string:
		s := strings.TrimSpace(strings.ReplaceAll(x, "_", ""))
		if n, err := strconv.Atoi(s); err == nil {
			return n, true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return int(f), true
		}
	}
	return 0, false
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case float64:
		return x, true
	case pyrepr.Float:
		return float64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

// fInt is Jinja's int(default=0, base=10).
func fInt(in any, a args) (any, error) {
	def := a.get(0, "default", 0)
	base, err := a.int(1, "base", 10)
	if err != nil {
		return nil, err
	}
	if s, ok := in.(string); ok && base != 10 {
		s = strings.ToLower(strings.TrimSpace(s))
		for _, p := range []string{"0x", "0o", "0b"} {
			s = strings.TrimPrefix(s, p)
		}
		n, err := strconv.ParseInt(s, base, 64)
		if err != nil {
			return def, nil
		}
		return int(n), nil
	}
	if n, ok := toInt(in); ok {
		return n, nil
	}
	return def, nil
}

// fFloat is Jinja's float(default=0.0); the result is a Python float, which
// prints as 3.0 even when integral.
func fFloat(in any, a args) (any, error) {
	if f, ok := toFloat(in); ok {
		return pyrepr.Float(f), nil
	}
	return a.get(0, "default", pyrepr.Float(0)), nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(strings.ToLower(s))
	r[0] = []rune(strings.ToUpper(string(r[0])))[0]
	return string(r)
}

func fTrim(in any, a args) (any, error) {
	s := pyrepr.Str(in)
	if chars, ok := a.get(0, "chars", nil).(string); ok {
		return strings.Trim(s, chars), nil
	}
	return strings.TrimSpace(s), nil
}

func fReplace(in any, a args) (any, error) {
	n, err := a.int(2, "count", -1)
	if err != nil {
		return nil, err
	}
	return strings.Replace(pyrepr.Str(in), a.str(0, "old", ""), a.str(1, "new", ""), n), nil
}

// compilePy compiles a Python regular expression with Ansible's ignorecase
// and multiline options.
func compilePy(pattern string, ignorecase, multiline bool) (*regexp.Regexp, error) {
	flags := ""
	if ignorecase {
		flags += "i"
	}
	if multiline {
		flags += "m"
	}
	if flags != "" {
		pattern = "(?" + flags + ")" + pattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("regular expression: %w", err)
	}
	return re, nil
}

var rePyGroupRef = regexp.MustCompile(`\\(\d{1,2}|g<(\w+)>)`)

// pyReplacement turns a Python re.sub replacement into a Go one.
func pyReplacement(repl string) string {
	var b strings.Builder
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch {
		case c == '$':
			b.WriteString("$$")
		case c == '\\' && i+1 < len(repl):
			if m := rePyGroupRef.FindStringSubmatch(repl[i:]); m != nil && strings.HasPrefix(repl[i:], m[0]) {
				name := m[1]
				if m[2] != "" {
					name = m[2]
				}
				b.WriteString("${" + name + "}")
				i += len(m[0]) - 1
				continue
			}
			switch repl[i+1] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '\\':
				b.WriteByte('\\')
			default:
				b.WriteByte('\\')
				b.WriteByte(repl[i+1])
			}
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func fRegexReplace(in any, a args) (any, error) {
	re, err := compilePy(a.str(0, "pattern", ""), a.bool(2, "ignorecase", false), a.bool(3, "multiline", false))
	if err != nil {
		return nil, err
	}
	repl := pyReplacement(a.str(1, "replacement", ""))
	count, err := a.int(-1, "count", 0)
	if err != nil {
		return nil, err
	}
	s := pyrepr.Str(in)
	if count <= 0 {
		return re.ReplaceAllString(s, repl), nil
	}
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(s, count) {
		b.WriteString(s[last:m[0]])
		b.Write(re.ExpandString(nil, repl, s, m))
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

func fRegexSearch(in any, a args) (any, error) {
	re, err := compilePy(a.str(0, "regex", ""), a.bool(-1, "ignorecase", false), a.bool(-1, "multiline", false))
	if err != nil {
		return nil, err
	}
	s := pyrepr.Str(in)
	m := re.FindStringSubmatchIndex(s)
	if m == nil {
		return nil, nil
	}
	if len(a.pos) <= 1 {
		return s[m[0]:m[1]], nil
	}
	var out []any
	for _, g := range a.pos[1:] {
		ref := pyrepr.Str(g)
		var idx int
		switch {
		case strings.HasPrefix(ref, `\g<`) && strings.HasSuffix(ref, ">"):
			idx = re.SubexpIndex(ref[3 : len(ref)-1])
		case strings.HasPrefix(ref, `\`):
			idx, err = strconv.Atoi(ref[1:])
			if err != nil {
				return nil, fmt.Errorf("regex_search: bad group %q", ref)
			}
		default:
			return nil, fmt.Errorf("regex_search: unknown argument %q", ref)
		}
		if idx < 0 || 2*idx+1 >= len(m) {
			return nil, fmt.Errorf("regex_search: no group %q", ref)
		}
		if m[2*idx] < 0 {
			out = append(out, nil)
			continue
		}
		out = append(out, s[m[2*idx]:m[2*idx+1]])
	}
	return out, nil
}

func fRegexFindall(in any, a args) (any, error) {
	re, err := compilePy(a.str(0, "regex", ""), a.bool(2, "ignorecase", false), a.bool(1, "multiline", false))
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, m := range re.FindAllStringSubmatch(pyrepr.Str(in), -1) {
		switch len(m) {
		case 1:
			out = append(out, m[0])
		case 2:
			out = append(out, m[1])
		default:
			groups := make([]any, len(m)-1)
			for i, g := range m[1:] {
				groups[i] = g
			}
			out = append(out, groups)
		}
	}
	return out, nil
}

// fRegexEscape is Python's re.escape.
func fRegexEscape(in any, _ args) (any, error) {
	var b strings.Builder
	for _, r := range pyrepr.Str(in) {
		if strings.ContainsRune("()[]{}?*+-|^$\\.&~# \t\n\r\v\f", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String(), nil
}

// fSplit is Python's str.split(sep=None, maxsplit=-1).
func fSplit(in any, a args) (any, error) {
	s := pyrepr.Str(in)
	max, err := a.int(1, "maxsplit", -1)
	if err != nil {
		return nil, err
	}
	var parts []string
	sep := a.get(0, "sep", nil)
	if sep == nil {
		parts = strings.Fields(s)
		if max >= 0 && len(parts) > max+1 {
			// Rejoin the tail from the original text.
			rest := s
			for range max {
				rest = strings.TrimLeft(rest, " \t\n\r\v\f")
				rest = rest[strings.IndexAny(rest, " \t\n\r\v\f"):]
			}
			parts = append(parts[:max], strings.TrimLeft(rest, " \t\n\r\v\f"))
		}
	} else {
		sp := pyrepr.Str(sep)
		if sp == "" {
			return nil, errors.New("split: empty separator")
		}
		parts = strings.SplitN(s, sp, max+1)
		if max < 0 {
			parts = strings.Split(s, sp)
		}
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func asMap(v any, filter string) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s expects a dictionary, got %s", filter, pyrepr.TypeName(v))
	}
	return m, nil
}

func asList(v any, filter string) ([]any, error) {
	switch x := v.(type) {
	case []any:
		return x, nil
	case map[string]any:
		out := make([]any, 0, len(x))
		for _, k := range pyrepr.SortedKeys(x) {
			out = append(out, k)
		}
		return out, nil
	case string:
		out := make([]any, 0, len(x))
		for _, r := range x {
			out = append(out, string(r))
		}
		return out, nil
	case nil:
		return nil, fmt.Errorf("%s expects a list, got None", filter)
	}
	return nil, fmt.Errorf("%s expects a list, got %s", filter, pyrepr.TypeName(v))
}

func fDict2Items(in any, a args) (any, error) {
	m, err := asMap(in, "dict2items")
	if err != nil {
		return nil, err
	}
	kn, vn := a.str(0, "key_name", "key"), a.str(1, "value_name", "value")
	out := make([]any, 0, len(m))
	for _, k := range pyrepr.SortedKeys(m) {
		out = append(out, map[string]any{kn: k, vn: m[k]})
	}
	return out, nil
}

func fItems2Dict(in any, a args) (any, error) {
	list, err := asList(in, "items2dict")
	if err != nil {
		return nil, err
	}
	kn, vn := a.str(0, "key_name", "key"), a.str(1, "value_name", "value")
	out := make(map[string]any, len(list))
	for _, item := range list {
		m, err := asMap(item, "items2dict")
		if err != nil {
			return nil, err
		}
		k, ok := m[kn]
		if !ok {
			return nil, fmt.Errorf("items2dict: item has no key %q", kn)
		}
		v, ok := m[vn]
		if !ok {
			return nil, fmt.Errorf("items2dict: item has no key %q", vn)
		}
		out[keyString(k)] = v
	}
	return out, nil
}

// fDict builds a dictionary from a list of [key, value] pairs.
func fDict(in any, _ args) (any, error) {
	if m, ok := in.(map[string]any); ok {
		return m, nil
	}
	list, err := asList(in, "dict")
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(list))
	for _, item := range list {
		pair, ok := item.([]any)
		if !ok || len(pair) != 2 {
			return nil, fmt.Errorf("dict: expected pairs, got %s", pyrepr.Repr(item))
		}
		out[keyString(pair[0])] = pair[1]
	}
	return out, nil
}

func fCombine(in any, a args) (any, error) {
	var dicts []any
	for _, v := range append([]any{in}, a.pos...) {
		if l, ok := v.([]any); ok {
			dicts = append(dicts, l...)
		} else {
			dicts = append(dicts, v)
		}
	}
	recursive := a.bool(-1, "recursive", false)
	listMerge := a.str(-1, "list_merge", "replace")
	switch listMerge {
	case "replace", "keep", "append", "prepend", "append_rp", "prepend_rp":
	default:
		return nil, fmt.Errorf("combine: unknown list_merge %q", listMerge)
	}
	out := map[string]any{}
	for _, d := range dicts {
		m, err := asMap(d, "combine")
		if err != nil {
			return nil, err
		}
		out = merge(out, m, recursive, listMerge)
	}
	return out, nil
}

func merge(a, b map[string]any, recursive bool, listMerge string) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		old, exists := out[k]
		if !exists {
			out[k] = v
			continue
		}
		om, ok1 := old.(map[string]any)
		nm, ok2 := v.(map[string]any)
		if recursive && ok1 && ok2 {
			out[k] = merge(om, nm, recursive, listMerge)
			continue
		}
		ol, ok1 := old.([]any)
		nl, ok2 := v.([]any)
		if ok1 && ok2 {
			out[k] = mergeLists(ol, nl, listMerge)
			continue
		}
		out[k] = v
	}
	return out
}

func mergeLists(old, nl []any, how string) []any {
	switch how {
	case "keep":
		return old
	case "append":
		return append(append([]any{}, old...), nl...)
	case "prepend":
		return append(append([]any{}, nl...), old...)
	case "append_rp":
		out := []any{}
		for _, x := range old {
			if !contains(nl, x) {
				out = append(out, x)
			}
		}
		return append(out, nl...)
	case "prepend_rp":
		out := append([]any{}, nl...)
		for _, x := range old {
			if !contains(nl, x) {
				out = append(out, x)
			}
		}
		return out
	}
	return nl
}

func fFlatten(in any, a args) (any, error) {
	list, err := asList(in, "flatten")
	if err != nil {
		return nil, err
	}
	levels := -1
	if l := a.get(0, "levels", nil); l != nil {
		n, ok := toInt(l)
		if !ok {
			return nil, errors.New("flatten: levels must be an integer")
		}
		levels = n
	}
	return flatten(list, levels, a.bool(1, "skip_nulls", true)), nil
}

func flatten(list []any, levels int, skipNulls bool) []any {
	out := []any{}
	for _, item := range list {
		if skipNulls && (item == nil || item == "None") {
			continue
		}
		if sub, ok := item.([]any); ok {
			if levels == 0 {
				out = append(out, sub)
			} else {
				out = append(out, flatten(sub, levels-1, skipNulls)...)
			}
			continue
		}
		out = append(out, item)
	}
	return out
}

func zipLists(in any, a args, longest bool) (any, error) {
	lists := [][]any{}
	for _, v := range append([]any{in}, a.pos...) {
		l, err := asList(v, "zip")
		if err != nil {
			return nil, err
		}
		lists = append(lists, l)
	}
	n := len(lists[0])
	for _, l := range lists {
		if longest {
			n = max(n, len(l))
		} else {
			n = min(n, len(l))
		}
	}
	fill := a.get(-1, "fillvalue", nil)
	out := make([]any, n)
	for i := range n {
		row := make([]any, len(lists))
		for j, l := range lists {
			if i < len(l) {
				row[j] = l[i]
			} else {
				row[j] = fill
			}
		}
		out[i] = row
	}
	return out, nil
}

// maxProduct bounds the number of tuples the product filter builds.
const maxProduct = 1 << 20

// fProduct is Ansible's product filter, Python's itertools.product(in,
// *lists, repeat=1): every tuple (a list here) taking one element of each
// list in turn, the last list varying fastest; repeat repeats the lists.
func fProduct(in any, a args) (any, error) {
	var pools [][]any
	for _, v := range append([]any{in}, a.pos...) {
		l, err := asList(v, "product")
		if err != nil {
			return nil, err
		}
		pools = append(pools, l)
	}
	repeat, err := a.int(-1, "repeat", 1)
	if err != nil {
		return nil, err
	}
	if repeat < 0 {
		return nil, errors.New("product: repeat argument cannot be negative")
	}
	n := 1
	for range repeat {
		for _, p := range pools {
			if n *= len(p); n > maxProduct {
				return nil, fmt.Errorf("product: more than %d tuples", maxProduct)
			}
		}
	}
	out := [][]any{{}}
	for range repeat {
		for _, p := range pools {
			next := make([][]any, 0, len(out)*len(p))
			for _, t := range out {
				for _, x := range p {
					next = append(next, append(t[:len(t):len(t)], x))
				}
			}
			out = next
		}
	}
	res := make([]any, len(out))
	for i, t := range out {
		res[i] = t
	}
	return res, nil
}

func fZip(in any, a args) (any, error)        { return zipLists(in, a, false) }
func fZipLongest(in any, a args) (any, error) { return zipLists(in, a, true) }

// equal compares native values like Python's ==.
func equal(a, b any) bool {
	if fa, ok := number(a); ok {
		fb, ok := number(b)
		return ok && fa == fb
	}
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	}
	return a == b
}

// number returns the numeric value of an int, float or bool.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case float64:
		return x, true
	case pyrepr.Float:
		return float64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func contains(list []any, v any) bool {
	for _, x := range list {
		if equal(x, v) {
			return true
		}
	}
	return false
}

func unique(list []any) []any {
	out := []any{}
	for _, x := range list {
		if !contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func twoLists(in any, a args, name string) ([]any, []any, error) {
	x, err := asList(in, name)
	if err != nil {
		return nil, nil, err
	}
	y, err := asList(a.get(0, "b", nil), name)
	if err != nil {
		return nil, nil, err
	}
	return x, y, nil
}

func fUnique(in any, a args) (any, error) {
	list, err := asList(in, "unique")
	if err != nil {
		return nil, err
	}
	if attr, ok := a.get(-1, "attribute", nil).(string); ok {
		out, seen := []any{}, []any{}
		for _, x := range list {
			v, _ := attribute(x, attr)
			if !contains(seen, v) {
				seen = append(seen, v)
				out = append(out, x)
			}
		}
		return out, nil
	}
	return unique(list), nil
}

func fDifference(in any, a args) (any, error) {
	x, y, err := twoLists(in, a, "difference")
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, v := range unique(x) {
		if !contains(y, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

func fUnion(in any, a args) (any, error) {
	x, y, err := twoLists(in, a, "union")
	if err != nil {
		return nil, err
	}
	return unique(append(append([]any{}, x...), y...)), nil
}

func fIntersect(in any, a args) (any, error) {
	x, y, err := twoLists(in, a, "intersect")
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, v := range unique(x) {
		if contains(y, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

func fSymmetricDifference(in any, a args) (any, error) {
	x, y, err := twoLists(in, a, "symmetric_difference")
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, v := range unique(append(append([]any{}, x...), y...)) {
		if contains(x, v) != contains(y, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// attribute gets a dotted attribute path ("a.b", "0") from a native value.
func attribute(v any, attr string) (any, bool) {
	for _, part := range strings.Split(attr, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[part]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// compare orders native values like Python's < for numbers and strings.
func compare(a, b any, caseSensitive bool) (int, error) {
	if fa, ok := number(a); ok {
		if fb, ok := number(b); ok {
			switch {
			case fa < fb:
				return -1, nil
			case fa > fb:
				return 1, nil
			}
			return 0, nil
		}
	}
	sa, ok1 := a.(string)
	sb, ok2 := b.(string)
	if ok1 && ok2 {
		if !caseSensitive {
			sa, sb = strings.ToLower(sa), strings.ToLower(sb)
		}
		return strings.Compare(sa, sb), nil
	}
	if la, ok := a.([]any); ok {
		if lb, ok := b.([]any); ok {
			for i := range min(len(la), len(lb)) {
				if c, err := compare(la[i], lb[i], caseSensitive); err != nil || c != 0 {
					return c, err
				}
			}
			return len(la) - len(lb), nil
		}
	}
	return 0, fmt.Errorf("'<' not supported between instances of '%s' and '%s'", pyrepr.TypeName(a), pyrepr.TypeName(b))
}

// sortKeyed sorts list by attribute (if any) and returns an error for
// values that cannot be ordered.
func sortKeyed(list []any, a args) ([]any, error) {
	attr, _ := a.get(-1, "attribute", nil).(string)
	cs := a.bool(-1, "case_sensitive", false)
	key := func(v any) any {
		if attr == "" {
			return v
		}
		k, _ := attribute(v, attr)
		return k
	}
	out := append([]any{}, list...)
	var err error
	sort.SliceStable(out, func(i, j int) bool {
		c, e := compare(key(out[i]), key(out[j]), cs)
		if e != nil {
			err = e
		}
		return c < 0
	})
	return out, err
}

func fSort(in any, a args) (any, error) {
	list, err := asList(in, "sort")
	if err != nil {
		return nil, err
	}
	out, err := sortKeyed(list, a)
	if err != nil {
		return nil, err
	}
	if a.bool(0, "reverse", false) {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, nil
}

func minMax(in any, a args, name string, pickLast bool) (any, error) {
	list, err := asList(in, name)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	out, err := sortKeyed(list, a)
	if err != nil {
		return nil, err
	}
	if pickLast {
		return out[len(out)-1], nil
	}
	return out[0], nil
}

func fMin(in any, a args) (any, error) { return minMax(in, a, "min", false) }
func fMax(in any, a args) (any, error) { return minMax(in, a, "max", true) }

func fSum(in any, a args) (any, error) {
	list, err := asList(in, "sum")
	if err != nil {
		return nil, err
	}
	attr, _ := a.get(-1, "attribute", nil).(string)
	total := a.get(-1, "start", 0)
	for _, v := range list {
		if attr != "" {
			v, _ = attribute(v, attr)
		}
		total, err = add(total, v)
		if err != nil {
			return nil, fmt.Errorf("sum: %w", err)
		}
	}
	return total, nil
}

func add(a, b any) (any, error) {
	if ia, ok := a.(int); ok {
		if ib, ok := b.(int); ok {
			return ia + ib, nil
		}
	}
	if fa, ok := number(a); ok {
		if fb, ok := number(b); ok {
			return fa + fb, nil
		}
	}
	if la, ok := a.([]any); ok {
		if lb, ok := b.([]any); ok {
			return append(append([]any{}, la...), lb...), nil
		}
	}
	return nil, fmt.Errorf("unsupported operand types for +: '%s' and '%s'", pyrepr.TypeName(a), pyrepr.TypeName(b))
}

// basename is Python's os.path.basename.
func basename(p string) string {
	return p[strings.LastIndex(p, "/")+1:]
}

// dirname is Python's os.path.dirname.
func dirname(p string) string {
	head := p[:strings.LastIndex(p, "/")+1]
	if trimmed := strings.TrimRight(head, "/"); trimmed != "" {
		return trimmed
	}
	return head
}

// fSplitext is Python's os.path.splitext, returned as a two-element list.
func fSplitext(in any, _ args) (any, error) {
	p := pyrepr.Str(in)
	base := basename(p)
	dot := strings.LastIndex(base, ".")
	if dot <= 0 || strings.Trim(base[:dot], ".") == "" {
		return []any{p, ""}, nil
	}
	cut := len(p) - len(base) + dot
	return []any{p[:cut], p[cut:]}, nil
}

func expanduser(p string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return p
	}
	return home + p[1:]
}

// fPathJoin is Python's os.path.join over a list of parts.
func fPathJoin(in any, _ args) (any, error) {
	parts, err := asList(in, "path_join")
	if err != nil {
		return nil, err
	}
	out := ""
	for _, part := range parts {
		s := pyrepr.Str(part)
		switch {
		case strings.HasPrefix(s, "/"), out == "":
			out = s
		case strings.HasSuffix(out, "/"):
			out += s
		default:
			out += "/" + s
		}
	}
	return out, nil
}

func fB64Decode(in any, _ args) (any, error) {
	s := strings.TrimSpace(pyrepr.Str(in))
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); err != nil {
			return nil, fmt.Errorf("b64decode: %w", err)
		}
	}
	return string(b), nil
}

func hashString(kind, s string) (string, error) {
	var h hash.Hash
	switch kind {
	case "md5":
		h = md5.New() //nolint:gosec // requested by the template
	case "sha1":
		h = sha1.New() //nolint:gosec // requested by the template
	case "sha224":
		h = sha256.New224()
	case "sha256":
		h = sha256.New()
	case "sha384":
		h = sha512.New384()
	case "sha512":
		h = sha512.New()
	default:
		return "", fmt.Errorf("hash: unsupported hash type %q", kind)
	}
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fHash(in any, a args) (any, error) {
	return hashString(a.str(0, "hashtype", "sha1"), pyrepr.Str(in))
}

var reShellSafe = regexp.MustCompile(`^[\w@%+=:,./-]+$`)

// shellQuote is Python's shlex.quote.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	if reShellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

func fTernary(in any, a args) (any, error) {
	if in == nil && len(a.pos) > 2 {
		return a.pos[2], nil
	}
	if pyrepr.Truthy(in) {
		return a.get(0, "true_val", nil), nil
	}
	return a.get(1, "false_val", nil), nil
}

// fExtract is Ansible's extract(container, morekeys=None): the input is a
// key or index into container.
func fExtract(in any, a args) (any, error) {
	keys := []any{in}
	switch more := a.get(1, "morekeys", nil).(type) {
	case nil:
	case []any:
		keys = append(keys, more...)
	default:
		keys = append(keys, more)
	}
	v := a.get(0, "container", nil)
	for _, k := range keys {
		switch c := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = c[keyString(k)]; !ok {
				return nil, &undefinedError{msg: fmt.Sprintf("'dict object' has no attribute %s", pyrepr.Quote(keyString(k)))}
			}
		case []any:
			i, ok := toInt(k)
			if !ok || i < 0 || i >= len(c) {
				return nil, &undefinedError{msg: fmt.Sprintf("list object has no element %s", pyrepr.Str(k))}
			}
			v = c[i]
		default:
			return nil, fmt.Errorf("extract: cannot index %s", pyrepr.TypeName(v))
		}
	}
	return v, nil
}

func fLog(in any, a args) (any, error) {
	x, ok := toFloat(in)
	if !ok || x <= 0 {
		return nil, fmt.Errorf("log: math domain error")
	}
	base, ok := toFloat(a.get(0, "base", math.E))
	if !ok || base <= 0 || base == 1 {
		return nil, fmt.Errorf("log: bad base")
	}
	return math.Log(x) / math.Log(base), nil
}

func fPow(in any, a args) (any, error) {
	x, ok1 := toFloat(in)
	y, ok2 := toFloat(a.get(0, "y", nil))
	if !ok1 || !ok2 {
		return nil, errors.New("pow: expects numbers")
	}
	return math.Pow(x, y), nil
}

func fRoot(in any, a args) (any, error) {
	x, ok1 := toFloat(in)
	base, ok2 := toFloat(a.get(0, "base", 2))
	if !ok1 || !ok2 || base == 0 {
		return nil, errors.New("root: expects numbers")
	}
	if base == 2 {
		return math.Sqrt(x), nil
	}
	return math.Pow(x, 1/base), nil
}

// fRound is Jinja's round(precision=0, method='common').
func fRound(in any, a args) (any, error) {
	x, ok := toFloat(in)
	if !ok {
		return nil, fmt.Errorf("round: expects a number, got %s", pyrepr.TypeName(in))
	}
	prec, err := a.int(0, "precision", 0)
	if err != nil {
		return nil, err
	}
	// Jinja's round always gives a float (3.7 | round is 4.0); common is
	// Python's round, which rounds halves to even (2.5 | round is 2.0).
	p := math.Pow(10, float64(prec))
	switch method := a.str(1, "method", "common"); method {
	case "common":
		return pyrepr.Float(math.RoundToEven(x*p) / p), nil
	case "ceil":
		return pyrepr.Float(math.Ceil(x*p) / p), nil
	case "floor":
		return pyrepr.Float(math.Floor(x*p) / p), nil
	default:
		return nil, fmt.Errorf("round: method must be common, ceil or floor, not %q", method)
	}
}

func fAbs(in any, _ args) (any, error) {
	switch x := in.(type) {
	case int:
		if x < 0 {
			return -x, nil
		}
		return x, nil
	case float64:
		return math.Abs(x), nil
	case pyrepr.Float:
		return pyrepr.Float(math.Abs(float64(x))), nil
	case bool:
		n, _ := toInt(x)
		return n, nil
	}
	return nil, fmt.Errorf("bad operand type for abs(): '%s'", pyrepr.TypeName(in))
}

func fLength(in any, _ args) (any, error) {
	switch x := in.(type) {
	case string:
		return len([]rune(x)), nil
	case []any:
		return len(x), nil
	case map[string]any:
		return len(x), nil
	}
	return nil, fmt.Errorf("object of type '%s' has no len()", pyrepr.TypeName(in))
}

func fFirst(in any, _ args) (any, error) {
	list, err := asList(in, "first")
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, &undefinedError{msg: "No first item, sequence was empty."}
	}
	return list[0], nil
}

func fLast(in any, _ args) (any, error) {
	list, err := asList(in, "last")
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, &undefinedError{msg: "No last item, sequence was empty."}
	}
	return list[len(list)-1], nil
}

func fJoin(in any, a args) (any, error) {
	list, err := asList(in, "join")
	if err != nil {
		return nil, err
	}
	attr, _ := a.get(1, "attribute", nil).(string)
	parts := make([]string, len(list))
	for i, v := range list {
		if attr != "" {
			v, _ = attribute(v, attr)
		}
		parts[i] = pyrepr.Str(v)
	}
	return strings.Join(parts, a.str(0, "d", "")), nil
}

func fList(in any, _ args) (any, error) {
	if in == nil {
		return nil, errors.New("'NoneType' object is not iterable")
	}
	return asList(in, "list")
}

// fURLEncode is Jinja's urlencode: strings are quoted with "/" kept, dicts
// and lists of pairs become a query string.
func fURLEncode(in any, _ args) (any, error) {
	switch x := in.(type) {
	case map[string]any:
		parts := make([]string, 0, len(x))
		for _, k := range pyrepr.SortedKeys(x) {
			parts = append(parts, urlQuote(k, "")+"="+urlQuote(pyrepr.Str(x[k]), ""))
		}
		return strings.Join(parts, "&"), nil
	case []any:
		parts := make([]string, 0, len(x))
		for _, item := range x {
			pair, ok := item.([]any)
			if !ok || len(pair) != 2 {
				return nil, errors.New("urlencode: expected pairs")
			}
			parts = append(parts, urlQuote(pyrepr.Str(pair[0]), "")+"="+urlQuote(pyrepr.Str(pair[1]), ""))
		}
		return strings.Join(parts, "&"), nil
	}
	return urlQuote(pyrepr.Str(in), "/"), nil
}

// urlQuote is Python's urllib.parse.quote(s, safe).
func urlQuote(s, safe string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~", c) >= 0 || strings.IndexByte(safe, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// fCenter is Python's str.center(width).
func fCenter(in any, a args) (any, error) {
	s := pyrepr.Str(in)
	width, err := a.int(0, "width", 80)
	if err != nil {
		return nil, err
	}
	n := len([]rune(s))
	if width <= n {
		return s, nil
	}
	pad := width - n
	left := pad / 2
	if pad%2 == 1 && width%2 == 1 {
		left++
	}
	return strings.Repeat(" ", left) + s + strings.Repeat(" ", pad-left), nil
}

// fIndent is Jinja's indent(width=4, first=False, blank=False).
func fIndent(in any, a args) (any, error) {
	s := pyrepr.Str(in)
	var prefix string
	switch w := a.get(0, "width", 4).(type) {
	case string:
		prefix = w
	default:
		n, ok := toInt(w)
		if !ok {
			return nil, errors.New("indent: width must be an integer or a string")
		}
		prefix = strings.Repeat(" ", n)
	}
	first, blank := a.bool(1, "first", false), a.bool(2, "blank", false)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if i == 0 && !first {
			continue
		}
		if l == "" && !blank {
			continue
		}
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n"), nil
}
