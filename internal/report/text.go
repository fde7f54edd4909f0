package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// TextConfig configures NewText.
type TextConfig struct {
	// Out receives the output Ansible prints to stdout. Default: io.Discard.
	Out io.Writer
	// Err receives "[WARNING]:" and deprecation lines, which Ansible prints
	// to stderr. Default: Out.
	Err io.Writer
	// Verbosity is the number of -v flags: 1 prints every result, 2 adds
	// "task path:" lines, 3 indents results and keeps "invocation" and
	// "diff". Default: 0.
	Verbosity int
	// Color wraps lines in Ansible's default ANSI colors, as
	// ANSIBLE_FORCE_COLOR does. Default: false.
	Color bool
}

// Ansible's default colors (ansible.constants.COLOR_*).
const (
	colorOK          = "0;32"
	colorChanged     = "0;33"
	colorError       = "0;31"
	colorSkip        = "0;36"
	colorUnreachable = "1;31"
	colorDebug       = "1;30"
	colorWarn        = "1;35"
	colorDeprecate   = "0;35"
)

// columns is Ansible's display width when stdout is not a terminal (or a
// terminal of at most 80 columns).
const columns = 79

type textReporter struct {
	mu         sync.Mutex
	cfg        TextConfig
	strategy   string
	lastTask   Task
	lastBanner string
	warned     map[string]bool
	err        error
}

// NewText returns a Reporter that prints like ansible-playbook's default
// stdout callback.
func NewText(cfg TextConfig) Reporter {
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Err == nil {
		cfg.Err = cfg.Out
	}
	return &textReporter{cfg: cfg, warned: map[string]bool{}}
}

// display writes msg and a newline, colored line by line.
func (t *textReporter) display(w io.Writer, msg, color string) {
	if t.cfg.Color && color != "" {
		msg = colorize(msg, color)
	}
	if _, err := io.WriteString(w, msg+"\n"); err != nil && t.err == nil {
		t.err = fmt.Errorf("%w: %w", ErrWrite, err)
	}
}

func colorize(msg, color string) string {
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		lines[i] = "\033[" + color + "m" + l + "\033[0m"
	}
	return strings.Join(lines, "\n")
}

// banner prints "\nMSG ****" filling the line to 79 columns (3 stars
// at least).
func (t *textReporter) banner(msg string) {
	msg = strings.TrimSpace(msg)
	stars := max(columns-textWidth(msg), 3)
	t.display(t.cfg.Out, "\n"+msg+" "+strings.Repeat("*", stars), "")
}

func (t *textReporter) PlayStart(p Play) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.strategy = strings.TrimPrefix(strings.TrimPrefix(p.Strategy, "ansible.builtin."), "ansible.legacy.")
	t.lastBanner = ""
	t.lastTask = Task{}
	if name := strings.TrimSpace(p.Name); name != "" {
		t.banner("PLAY [" + name + "]")
	} else {
		t.banner("PLAY")
	}
}

func (t *textReporter) freeStrategy() bool {
	return t.strategy == "free" || t.strategy == "host_pinned"
}

// taskKey identifies a task for banners and JSON entries: its ID, with its
// name and path in case an engine reuses IDs.
func taskKey(tk Task) string {
	return tk.ID + "\x00" + tk.Name + "\x00" + tk.Path + "\x00" + tk.Action
}

func taskName(tk Task) string {
	if n := strings.TrimSpace(tk.Name); n != "" {
		return n
	}
	return strings.TrimSpace(tk.Action)
}

func (t *textReporter) taskBanner(tk Task) {
	prefix := "TASK"
	if tk.Handler {
		prefix = "RUNNING HANDLER"
	}
	t.banner(prefix + " [" + taskName(tk) + "]")
	if t.cfg.Verbosity >= 2 && tk.Path != "" {
		t.display(t.cfg.Out, "task path: "+tk.Path, colorDebug)
	}
	t.lastBanner = taskKey(tk)
}

// ensureBanner prints tk's banner unless it was the last one printed.
func (t *textReporter) ensureBanner(tk Task) {
	if taskKey(tk) != t.lastBanner {
		t.taskBanner(tk)
	}
}

func (t *textReporter) TaskStart(tk Task) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lastTask = tk
	if !t.freeStrategy() {
		t.taskBanner(tk)
	}
}

// verbose is the callback's _run_is_verbose.
func (t *textReporter) verbose(r map[string]any, level int) bool {
	always, _ := r["_ansible_verbose_always"].(bool)
	override, ok := r["_ansible_verbose_override"].(bool)
	return (t.cfg.Verbosity > level || always) && (!ok || !override)
}

