package difftest

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

var (
	// Timing-dependent values inside `=> {...}` blocks and item labels, in
	// JSON ("key": value) and Python repr ('key': value) form.
	timingValueRE = regexp.MustCompile(`(["'])(start|end|delta|child_pid|attempts)(["']): (?:"[^"]*"|'[^']*'|\d+)`)
	// The interpreter fact Ansible adds to a host's first module result
	// (see Dropped), in JSON and Python repr form, with its separator.
	interpreterRE = regexp.MustCompile(`(["'])ansible_facts["']: \{["']discovered_interpreter_python["']: ["'][^"']*["']\}, `)
	// A line that starts one host's entry within a task.
	entryRE = regexp.MustCompile(`^(?:(?:ok|changed|fatal|failed|skipping|unreachable): \[|ASYNC (?:OK|FAILED) on )`)
)

// NormalizeText prepares the default callback's output for comparison: job
// ids and results files are rewritten as in NormalizeString, start, end,
// delta, child_pid and attempts values become <t>, the interpreter fact of
// Dropped is removed, the timing lines of
// textDropped are removed, and within each task the host entries (a status
// line with its continuation lines) are sorted, since hosts finish in any
// order. Blank lines are dropped inside a section and one ends each section.
func NormalizeText(out string) string {
	var sections [][]string // header line + entries
	var cur []string
	var entry []string
	flushEntry := func() {
		if len(entry) > 0 {
			cur = append(cur, strings.Join(entry, "\n"))
			entry = nil
		}
	}
	flush := func() {
		flushEntry()
		if len(cur) > 0 {
			sections = append(sections, cur)
		}
		cur = nil
	}
lines:
	for _, line := range strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\n") {
		for _, r := range textDropped {
			if strings.HasPrefix(line, r.Key) {
				continue lines
			}
		}
		line = timingValueRE.ReplaceAllString(NormalizeString(line), "$1$2$3: <t>")
		line = interpreterRE.ReplaceAllString(line, "")
		switch {
		case strings.HasPrefix(line, "PLAY [") || strings.HasPrefix(line, "TASK [") || strings.HasPrefix(line, "PLAY RECAP "):
			flush()
			cur = []string{line}
		case strings.TrimSpace(line) == "":
			flushEntry()
		case entryRE.MatchString(line):
			flushEntry()
			entry = []string{line}
		case len(entry) > 0:
			entry = append(entry, line)
		default:
			cur = append(cur, line)
		}
	}
	flush()
	var b strings.Builder
	for _, s := range sections {
		body := s[1:]
		if strings.HasPrefix(s[0], "TASK [") {
			sort.Strings(body)
		}
		b.WriteString(s[0] + "\n")
		for _, e := range body {
			b.WriteString(e + "\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// LineDiff returns a unified-style diff of two texts ("-" ansible, "+"
// jetplay), or "" when they are equal.
func LineDiff(ansible, jetplay string) string {
	if ansible == jetplay {
		return ""
	}
	a, j := strings.Split(ansible, "\n"), strings.Split(jetplay, "\n")
	// Longest common subsequence, fine for outputs of a few hundred lines.
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(j)+1)
	}
	for x := len(a) - 1; x >= 0; x-- {
		for y := len(j) - 1; y >= 0; y-- {
			if a[x] == j[y] {
				lcs[x][y] = lcs[x+1][y+1] + 1
			} else {
				lcs[x][y] = max(lcs[x+1][y], lcs[x][y+1])
			}
		}
	}
	var b strings.Builder
	x, y := 0, 0
	for x < len(a) || y < len(j) {
		switch {
		case x < len(a) && y < len(j) && a[x] == j[y]:
			fmt.Fprintf(&b, "  %s\n", a[x])
			x++
			y++
		case y < len(j) && (x == len(a) || lcs[x][y+1] >= lcs[x+1][y]):
			fmt.Fprintf(&b, "+ %s\n", j[y])
			y++
		default:
			fmt.Fprintf(&b, "- %s\n", a[x])
			x++
		}
	}
	return b.String()
}
