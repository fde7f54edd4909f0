package pyrepr

import "testing"

// TestShlexQuote: the answers are Python 3's shlex.quote for each input.
func TestShlexQuote(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "empty", in: "", want: "''"},
		{name: "safe", in: "a-Z_0@%+=:,./", want: "a-Z_0@%+=:,./"},
		{name: "space", in: "a b", want: "'a b'"},
		{name: "quote", in: "it's", want: `'it'"'"'s'`},
		{name: "dollar", in: "$HOME", want: "'$HOME'"},
		{name: "non-ASCII", in: "é", want: "'é'"},
		{name: "newline", in: "a\nb", want: "'a\nb'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ShlexQuote(tt.in); got != tt.want {
				t.Errorf("ShlexQuote(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
