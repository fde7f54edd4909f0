package module

import (
	"errors"
	"slices"
	"testing"
)

// The expectations are Python 3.11's shlex.split output for each input.
func TestSplit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []string
		wantErr string
	}{
		{"echo hi", []string{"echo", "hi"}, ""},
		{"echo \"a b\" 'c d' e\\ f", []string{"echo", "a b", "c d", "e f"}, ""},
		{"a ''", []string{"a", ""}, ""},
		{"a \"\"", []string{"a", ""}, ""},
		{"\"\"", []string{""}, ""},
		{"", []string{}, ""},
		{"   ", []string{}, ""},
		{"a\tb\nc\rd", []string{"a", "b", "c", "d"}, ""},
		{"x\"y z\"w", []string{"xy zw"}, ""},
		{"'a\\b'", []string{"a\\b"}, ""},
		{"\"a\\b\"", []string{"a\\b"}, ""},
		{"\"a\\\"b\"", []string{"a\"b"}, ""},
		{"\"a\\\\b\"", []string{"a\\b"}, ""},
		{"a\\\\b", []string{"a\\b"}, ""},
		{"a\\ b", []string{"a b"}, ""},
		{"it's", nil, "No closing quotation"},
		{"\"it's\"", []string{"it's"}, ""},
		{"a#b #c", []string{"a#b", "#c"}, ""},
		{"a\"\" b", []string{"a", "b"}, ""},
		{"$HOME `x` $(y)", []string{"$HOME", "`x`", "$(y)"}, ""},
		{"a \"b\\$c\"", []string{"a", "b\\$c"}, ""},
		{"'unterminated", nil, "No closing quotation"},
		{"\"unterminated", nil, "No closing quotation"},
		{"trail\\", nil, "No escaped character"},
		{"\u00e9 \u00fc", []string{"\u00e9", "\u00fc"}, ""},
		{"\"\\n\"", []string{"\\n"}, ""},
		{"a'b'\"c\"d", []string{"abcd"}, ""},
		{"a=b c=\"d e\"", []string{"a=b", "c=d e"}, ""},
	}
	for _, tt := range tests {
		got, err := Split(tt.in)
		switch tt.wantErr {
		case "No closing quotation":
			if !errors.Is(err, ErrNoClosingQuotation) {
				t.Errorf("Split(%q) error = %v, want ErrNoClosingQuotation", tt.in, err)
			}
		case "No escaped character":
			if !errors.Is(err, ErrNoEscapedCharacter) {
				t.Errorf("Split(%q) error = %v, want ErrNoEscapedCharacter", tt.in, err)
			}
		default:
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("Split(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		}
	}
}

func TestPyQuote(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"abc", "abc"},
		{"a b", "'a b'"},
		{"it's", `'it'"'"'s'`},
		{"", "''"},
		{"a@b%c+d=e:f,g./-_", "a@b%c+d=e:f,g./-_"},
		{"\u00e9", "'\u00e9'"},
		{"$x", "'$x'"},
	}
	for _, tt := range tests {
		if got := PyQuote(tt.in); got != tt.want {
			t.Errorf("PyQuote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPyBytesRepr(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"/a'b", `b"/a'b"`},
		{`/a"b`, `b'/a"b'`},
		{`a'b"c`, `b'a\'b"c'`},
		{"\u00e9", `b'\xc3\xa9'`},
		{"/nonexistent/bin/tool", `b'/nonexistent/bin/tool'`},
	}
	for _, tt := range tests {
		if got := pyBytesRepr(tt.in); got != tt.want {
			t.Errorf("pyBytesRepr(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func FuzzSplit(f *testing.F) {
	f.Add(`echo "a b" 'c' d\ e`)
	f.Fuzz(func(t *testing.T, s string) {
		words, err := Split(s)
		if err != nil {
			return
		}
		// Quoting every word and splitting again gives the same words.
		var q string
		for i, w := range words {
			if i > 0 {
				q += " "
			}
			q += PyQuote(w)
		}
		again, err := Split(q)
		if err != nil || !slices.Equal(again, words) {
			t.Fatalf("Split(%q) = %q; re-split of %q = %q, %v", s, words, q, again, err)
		}
	})
}
