package playbook

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Ansible's texts for an error at a position in a file (ansible.errors:
// YAML_POSITION_DETAILS and the hints of AnsibleError._get_extended_error).
const (
	excerptPosition = "The error appears to be in '%s': line %d, column %d, but may\n" +
		"be elsewhere in the file depending on the exact syntax problem.\n"
	excerptShorthand = "There appears to be both 'k=v' shorthand syntax and YAML in this task. " +
		"Only one syntax may be used.\n"
	excerptLeadingTab = `There appears to be a tab character at the start of the line.

YAML does not use tabs for formatting. Tabs should be replaced with spaces.

For example:
    - name: update tooling
      vars:
        version: 1.2.3
#    ^--- there is a tab there.

Should be written as:
    - name: update tooling
      vars:
        version: 1.2.3
# ^--- all spaces here.
`
	excerptUnquotedVariable = `We could be wrong, but this one looks like it might be an issue with
missing quotes. Always quote template expression brackets when they
start a value. For instance:

    with_items:
      - {{ foo }}

Should be written as:

    with_items:
      - "{{ foo }}"
`
	excerptDict = `This one looks easy to fix. YAML thought it was looking for the start of a
hash/dictionary and was confused to see a second "{". Most likely this was
meant to be an ansible template evaluation instead, so we have to give the
parser a small hint that we wanted a string instead. The solution here is to
just quote the entire value.

For instance, if the original line was:

    app_path: {{ base_path }}/foo

It should be written as:

    app_path: "{{ base_path }}/foo"
`
	excerptUnquotedColon = `This one looks easy to fix. There seems to be an extra unquoted colon in the line
and this is confusing the parser. It was only expecting to find one free
colon. The solution is just add some quotes around the colon, or quote the
entire line after the first colon.

For instance, if the original line was:

    copy: src=file.txt dest=/path/filename:with_colon.txt

It can be written as:

    copy: src=file.txt dest='/path/filename:with_colon.txt'

Or:

    copy: 'src=file.txt dest=/path/filename:with_colon.txt'
`
	excerptPartiallyQuoted = `This one looks easy to fix. It seems that there is a value started
with a quote, and the YAML parser is expecting to see the line ended
with the same kind of quote. For instance:

    when: "ok" in result.stdout

Could be written as:

   when: '"ok" in result.stdout'

Or equivalently:

   when: "'ok' in result.stdout"
`
	excerptUnbalancedQuotes = `We could be wrong, but this one looks like it might be an issue with
unbalanced quotes. If starting a value with a quote, make sure the
line ends with the same set of quotes. For instance this arbitrary
example:

    foo: "bad" "wolf"

Could be written as:

    foo: '"bad" "wolf"'
`
)

// shorthandRE finds k=v syntax on the line before the error.
var shorthandRE = regexp.MustCompile(`\w+(\s+)?=(\s+)?[\w/-]+`)

// Excerpt is what Ansible appends to an error about the YAML object at p
// (a task, for an undefined variable in its arguments or its when): where
// the error appears to be (the file as an absolute path), the line before
// and the line itself with a caret under the column, and the hints Ansible
// gives for the common syntax mistakes it recognises on that line. It is
// "" when p has no file or line; a file that cannot be read gives Ansible's
// "(could not open file to display line)".
func (p Pos) Excerpt() string {
	if p.File == "" || p.Line <= 0 {
		return ""
	}
	file := p.File
	if abs, err := filepath.Abs(file); err == nil {
		file = abs
	}
	line, col := p.Line, max(p.Col, 1)
	out := fmt.Sprintf(excerptPosition, file, line, col)
	data, err := os.ReadFile(file)
	if err != nil {
		return out + "\n(could not open file to display line)"
	}
	target, prev, ok := errorLines(string(data), line-1)
	if !ok {
		return out + "\n(specified line no longer in file, maybe it changed?)"
	}
	if target == "" {
		return out
	}
	if shorthandRE.MatchString(prev) {
		at := strings.Index(strings.TrimRight(prev, " \t\r\n"), "=")
		out = fmt.Sprintf(excerptPosition, file, line-1, at+1)
		out += fmt.Sprintf("\nThe offending line appears to be:\n\n%s\n%s\n\n", strings.TrimRight(prev, " \t\r\n"), strings.Repeat(" ", at)+"^ here")
		out += excerptShorthand
	} else {
		out += fmt.Sprintf("\nThe offending line appears to be:\n\n%s\n%s\n%s\n", strings.TrimRight(prev, " \t\r\n"),
			strings.TrimRight(target, " \t\r\n"), strings.Repeat(" ", col-1)+"^ here")
	}
	return out + excerptHints(target, col)
}

// errorLines is AnsibleError._get_error_lines_from_file: the line at index
// n (0-based; the last line when n is past the end; moving up past blank
// lines) and the line before it ("" for the first line), each with its
// newline. ok is false when no line is left (Python's IndexError).
func errorLines(data string, n int) (target, prev string, ok bool) {
	lines := strings.SplitAfter(data, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if n >= len(lines) {
		n = len(lines) - 1
	}
	if n < 0 {
		return "", "", false
	}
	target = lines[n]
	for strings.TrimSpace(target) == "" {
		n--
		if n < 0 {
			return "", "", false
		}
		target = lines[n]
	}
	if n > 0 {
		prev = lines[n-1]
	}
	return target, prev, true
}

// excerptHints are the hints of _get_extended_error for the offending line,
// tested in Ansible's order (col is 1-based, compared as Ansible does with
// a 0-based index).
func excerptHints(target string, col int) string {
	var out string
	if strings.Contains(target, "\t") {
		out += excerptLeadingTab
	}
	stripped := strings.ReplaceAll(target, " ", "")
	switch {
	case strings.Contains(target, "{{") && strings.Contains(target, "}}") &&
		(!strings.Contains(target, `"{{`) || !strings.Contains(target, "'{{")):
		out += excerptUnquotedVariable
	case strings.Contains(stripped, ":{{") && strings.Contains(stripped, "}}"):
		out += excerptDict
	case len(target) > 1 && len(target) > col && target[col] == ':' && strings.Count(target, ":") > 1:
		out += excerptUnquotedColon
	default:
		parts := strings.Split(target, ":")
		if len(parts) < 2 {
			break
		}
		middle := strings.TrimSpace(parts[1])
		quote := func(s string, i int) bool { return s[i] == '"' || s[i] == '\'' }
		match := strings.HasPrefix(middle, "'") && !strings.HasSuffix(middle, "'") ||
			strings.HasPrefix(middle, `"`) && !strings.HasSuffix(middle, `"`)
		// Python's precedence: (a and b and c and d) or e.
		unbalanced := len(middle) > 0 && quote(middle, 0) && quote(middle, len(middle)-1) &&
			strings.Count(target, "'") > 2 || strings.Count(target, `"`) > 2
		if match {
			out += excerptPartiallyQuoted
		}
		if unbalanced {
			out += excerptUnbalancedQuotes
		}
	}
	return out
}