// dump is the callback's _dump_results for the json result format.
func (t *textReporter) dump(r map[string]any) string {
	indent := 0
	if truthy(r["_ansible_verbose_always"]) || t.cfg.Verbosity > 2 {
		indent = 4
	}
	a := copyResult(r)
	stripInternal(a, nil)
	if t.cfg.Verbosity < 3 {
		delete(a, "invocation")
		delete(a, "diff")
	}
	delete(a, "exception")
	return pyJSON(a, indent, false)
}

// prepare cleans a result for display and applies the debug default of
// _ansible_verbose_always (an assert sets it itself unless quiet). A failed
// debug result without it is an error raised before the action ran (an
// undefined variable in msg): Ansible prints it on one line.
func prepare(r map[string]any, action string, status Status) map[string]any {
	c := cleanCopy(r, action)
	if _, ok := c["_ansible_verbose_always"]; !ok && status != Skipped && status != Failed && isAction(action, "debug") &&
		!truthy(c["_ansible_no_log"]) {
		c["_ansible_verbose_always"] = true
	}
	return c
}

// hostLabel is the callback's host_label: "h1", or "h1 -> h2" when
// delegated, with "(address)" when the delegated host's ansible_host differs.
func hostLabel(host, delegated string, r map[string]any) string {
	if delegated == "" || delegated == host {
		return host
	}
	label := host + " -> " + delegated
	if dv, ok := r["_ansible_delegated_vars"].(map[string]any); ok {
		if a, ok := dv["ansible_host"].(string); ok && a != delegated {
			label += "(" + a + ")"
		}
	}
	return label
}

// handleException prints the exception line of a failed result.
func (t *textReporter) handleException(r map[string]any) {
	e, ok := r["exception"]
	if !ok {
		return
	}
	s := pyStr(e)
	var msg string
	if t.cfg.Verbosity < 3 {
		lines := strings.Split(strings.TrimSpace(s), "\n")
		msg = "An exception occurred during task execution. To see the full traceback, use -vvv. The error was: " + lines[len(lines)-1]
	} else {
		msg = "The full traceback is:\n" + s
		delete(r, "exception")
	}
	t.display(t.cfg.Out, msg, colorError)
}

// handleWarnings prints and removes a result's warnings and deprecations.
func (t *textReporter) handleWarnings(r map[string]any) {
	if ws, ok := r["warnings"].([]any); ok && len(ws) > 0 {
		for _, w := range ws {
			t.warning(pyStr(w))
		}
		delete(r, "warnings")
	}
	if ds, ok := r["deprecations"].([]any); ok && len(ds) > 0 {
		for _, d := range ds {
			t.deprecation(d)
		}
		delete(r, "deprecations")
	}
}

func (t *textReporter) warning(msg string) {
	text := strings.Join(wrapText("[WARNING]: "+msg, columns, true), "\n")
	if t.warned[text] {
		return
	}
	t.warned[text] = true
	t.display(t.cfg.Err, text, colorWarn)
}

// deprecation prints Display.deprecated's message for one entry of a
// result's "deprecations".
func (t *textReporter) deprecation(d any) {
	m, _ := d.(map[string]any)
	if m == nil {
		m = map[string]any{"msg": pyStr(d)}
	}
	str := func(k string) string {
		if v, ok := m[k]; ok && truthy(v) {
			return pyStr(v)
		}
		return ""
	}
	msg := strings.TrimSpace(str("msg"))
	if msg != "" && !strings.ContainsAny(msg[len(msg)-1:], "!?.") {
		msg += "."
	}
	parts := []string{"[DEPRECATION WARNING]: " + msg, "This feature will be removed"}
	coll := str("collection_name")
	if coll == "ansible.builtin" {
		coll = "ansible-core"
	}
	if coll != "" {
		parts = append(parts, "from "+coll)
	}
	switch {
	case str("date") != "":
		parts = append(parts, "in a release after "+str("date")+".")
	case str("version") != "":
		parts = append(parts, "in version "+str("version")+".")
	default:
		parts = append(parts, "in a future release.")
	}
	parts = append(parts, "Deprecation warnings can be disabled by setting deprecation_warnings=False in ansible.cfg.")
	text := strings.TrimSpace(strings.Join(wrapText(strings.Join(parts, " "), columns, false), "\n"))
	if t.warned["\x00"+text] {
		return
	}
	t.warned["\x00"+text] = true
	t.display(t.cfg.Err, text, colorDeprecate)
}

