package report

import (
	"fmt"
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/jetplay/jetplay/internal/job"
)

// diffContext is the number of context lines around a change (Ansible's
// DIFF_CONTEXT default).
const diffContext = 3

// Ansible's default diff colors (COLOR_DIFF_ADD, _REMOVE, _LINES).
const (
	colorDiffAdd    = "0;32"
	colorDiffRemove = "0;31"
	colorDiffLines  = "0;36"
)

// fileDiff is the callback's _get_diff: the text Ansible prints for a
// result's "diff", one map or a list of them. Per map: the "diff skipped"
// lines of dst_binary, src_binary, dst_larger and src_larger; with before
// and after, a unified diff (3 lines of context, difflib's format) headed
// "--- before[: before_header]" and "+++ after[: after_header]", a map side
// serialized as sorted, 4-space indented JSON, a side without a final
// newline marked "\ No newline at end of file", and an empty line after the
// hunks; then "prepared" as it is. With color each diff line is colored as
// Ansible colors it. d is not modified.
func fileDiff(d any, color bool) string {
	list, ok := d.([]any)
	if !ok {
		list = []any{d}
	}
	var b strings.Builder
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		for _, k := range []string{"dst_binary", "src_binary"} {
			if _, ok := m[k]; ok {
				fmt.Fprintf(&b, "diff skipped: %s file appears to be binary\n", side(k))
			}
		}
		for _, k := range []string{"dst_larger", "src_larger"} {
			if v, ok := m[k]; ok {
				fmt.Fprintf(&b, "diff skipped: %s file size is greater than %s\n", side(k), pyStr(v))
			}
		}
		before, okB := m["before"]
		after, okA := m["after"]
		if okB && okA {
			fromFile, toFile := "before", "after"
			if h, ok := m["before_header"]; ok {
				fromFile += ": " + pyStr(h)
			}
			if h, ok := m["after_header"]; ok {
				toFile += ": " + pyStr(h)
			}
			b.WriteString(unifiedDiff(diffSide(before), diffSide(after), fromFile, toFile, color))
		}
		if p, ok := m["prepared"]; ok {
			b.WriteString(pyStr(p))
		}
	}
	return b.String()
}

// side names the file of a dst_* or src_* key.
func side(k string) string {
	if strings.HasPrefix(k, "dst") {
		return "destination"
	}
	return "source"
}

// diffSide is one side of a diff as Ansible splits it: a map serialized as
// JSON (json.dumps with sort_keys and indent 4, and a newline), None as
// empty; then Python's splitlines(keepends=True), the last line marked when
// it does not end in a newline.
func diffSide(v any) []string {
	var s string
	switch x := v.(type) {
	case nil:
	case string:
		s = x
	case map[string]any, Dict:
		s = pyJSON(x, 4, true) + "\n"
	default:
		s = pyStr(x)
	}
	lines := job.SplitLines(s, true)
	if n := len(lines); n > 0 && !strings.HasSuffix(lines[n-1], "\n") {
		lines[n-1] += "\n\\ No newline at end of file\n"
	}
	return lines
}

// unifiedDiff is Python's difflib.unified_diff(a, b, fromFile, toFile,
// n=diffContext) joined, followed by a newline when there is any hunk
// (nothing when a and b are equal). With color, lines starting with "+",
// "-" and "@@" are colored as Ansible's stringc colors them.
func unifiedDiff(a, b []string, fromFile, toFile string, color bool) string {
	var out strings.Builder
	write := func(line, c string) {
		if color && c != "" {
			line = colorize(line, c)
		}
		out.WriteString(line)
	}
	m := difflib.NewMatcher(a, b)
	for i, g := range m.GetGroupedOpCodes(diffContext) {
		if i == 0 {
			write("--- "+fromFile+"\n", colorDiffRemove)
			write("+++ "+toFile+"\n", colorDiffAdd)
		}
		first, last := g[0], g[len(g)-1]
		write(fmt.Sprintf("@@ -%s +%s @@\n", unifiedRange(first.I1, last.I2), unifiedRange(first.J1, last.J2)), colorDiffLines)
		for _, c := range g {
			if c.Tag == 'e' {
				for _, l := range a[c.I1:c.I2] {
					write(" "+l, "")
				}
				continue
			}
			if c.Tag == 'r' || c.Tag == 'd' {
				for _, l := range a[c.I1:c.I2] {
					write("-"+l, colorDiffRemove)
				}
			}
			if c.Tag == 'r' || c.Tag == 'i' {
				for _, l := range b[c.J1:c.J2] {
					write("+"+l, colorDiffAdd)
				}
			}
		}
	}
	if out.Len() > 0 {
		out.WriteString("\n")
	}
	return out.String()
}

// unifiedRange is difflib's _format_range_unified: "start,length" (1-based),
// just "start" for one line, and one before the start for none.
func unifiedRange(start, stop int) string {
	begin, n := start+1, stop-start
	if n == 1 {
		return fmt.Sprint(begin)
	}
	if n == 0 {
		begin--
	}
	return fmt.Sprintf("%d,%d", begin, n)
}
