package pyrepr

import "strings"

// ShlexQuote is Python's shlex.quote: s as one POSIX shell word. A word
// made only of letters, digits and _@%+=:,./- (ASCII, not empty) stays
// bare; any other is single-quoted, an embedded ' written as '"'"'.
func ShlexQuote(s string) string {
	if s == "" {
		return "''"
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_@%+=:,./-", r)) {
			return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
		}
	}
	return s
}
