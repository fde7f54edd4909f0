package playbook

import (
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var (
	// patternPartRE splits a colon-separated pattern, keeping [...] whole.
	patternPartRE = regexp.MustCompile(`(?:[^\s:\[\]]|\[[^\]]*\])+`)
	// hostPortRE is a single host with a port, which is not split on ':'.
	hostPortRE = regexp.MustCompile(`^[^:\[\]\s]+:\d+$`)
	// subscriptRE is a pattern with a [i] or [start:end] subscript.
	subscriptRE = regexp.MustCompile(`^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$`)
)

// splitPattern splits a host pattern into its parts as Ansible does: on
// commas if there are any, else on colons outside brackets (a single IPv6
// address or host:port is kept whole).
func splitPattern(pattern string) []string {
	var parts []string
	switch {
	case strings.Contains(pattern, ","):
		parts = strings.Split(pattern, ",")
	case net.ParseIP(strings.TrimSpace(pattern)) != nil, hostPortRE.MatchString(strings.TrimSpace(pattern)):
		parts = []string{pattern}
	default:
		parts = patternPartRE.FindAllString(pattern, -1)
	}
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Match returns the hosts an Ansible host pattern selects, in inventory
// order, without duplicates. A pattern is a list of parts separated by
// commas (or colons): each part is "all" or "*", a group (all its hosts and
// those of its descendants), a host, a glob ("web*", "db[12]") matched
// against group and host names, or a regex ("~web[0-9]+", matched at the
// start of the names); a group part may take a subscript ("web[0]",
// "web[1:3]"). Parts prefixed with "&" intersect and those prefixed with
// "!" exclude, whatever their position. The name localhost (127.0.0.1, ::1)
// matches an implicit local host when it is not in the inventory, though
// that host is not part of "all". No match gives an empty slice and no
// error; a bad regex or subscript gives an error wrapping ErrPattern.
func (inv *Inventory) Match(pattern string) ([]string, error) {
	var regular, and, not []string
	for _, p := range splitPattern(pattern) {
		switch p[0] {
		case '&':
			and = append(and, p)
		case '!':
			not = append(not, p)
		default:
			regular = append(regular, p)
		}
	}
	if len(regular) == 0 {
		regular = []string{"all"}
	}
	// Hosts come in the order of the pattern's terms, each term's hosts in
	// inventory order ("db:web1" gives db's hosts first), as Ansible does.
	selected := map[string]bool{}
	var order []string
	add := func(h string) {
		if _, seen := selected[h]; !seen {
			order = append(order, h)
		}
		selected[h] = true
	}
	for _, p := range regular {
		if _, ok := inv.Hosts[p]; ok {
			add(p)
			continue
		}
		hosts, err := inv.matchOne(p)
		if err != nil {
			return nil, err
		}
		for _, h := range hosts {
			add(h)
		}
	}
	for _, p := range and {
		hosts, err := inv.matchOne(p[1:])
		if err != nil {
			return nil, err
		}
		keep := map[string]bool{}
		for _, h := range hosts {
			keep[h] = selected[h]
		}
		selected = keep
	}
	for _, p := range not {
		hosts, err := inv.matchOne(p[1:])
		if err != nil {
			return nil, err
		}
		for _, h := range hosts {
			delete(selected, h)
		}
	}
	out := make([]string, 0, len(order))
	for _, h := range order {
		if selected[h] {
			out = append(out, h)
		}
	}
	return out, nil
}

// matchOne returns the hosts one pattern part selects, in inventory order.
func (inv *Inventory) matchOne(pattern string) ([]string, error) {
	if pattern == "" {
		return nil, nil
	}
	expr, start, end, hasSub := pattern, 0, 0, false
	if pattern[0] != '~' {
		if m := subscriptRE.FindStringSubmatch(pattern); m != nil {
			expr, hasSub = m[1], true
			if m[2] != "" {
				start, _ = strconv.Atoi(m[2])
				end = start
				if start < 0 {
					end = -1 // a single negative index
				}
			} else {
				start, _ = strconv.Atoi(m[3])
				end = -2 // to the last
				if m[5] != "" {
					end, _ = strconv.Atoi(m[5])
				}
			}
		}
	}
	hosts, err := inv.enumerate(expr)
	if err != nil {
		return nil, err
	}
	if !hasSub || len(hosts) == 0 {
		return hosts, nil
	}
	n := len(hosts)
	switch {
	case end == -2:
		end = n - 1
	case start < 0 && end == -1: // hosts[-k]
		if -start > n {
			return nil, errorf(Pos{}, ErrPattern, "No hosts matched the subscripted pattern '%s'", pattern)
		}
		return []string{hosts[n+start]}, nil
	case start == end && start >= n:
		return nil, errorf(Pos{}, ErrPattern, "No hosts matched the subscripted pattern '%s'", pattern)
	}
	if start >= n {
		return []string{}, nil
	}
	return hosts[start : min(end, n-1)+1], nil
}

// enumerate returns the hosts of the groups matching pattern and, for a
// glob or regex or when no group matches, the hosts whose names match.
func (inv *Inventory) enumerate(pattern string) ([]string, error) {
	re, err := compileHostPattern(pattern)
	if err != nil {
		return nil, err
	}
	found := map[string]bool{}
	var order []string // a single group keeps its own order
	groupMatched := false
	names := make([]string, 0, len(inv.Groups))
	for name := range inv.Groups {
		names = append(names, name)
	}
	sort.Strings(names)
	groups := 0
	for _, name := range names {
		if re.MatchString(name) {
			groupMatched = true
			groups++
			for _, h := range inv.groupHosts(name) {
				if !found[h] {
					order = append(order, h)
				}
				found[h] = true
			}
		}
	}
	if !groupMatched || pattern[0] == '~' || strings.ContainsAny(pattern, ".?*[") {
		for _, h := range inv.hostOrder {
			if re.MatchString(h) {
				found[h] = true
			}
		}
	}
	if len(found) == 0 && localhostNames[pattern] {
		found[pattern] = true
	}
	if groups == 1 && len(order) == len(found) {
		return order, nil
	}
	return inv.inOrder(found), nil
}

// compileHostPattern turns "~regex" into a regex matched at the start of a
// name, and anything else into an anchored shell glob.
func compileHostPattern(pattern string) (*regexp.Regexp, error) {
	src := ""
	if pattern[0] == '~' {
		src = `^(?:` + pattern[1:] + `)`
	} else {
		src = `^(?s:` + globToRegexp(pattern) + `)$`
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, errorf(Pos{}, ErrPattern, "Invalid host list pattern: %s", pattern)
	}
	return re, nil
}

// globToRegexp translates a shell glob as Python's fnmatch.translate does:
// * ? [seq] [!seq].
func globToRegexp(pat string) string {
	var b strings.Builder
	for i := 0; i < len(pat); {
		c := pat[i]
		i++
		switch c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			j := i
			if j < len(pat) && pat[j] == '!' {
				j++
			}
			if j < len(pat) && pat[j] == ']' {
				j++
			}
			for j < len(pat) && pat[j] != ']' {
				j++
			}
			if j >= len(pat) {
				b.WriteString(`\[`)
				continue
			}
			stuff := pat[i:j]
			i = j + 1
			neg := strings.HasPrefix(stuff, "!")
			if neg {
				stuff = stuff[1:]
			}
			var cls strings.Builder
			for _, r := range stuff {
				switch r {
				case '\\', '[', ']', '^':
					cls.WriteByte('\\')
				}
				if r == '-' {
					cls.WriteRune('-')
					continue
				}
				cls.WriteRune(r)
			}
			switch {
			case cls.Len() == 0 && neg:
				b.WriteString(".") // [!] matches any character
			case cls.Len() == 0:
				b.WriteString("[^\\x00-\\x{10FFFF}]") // [] matches nothing
			case neg:
				b.WriteString("[^" + cls.String() + "]")
			default:
				b.WriteString("[" + cls.String() + "]")
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return b.String()
}