func (t *textReporter) HostResult(tk Task, hr HostResult) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if isInclude(tk.Action) && hr.Status != Failed && hr.Status != Skipped {
		return // Included printed it
	}
	r := prepare(hr.Result, tk.Action, hr.Status)
	label := hostLabel(hr.Host, hr.Delegated, r)
	_, loop := r["results"]
	switch hr.Status {
	case Failed:
		cleanDebug(r, tk.Action)
		t.ensureBanner(tk)
		t.handleException(r)
		t.handleWarnings(r)
		if !loop {
			t.display(t.cfg.Out, "fatal: ["+label+"]: FAILED! => "+t.dump(r), colorError)
		}
		if hr.Ignored {
			t.display(t.cfg.Out, "...ignoring", colorSkip)
		}
	case Unreachable:
		t.ensureBanner(tk)
		t.display(t.cfg.Out, "fatal: ["+label+"]: UNREACHABLE! => "+t.dump(r), colorUnreachable)
		if hr.Ignored {
			t.display(t.cfg.Out, "...ignoring", colorSkip)
		}
	case Skipped:
		cleanDebug(r, tk.Action)
		t.ensureBanner(tk)
		delete(r, "results")
		msg := "skipping: [" + hr.Host + "]"
		if t.verbose(r, 0) {
			msg += " => " + t.dump(r)
		}
		t.display(t.cfg.Out, msg, colorSkip)
	default:
		msg, color := "ok: ["+label+"]", colorOK
		if hr.Status == Changed || truthy(r["changed"]) {
			msg, color = "changed: ["+label+"]", colorChanged
		}
		t.ensureBanner(tk)
		if hr.Diff {
			t.fileDiffs(r, loop)
		}
		t.handleWarnings(r)
		if loop {
			return
		}
		cleanDebug(r, tk.Action)
		if t.verbose(r, 0) {
			msg += " => " + t.dump(r)
		}
		t.display(t.cfg.Out, msg, color)
	}
}

// fileDiffs is the default callback's v2_on_file_diff, which Ansible calls
// for a result that has a "diff" key: it prints the diff of a changed
// result, or of each changed item of a loop result, when it is not empty.
func (t *textReporter) fileDiffs(r map[string]any, loop bool) {
	if _, ok := r["diff"]; !ok {
		return
	}
	results := []any{r}
	if loop {
		results, _ = r["results"].([]any)
	}
	for _, e := range results {
		res, _ := e.(map[string]any)
		if res == nil || !truthy(res["diff"]) || !truthy(res["changed"]) {
			continue
		}
		if d := fileDiff(res["diff"], t.cfg.Color); d != "" {
			t.display(t.cfg.Out, strings.TrimSuffix(d, "\n"), "")
		}
	}
}

// itemLabel is the callback's _get_item_label.
// A no_log item result is censored before the callback sees it, so Ansible
// finds no label in it and prints "(item=None)".
func itemLabel(ir ItemResult, r map[string]any) string {
	if truthy(ir.Result["_ansible_no_log"]) {
		return "None"
	}
	if ir.Label != nil {
		return pyStr(ir.Label)
	}
	if l, ok := r["_ansible_item_label"]; ok {
		return pyStr(l)
	}
	if ir.Item != nil {
		return pyStr(ir.Item)
	}
	return pyStr(r["item"])
}

func (t *textReporter) Item(ir ItemResult) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tk := ir.Task
	if tk == (Task{}) {
		tk = t.lastTask
	}
	r := prepare(ir.Result, tk.Action, ir.Status)
	item := itemLabel(ir, r)
	label := hostLabel(ir.Host, ir.Delegated, r)
	t.ensureBanner(tk)
	cleanDebug(r, tk.Action)
	switch ir.Status {
	case Failed, Unreachable:
		t.handleException(r)
		t.handleWarnings(r)
		t.display(t.cfg.Out, "failed: ["+label+"] (item="+item+") => "+t.dump(r), colorError)
	case Skipped:
		msg := "skipping: [" + ir.Host + "] => (item=" + item + ") "
		if t.verbose(r, 0) {
			msg += " => " + t.dump(r)
		}
		t.display(t.cfg.Out, msg, colorSkip)
	default:
		msg, color := "ok", colorOK
		if ir.Status == Changed || truthy(r["changed"]) {
			msg, color = "changed", colorChanged
		}
		if ir.Diff {
			t.fileDiffs(r, false)
		}
		msg += ": [" + label + "] => (item=" + item + ")"
		if t.verbose(r, 0) {
			msg += " => " + t.dump(r)
		}
		t.display(t.cfg.Out, msg, color)
	}
}

