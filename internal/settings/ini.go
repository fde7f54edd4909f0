package settings

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// defaultSection is configparser's DEFAULT section: its keys are seen in
// every section.
const defaultSection = "DEFAULT"

// iniFile is an ansible.cfg as Python's configparser.ConfigParser reads it
// with Ansible's arguments (inline_comment_prefixes=(";",), the other
// options at their defaults), values taken raw: no % interpolation.
type iniFile struct {
	sections []*iniSection // in file order, without DEFAULT
	defaults *iniSection
}

// iniSection is one section; keys are lower-cased, in file order.
type iniSection struct {
	name   string
	keys   []string
	values map[string]*[]string // the lines of each value, joined at the end
}

func newSection(name string) *iniSection {
	return &iniSection{name: name, values: map[string]*[]string{}}
}

// value returns the raw value of key (already lower-case).
func (s *iniSection) value(key string) (string, bool) {
	v, ok := s.values[key]
	if !ok {
		return "", false
	}
	return (*v)[0], true
}

// section returns the named section, or nil.
func (f *iniFile) section(name string) *iniSection {
	for _, s := range f.sections {
		if s.name == name {
			return s
		}
	}
	return nil
}

// get returns the value of key in section as configparser's get(raw=True)
// does: the section must exist; its own key, else DEFAULT's.
func (f *iniFile) get(section, key string) (string, bool) {
	s := f.section(section)
	if s == nil {
		return "", false
	}
	key = strings.ToLower(key)
	if v, ok := s.value(key); ok {
		return v, true
	}
	return f.defaults.value(key)
}

// pySpace is Python's str.isspace for the characters that matter here:
// Unicode white space and the ASCII separators \x1c to \x1f.
func pySpace(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }

func pyStrip(s string) string  { return strings.TrimFunc(s, pySpace) }
func pyRstrip(s string) string { return strings.TrimRightFunc(s, pySpace) }

// parseINI parses text as configparser's _read does: sections in [brackets]
// (DEFAULT is the defaults); "key = value" or "key: value" (the first = or
// : ends the key, which is lower-cased); full-line comments start with # or
// ; after any indentation; an inline comment is a ; at the start or after
// white space; a line indented deeper than its key's line continues the
// value (blank lines inside are kept, trailing ones dropped); a key or
// section given twice, a line before any section and a line without a
// delimiter are errors worded as Python's.
func parseINI(text string) (*iniFile, error) {
	const src = "'<string>'"
	f := &iniFile{defaults: newSection(defaultSection)}
	var (
		cur      *iniSection
		optname  string
		hasOpt   bool
		indent   int
		seen     = map[string]bool{}
		badLines []string
	)
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, line := range lines {
		lineno := i + 1
		commentStart := -1
		for from := 0; ; {
			j := strings.IndexByte(line[from:], ';')
			if j < 0 {
				break
			}
			j += from
			if j == 0 || pySpace(lastRune(line[:j])) {
				commentStart = j
				break
			}
			from = j + 1
		}
		if t := pyStrip(line); strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") {
			commentStart = 0
		}
		value := line
		if commentStart >= 0 {
			value = line[:commentStart]
		}
		value = pyStrip(value)
		if value == "" {
			if commentStart < 0 && cur != nil && hasOpt {
				v := cur.values[optname]
				*v = append(*v, "")
			}
			continue
		}
		// Python counts the indentation in characters.
		curIndent := utf8.RuneCountInString(line[:strings.IndexFunc(line, func(r rune) bool { return !pySpace(r) })])
		if cur != nil && hasOpt && curIndent > indent {
			v := cur.values[optname]
			*v = append(*v, value)
			continue
		}
		indent = curIndent
		if name, ok := sectionHeader(value); ok {
			switch {
			case name == defaultSection:
				cur = f.defaults
			case f.section(name) != nil:
				if seen[name] {
					return nil, fmt.Errorf("While reading from %s [line %2d]: section %s already exists", src, lineno, pyRepr(name)) //nolint:staticcheck // Python's wording
				}
				cur = f.section(name)
				seen[name] = true
			default:
				cur = newSection(name)
				f.sections = append(f.sections, cur)
				seen[name] = true
			}
			hasOpt = false
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("File contains no section headers.\nfile: %s, line: %d\n%s", src, lineno, pyRepr(line)) //nolint:staticcheck // Python's wording
		}
		k, v, ok := splitOption(value)
		if !ok {
			badLines = append(badLines, fmt.Sprintf("\n\t[line %2d]: %s", lineno, pyRepr(line)))
			continue
		}
		if k == "" {
			badLines = append(badLines, fmt.Sprintf("\n\t[line %2d]: %s", lineno, pyRepr(line)))
		}
		k = strings.ToLower(pyRstrip(k))
		if seen[cur.name+"\x00"+k] {
			return nil, fmt.Errorf("While reading from %s [line %2d]: option %s in section %s already exists", //nolint:staticcheck // Python's wording
				src, lineno, pyRepr(k), pyRepr(cur.name))
		}
		seen[cur.name+"\x00"+k] = true
		if _, dup := cur.values[k]; !dup {
			cur.keys = append(cur.keys, k)
		}
		cur.values[k] = &[]string{pyStrip(v)}
		optname, hasOpt = k, true
	}
	for _, s := range append([]*iniSection{f.defaults}, f.sections...) {
		for _, k := range s.keys {
			v := s.values[k]
			*v = []string{pyRstrip(strings.Join(*v, "\n"))}
		}
	}
	if badLines != nil {
		return nil, fmt.Errorf("Source contains parsing errors: %s%s", src, strings.Join(badLines, ""))
	}
	return f, nil
}

// lastRune is the last rune of s.
func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// sectionHeader matches configparser's SECTCRE, \[(?P<header>.+)\], at the
// start of a stripped line: the header runs to the last "]".
func sectionHeader(value string) (string, bool) {
	if !strings.HasPrefix(value, "[") {
		return "", false
	}
	end := strings.LastIndexByte(value, ']')
	if end < 2 {
		return "", false
	}
	name := value[1:end]
	if strings.ContainsAny(name, "\n") {
		return "", false
	}
	return name, true
}

// splitOption matches configparser's OPTCRE on a stripped line: the key is
// everything before the first "=" or ":".
func splitOption(value string) (key, val string, ok bool) {
	i := strings.IndexAny(value, "=:")
	if i < 0 {
		return "", "", false
	}
	return value[:i], value[i+1:], true
}

// pyRepr quotes s as Python's repr of a str.
func pyRepr(s string) string {
	q := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\' || r == rune(q):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}
