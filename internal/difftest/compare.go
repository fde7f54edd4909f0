package difftest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// A Diff is one difference between the two documents.
type Diff struct {
	// Path locates the value, e.g. plays[0].tasks[2].hosts.node1.rc.
	Path string
	// Ansible and Jetplay are the values, as compact JSON, or "<absent>".
	Ansible, Jetplay string
}

func (d Diff) String() string {
	return fmt.Sprintf("%s: ansible=%s jetplay=%s", d.Path, d.Ansible, d.Jetplay)
}

const absent = "<absent>"

// ErrNoDocument is returned when an output holds no JSON document.
var ErrNoDocument = errors.New("no JSON document in output")

// Decode parses the json callback's document from a tool's stdout. Anything
// printed before the first '{' (a module writing to the terminal) is skipped.
// Numbers stay json.Number, so 0 and false remain different.
func Decode(stdout []byte) (map[string]any, error) {
	i := bytes.IndexByte(stdout, '{')
	if i < 0 {
		return nil, ErrNoDocument
	}
	dec := json.NewDecoder(bytes.NewReader(stdout[i:]))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode json document: %w", err)
	}
	return doc, nil
}

var (
	hostSegRE  = regexp.MustCompile(`\.hosts\.[^.\[]+`)
	indexSegRE = regexp.MustCompile(`\.(results|stdout_lines|stderr_lines)\[\d+\]`)
)