func (t *textReporter) AsyncPoll(host, jid string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.display(t.cfg.Out, "ASYNC POLL on "+host+": jid="+jid+" started=1 finished=0", colorDebug)
}

func (t *textReporter) AsyncOK(host, jid string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.display(t.cfg.Out, "ASYNC OK on "+host+": jid="+jid, colorDebug)
}

func (t *textReporter) AsyncFailed(host, jid string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.display(t.cfg.Out, "ASYNC FAILED on "+host+": jid="+jid, colorDebug)
}

func (t *textReporter) Retry(host, taskName string, retriesLeft int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.display(t.cfg.Out, fmt.Sprintf("FAILED - RETRYING: [%s]: %s (%d retries left).", host, taskName, retriesLeft), colorDebug)
}

// Error prints Ansible's Display.error line "ERROR! msg" (red, to the
// warnings writer): an error that failed hosts without stopping the run.
func (t *textReporter) Error(msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.display(t.cfg.Err, "ERROR! "+msg, colorError)
}

func (t *textReporter) Warning(msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.warning(msg)
}

func (t *textReporter) NoHostsMatched(pattern string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if pattern != "" {
		t.warning("Could not match supplied host pattern, ignoring: " + pattern)
	}
	t.display(t.cfg.Out, "skipping: no hosts matched", colorSkip)
}

func (t *textReporter) Included(tk Task, path string, hosts []string, item any, hasItem bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ensureBanner(tk)
	line := "included: " + path + " for " + strings.Join(hosts, ", ")
	if hasItem {
		line += " => (item=" + pyStr(item) + ")"
	}
	t.display(t.cfg.Out, line, colorSkip)
}

// isInclude reports whether an action is a dynamic include (tasks or role).
func isInclude(action string) bool {
	switch action {
	case "include_tasks", "ansible.builtin.include_tasks", "include", "ansible.builtin.include",
		"include_role", "ansible.builtin.include_role":
		return true
	}
	return false
}

func (t *textReporter) PlayEnd() {}

func (t *textReporter) Finish(s Stats) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.banner("PLAY RECAP")
	hosts := make([]string, 0, len(s))
	for h := range s {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, h := range hosts {
		hs := s[h]
		field := func(name string, n int, color string) string {
			f := fmt.Sprintf("%s=%-4d", name, n)
			if n != 0 && t.cfg.Color {
				f = colorize(f, color)
			}
			return f
		}
		t.display(t.cfg.Out, fmt.Sprintf("%s : %s %s %s %s %s %s %s",
			t.recapHost(h, hs),
			field("ok", hs.OK, colorOK),
			field("changed", hs.Changed, colorChanged),
			field("unreachable", hs.Unreachable, colorUnreachable),
			field("failed", hs.Failures, colorError),
			field("skipped", hs.Skipped, colorSkip),
			field("rescued", hs.Rescued, colorOK),
			field("ignored", hs.Ignored, colorWarn),
		), "")
	}
	t.display(t.cfg.Out, "", "")
	return t.err
}

// recapHost is hostcolor: the host padded to 26 characters (37 with the
// color codes counted).
func (t *textReporter) recapHost(h string, hs *HostStats) string {
	width := 26
	if t.cfg.Color {
		color := colorOK
		switch {
		case hs.Failures != 0 || hs.Unreachable != 0:
			color = colorError
		case hs.Changed != 0:
			color = colorChanged
		}
		h = colorize(h, color)
		width = 37
	}
	if n := utf8.RuneCountInString(h); n < width {
		h += strings.Repeat(" ", width-n)
	}
	return h
}

// textWidth approximates the terminal width of s as Ansible's
// get_text_width does: combining and format characters take no column, East
// Asian wide characters two.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) || r == 0:
			continue
		case wide(r):
			n += 2
		default:
			n++
		}
	}
	return n
}

func wide(r rune) bool {
	return (r >= 0x1100 && r <= 0x115f) || (r >= 0x2e80 && r <= 0xa4cf && r != 0x303f) ||
		(r >= 0xac00 && r <= 0xd7a3) || (r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) ||
		(r >= 0xff00 && r <= 0xff60) || (r >= 0xffe0 && r <= 0xffe6) || (r >= 0x1f300 && r <= 0x1f64f) ||
		(r >= 0x1f900 && r <= 0x1f9ff) || (r >= 0x20000 && r <= 0x3fffd)
}
