package playbook

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
)

const asciiLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// expandHostRange expands the [begin:end] and [begin:end:step] ranges of an
// inventory host pattern, as Ansible's expand_hostname_range does:
// "web[01:03]" gives web01, web02, web03 and "db-[a:c]" gives db-a, db-b,
// db-c. A pattern without '[' is returned as is.
func expandHostRange(pattern string) ([]string, error) {
	var out []string
	err := expandRange(pattern, &out)
	return out, err
}

func expandRange(line string, out *[]string) error {
	if !strings.Contains(line, "[") {
		*out = append(*out, line)
		return nil
	}
	open := strings.Index(line, "[")
	closing := strings.Index(line, "]")
	if closing < open || strings.Contains(line, "|") {
		return fmt.Errorf("invalid host range in %q", line)
	}
	head, nrange, tail := line[:open], line[open+1:closing], line[closing+1:]
	bounds := strings.Split(nrange, ":")
	if len(bounds) != 2 && len(bounds) != 3 {
		return errors.New("host range must be begin:end or begin:end:step")
	}
	beg, end, step := bounds[0], bounds[1], 1
	if len(bounds) == 3 {
		s, err := strconv.Atoi(bounds[2])
		if err != nil || s <= 0 {
			return fmt.Errorf("invalid host range step %q", bounds[2])
		}
		step = s
	}
	if beg == "" {
		beg = "0"
	}
	if end == "" {
		return errors.New("host range must specify end value")
	}
	width := 0
	if beg[0] == '0' && len(beg) > 1 {
		if len(beg) != len(end) {
			return errors.New("host range must specify equal-length begin and end formats")
		}
		width = len(beg)
	}
	var seq []string
	ib, ie := strings.Index(asciiLetters, beg), strings.Index(asciiLetters, end)
	if len(beg) == 1 && len(end) == 1 && ib >= 0 && ie >= 0 {
		if ib > ie {
			return errors.New("host range must have begin <= end")
		}
		for i := ib; i <= ie; i += step {
			seq = append(seq, asciiLetters[i:i+1])
		}
	} else {
		b, err1 := strconv.Atoi(beg)
		e, err2 := strconv.Atoi(end)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("invalid host range [%s]", nrange)
		}
		if e-b > maxHosts {
			return fmt.Errorf("host range [%s] has more than %d hosts", nrange, maxHosts)
		}
		for i := b; i <= e; i += step {
			s := strconv.Itoa(i)
			if width > len(s) {
				s = strings.Repeat("0", width-len(s)) + s
			}
			seq = append(seq, s)
		}
	}
	for _, s := range seq {
		if len(*out) > maxHosts {
			return fmt.Errorf("host range expands to more than %d hosts", maxHosts)
		}
		if err := expandRange(head+s+tail, out); err != nil {
			return err
		}
	}
	return nil
}

var bracketPortRE = regexp.MustCompile(`^\[([^\]]+)\](?::(\d+))?$`)

// splitPort splits an inventory host pattern into the host part and a port
// (0 when there is none): "web:2222", "[::1]:22", "web[1:3]:22". A bare
// IPv6 address has no port.
func splitPort(s string) (string, int, error) {
	if m := bracketPortRE.FindStringSubmatch(s); m != nil && net.ParseIP(m[1]) != nil {
		port := 0
		if m[2] != "" {
			p, err := strconv.Atoi(m[2])
			if err != nil || p > 65535 {
				return "", 0, fmt.Errorf("invalid port %q", m[2])
			}
			port = p
		}
		return m[1], port, nil
	}
	// Find the colons outside brackets: a single one separates the port.
	depth, colons, last := 0, 0, -1
	for i, c := range s {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case ':':
			if depth == 0 {
				colons++
				last = i
			}
		}
	}
	if colons != 1 {
		return s, 0, nil
	}
	p, err := strconv.Atoi(s[last+1:])
	if err != nil || p < 0 || p > 65535 {
		return s, 0, nil
	}
	return s[:last], p, nil
}
