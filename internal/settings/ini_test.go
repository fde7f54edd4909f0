package settings

import (
	"errors"
	"strings"
	"testing"
)

func TestParseINI(t *testing.T) {
	t.Parallel()
	// get is section.key -> value; absent keys map to "<none>".
	tests := []struct {
		name    string
		text    string
		want    map[string]string
		wantErr string
	}{
		{name: "delimiters and case", text: "[defaults]\nForks = 5\nuser:bob\na = b = c \n",
			want: map[string]string{"defaults.forks": "5", "defaults.user": "bob", "defaults.a": "b = c", "defaults.FORKS": "5"}},
		{name: "first delimiter wins", text: "[s]\nurl: http://x=y\nk=v:w\n",
			want: map[string]string{"s.url": "http://x=y", "s.k": "v:w"}},
		{name: "comments", text: "# c\n; c\n[s]\n  # indented comment\na = 1 ; inline\nb = 2;not inline\nc = 3 # not inline\nd = ;x\n",
			want: map[string]string{"s.a": "1", "s.b": "2;not inline", "s.c": "3 # not inline", "s.d": ""}},
		{name: "continuation", text: "[s]\na = one\n  two\n\n  three\n\n\nb = x\n   ; comment inside\n   y\n",
			want: map[string]string{"s.a": "one\ntwo\n\nthree", "s.b": "x\ny"}},
		{name: "continuation needs deeper indent", text: "[s]\n  a = 1\n  b = 2\n    c = 3\n",
			want: map[string]string{"s.a": "1", "s.b": "2\nc = 3", "s.c": "<none>"}},
		{name: "an indented header continues a value", text: "[s]\na = 1\n  [t]\n",
			want: map[string]string{"s.a": "1\n[t]", "t.a": "<none>"}},
		{name: "header", text: "[a]b]\nk=1\n[ c ] trailing\nk=2\n",
			want: map[string]string{"a]b.k": "1", " c .k": "2"}},
		{name: "no interpolation", text: "[s]\nm = %(x)s 100%\n", want: map[string]string{"s.m": "%(x)s 100%"}},
		{name: "DEFAULT fills sections that exist", text: "[DEFAULT]\nk = d\n[s]\nj = 1\n[DEFAULT]\nl = e\n",
			want: map[string]string{"s.k": "d", "s.l": "e", "nosuch.k": "<none>"}},
		{name: "crlf", text: "[s]\r\na = 1\r\nb = 2\r\n", want: map[string]string{"s.a": "1", "s.b": "2"}},
		{name: "empty value", text: "[s]\na =\n", want: map[string]string{"s.a": ""}},
		{name: "no section", text: "\n# c\na = 1\n",
			wantErr: "File contains no section headers.\nfile: '<string>', line: 3\n'a = 1\\n'"},
		{name: "duplicate section", text: "[s]\n[t]\n[s]\n",
			wantErr: "While reading from '<string>' [line  3]: section 's' already exists"},
		{name: "duplicate option", text: "[s]\nA = 1\na: 2\n",
			wantErr: "While reading from '<string>' [line  3]: option 'a' in section 's' already exists"},
		{name: "bad lines", text: "[s]\nno delimiter\n=value\nok = 1\n[]\n",
			wantErr: "Source contains parsing errors: '<string>'\n\t[line  2]: 'no delimiter\\n'\n\t[line  3]: '=value\\n'\n\t[line  5]: '[]\\n'"},
		{name: "repr quotes", text: "[s]\nit's\n", wantErr: "Source contains parsing errors: '<string>'\n\t[line  2]: \"it's\\n\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := parseINI(tc.text)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %q, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for k, want := range tc.want {
				sec, key, _ := strings.Cut(k, ".")
				got, ok := f.get(sec, key)
				if !ok {
					got = "<none>"
				}
				if got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestReadConfigErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		path    string
		wantMsg string
	}{
		{dir + "/a.yml", "Unsupported configuration file type: yaml"},
		{dir + "/a", "Unsupported configuration file extension for " + dir + "/a: "},
		{dir + "/missing.cfg", "Error reading config file (" + dir + "/missing.cfg): open " + dir + "/missing.cfg: no such file or directory"},
	}
	for _, tc := range tests {
		_, err := readConfig(tc.path)
		if !errors.Is(err, ErrConfigFile) || err.Error() != tc.wantMsg {
			t.Errorf("%s: %v, want %q", tc.path, err, tc.wantMsg)
		}
	}
}

func FuzzParseINI(f *testing.F) {
	f.Add(fullConfig)
	f.Add("[s]\na = 1\n  b\n\n[DEFAULT]\nc: 2 ; x\n")
	f.Add("[s]\n=\n[]\n[s]\n")
	f.Add("\xff[\x00]\n;\n")
	f.Fuzz(func(t *testing.T, text string) {
		ini, err := parseINI(text)
		if err != nil {
			return
		}
		for _, s := range ini.sections {
			for _, k := range s.keys {
				if k != strings.ToLower(k) {
					t.Fatalf("key %q not lower-case", k)
				}
				if _, ok := ini.get(s.name, k); !ok {
					t.Fatalf("key %q of %q not found", k, s.name)
				}
			}
		}
	})
}
