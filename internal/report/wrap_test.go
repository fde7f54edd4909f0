package report

import (
	"reflect"
	"strings"
	"testing"
)

// Expected values are Python 3.11's textwrap.wrap(text, 79).
func TestWrapText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"short", "[WARNING]: short", []string{"[WARNING]: short"}},
		{"hyphenated host", "[WARNING]: Could not match supplied host pattern, ignoring: a-very-long-host-name-exceeding-26.example.com",
			[]string{"[WARNING]: Could not match supplied host pattern, ignoring: a-very-long-host-", "name-exceeding-26.example.com"}},
		{"words", "[WARNING]: Module remote_tmp /home/user/.ansible/tmp did not exist and was created with a mode of 0700, this may cause issues when running as another user. To avoid this, create the remote_tmp dir with the correct permissions manually",
			[]string{"[WARNING]: Module remote_tmp /home/user/.ansible/tmp did not exist and was", "created with a mode of 0700, this may cause issues when running as another", "user. To avoid this, create the remote_tmp dir with the correct permissions", "manually"}},
		{"whitespace", "[WARNING]: tabs\there and\nnewlines   with   many spaces and a-hyphenated-compound-word-that-is-long-enough-to-wrap-around-the-line",
			[]string{"[WARNING]: tabs here and newlines   with   many spaces and a-hyphenated-", "compound-word-that-is-long-enough-to-wrap-around-the-line"}},
		{"long word", "[WARNING]: " + strings.Repeat("x", 100),
			[]string{"[WARNING]: " + strings.Repeat("x", 68), strings.Repeat("x", 32)}},
		{"em dash", "[WARNING]: well--known em--dash usage in a sentence that is long enough to need wrapping at seventy nine",
			[]string{"[WARNING]: well--known em--dash usage in a sentence that is long enough to need", "wrapping at seventy nine"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := wrapText(tt.in, 79, true); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("wrapText =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