// Report renders the diffs one per line, folding the diffs that differ only
// by host or loop index into one line that counts them, so that a difference
// repeated on every host of every task reads once.
func Report(diffs []Diff) string {
	type group struct {
		first Diff
		n     int
	}
	var order []string
	groups := map[string]*group{}
	for _, d := range diffs {
		shape := indexSegRE.ReplaceAllString(hostSegRE.ReplaceAllString(d.Path, ".hosts.*"), ".$1[*]")
		key := shape + "\x00" + d.Ansible + "\x00" + d.Jetplay
		if g, ok := groups[key]; ok {
			g.n++
			continue
		}
		groups[key] = &group{first: d, n: 1}
		order = append(order, key)
	}
	var b strings.Builder
	for _, k := range order {
		g := groups[k]
		b.WriteString(g.first.String())
		if g.n > 1 {
			fmt.Fprintf(&b, " (and %d more like it on other hosts or items)", g.n-1)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// A Comparison is the outcome of Compare.
type Comparison struct {
	// Diffs are the differences found, in document order.
	Diffs []Diff
	// Notes explain checks that were relaxed because Ansible's own result
	// depended on timing.
	Notes []string
}

// Compare compares Ansible's json document with jetplay's: plays and tasks by
// position and name, each host's status, result keys and values (loop items
// one by one), and the recap. Keys of ValueIgnored are compared for presence
// only, keys of Dropped not at all; jids and results files inside strings are
// rewritten to <jid> and <results_file> on both sides.
func Compare(ansible, jetplay map[string]any) Comparison {
	c := &comparer{}
	a, j := prepare(ansible), prepare(jetplay)
	c.loose = timingVariant(a, j)
	if c.loose != "" {
		c.notes = append(c.notes, c.loose)
	}
	c.plays(asList(a["plays"]), asList(j["plays"]))
	c.stats(asMap(a["stats"]), asMap(j["stats"]))
	return Comparison{Diffs: c.diffs, Notes: c.notes}
}

type comparer struct {
	diffs []Diff
	notes []string
	// loose, when set, says why only statuses, the recap and the exit code
	// are compared.
	loose string
}

func (c *comparer) add(path string, a, j any) {
	c.diffs = append(c.diffs, Diff{Path: path, Ansible: show(a), Jetplay: show(j)})
}

func (c *comparer) plays(a, j []any) {
	if len(a) != len(j) {
		c.add("len(plays)", len(a), len(j))
	}
	for i := range min(len(a), len(j)) {
		p := fmt.Sprintf("plays[%d]", i)
		pa, pj := asMap(a[i]), asMap(j[i])
		c.meta(p+".play", asMap(pa["play"]), asMap(pj["play"]))
		ta, tj := asList(pa["tasks"]), asList(pj["tasks"])
		if len(ta) != len(tj) {
			c.add(p+".len(tasks)", len(ta), len(tj))
		}
		for k := range min(len(ta), len(tj)) {
			c.task(fmt.Sprintf("%s.tasks[%d]", p, k), asMap(ta[k]), asMap(tj[k]))
		}
	}
}

// meta compares a play or task header: name and path; ids and durations are
// MetaIgnored.
func (c *comparer) meta(path string, a, j map[string]any) {
	for _, k := range sortedKeys(a, j) {
		if metaIgnored[k] {
			continue
		}
		c.value(path+"."+k, a[k], j[k], hasKey(a, k), hasKey(j, k))
	}
}

func (c *comparer) task(path string, a, j map[string]any) {
	c.meta(path+".task", asMap(a["task"]), asMap(j["task"]))
	ha, hj := asMap(a["hosts"]), asMap(j["hosts"])
	for _, h := range sortedKeys(ha, hj) {
		p := path + ".hosts." + h
		if !hasKey(ha, h) || !hasKey(hj, h) {
			c.add(p, presence(ha, h), presence(hj, h))
			continue
		}
		ra, rj := asMap(ha[h]), asMap(hj[h])
		if sa, sj := Status(ra), Status(rj); sa != sj {
			c.add(p+".status", sa, sj)
		}
		if c.loose != "" {
			continue
		}
		c.result(p, ra, rj)
	}
}

// result compares two result maps key by key.
func (c *comparer) result(path string, a, j map[string]any) {
	for _, k := range sortedKeys(a, j) {
		p := path + "." + k
		ina, inj := hasKey(a, k), hasKey(j, k)
		if valueIgnored[k] {
			if ina != inj {
				c.add(p, presence(a, k), presence(j, k))
			}
			continue
		}
		c.value(p, a[k], j[k], ina, inj)
	}
}

// value compares any two values, descending into maps and lists.
func (c *comparer) value(path string, a, j any, ina, inj bool) {
	switch {
	case !ina && !inj:
		return
	case !ina:
		c.add(path, absent, j)
		return
	case !inj:
		c.add(path, a, absent)
		return
	}
	ma, okA := a.(map[string]any)
	mj, okJ := j.(map[string]any)
	if okA && okJ {
		c.result(path, ma, mj)
		return
	}
	la, okA := a.([]any)
	lj, okJ := j.([]any)
	if okA && okJ {
		if len(la) != len(lj) {
			c.add("len("+path+")", len(la), len(lj))
		}
		for i := range min(len(la), len(lj)) {
			c.value(fmt.Sprintf("%s[%d]", path, i), la[i], lj[i], true, true)
		}
		return
	}
	if !reflect.DeepEqual(a, j) {
		c.add(path, a, j)
	}
}

func (c *comparer) stats(a, j map[string]any) {
	for _, h := range sortedKeys(a, j) {
		c.value("stats."+h, a[h], j[h], hasKey(a, h), hasKey(j, h))
	}
}

// Status is the status a json callback host result shows: unreachable,
// failed (ignored failures included: the json callback does not mark them),
// skipped, changed or ok.
func Status(r map[string]any) string {
	switch {
	case truthy(r["unreachable"]):
		return "unreachable"
	case truthy(r["failed"]):
		return "failed"
	case truthy(r["skipped"]):
		return "skipped"
	case truthy(r["changed"]):
		return "changed"
	}
	return "ok"
}

// Ansible's async_wrapper kills a job that outlived async 5 to 10 s after
// it started; when the controller's last check comes after that (a slow or
// loaded machine), Ansible reports the kill instead of the controller's
// timeout. jetplay's controller always gives up at async seconds.
const (
	wrapperKilled     = "Timeout exceeded"
	controllerTimeout = "async task did not complete within the requested time"
)

// timingVariant reports, when one side shows async_wrapper's kill and the
// other the controller's timeout for the same host, why only statuses can be
// compared for this run.
func timingVariant(a, j map[string]any) string {
	pa, pj := asList(a["plays"]), asList(j["plays"])
	for i := range min(len(pa), len(pj)) {
		ta, tj := asList(asMap(pa[i])["tasks"]), asList(asMap(pj[i])["tasks"])
		for k := range min(len(ta), len(tj)) {
			ha, hj := asMap(asMap(ta[k])["hosts"]), asMap(asMap(tj[k])["hosts"])
			for h, ra := range ha {
				ma, _ := asMap(ra)["msg"].(string)
				mj, _ := asMap(hj[h])["msg"].(string)
				if (ma == wrapperKilled && strings.HasPrefix(mj, controllerTimeout)) ||
					(mj == wrapperKilled && strings.HasPrefix(ma, controllerTimeout)) {
					return fmt.Sprintf("timing: plays[%d].tasks[%d].hosts.%s: ansible says %q, jetplay %q: "+
						"Ansible's async_wrapper killed the job before the controller's last check "+
						"(a loaded machine); only statuses, the recap and the exit code are compared", i, k, h, ma, mj)
				}
			}
		}
	}
	return ""
}

var (
	// Ansible's j<random>.<pid> and jetplay's r<run>.<seq>.
	jidRE = regexp.MustCompile(`\b(?:j\d+\.\d+|r[0-9a-f]{8,}\.\d+)\b`)
	// ~/.ansible_async/<jid> (home expanded or not) and jetplay_status/<jid>.
	resultsFileRE = regexp.MustCompile(`(?:[^\s'"]*\.ansible_async/|jetplay_status/)<jid>`)
)

// NormalizeString rewrites job ids to <jid> and results files to
// <results_file>.
func NormalizeString(s string) string {
	s = jidRE.ReplaceAllString(s, "<jid>")
	return resultsFileRE.ReplaceAllString(s, "<results_file>")
}

// prepare returns a copy of v with the Dropped keys removed and every string
// normalized.
func prepare(v any) map[string]any {
	m, _ := prepareValue(v).(map[string]any)
	return m
}

func prepareValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = prepareValue(e)
		}
		if facts, ok := out["ansible_facts"].(map[string]any); ok {
			delete(facts, "discovered_interpreter_python")
			if len(facts) == 0 {
				delete(out, "ansible_facts")
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = prepareValue(e)
		}
		return out
	case string:
		return NormalizeString(x)
	}
	return v
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return err == nil && f != 0
	case string:
		return x != ""
	}
	return v != nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func hasKey(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}

func presence(m map[string]any, k string) any {
	if v, ok := m[k]; ok {
		return v
	}
	return absent
}

func sortedKeys(a, b map[string]any) []string {
	seen := make(map[string]bool, len(a)+len(b))
	keys := make([]string, 0, len(a)+len(b))
	for _, m := range []map[string]any{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// show renders a value as compact JSON; absent stays <absent>.
func show(v any) string {
	if s, ok := v.(string); ok && s == absent {
		return absent
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
