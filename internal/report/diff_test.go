package report

import (
	"bytes"
	"strings"
	"testing"
)

// The wanted texts are what ansible-core 2.14's CallbackBase._get_diff
// returns for the same diffs.
func TestFileDiff(t *testing.T) {
	twenty := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n"
	tests := []struct {
		name  string
		diff  any
		color bool
		want  string
	}{
		{
			name: "new file",
			diff: map[string]any{"before": "", "after": "hello\n", "after_header": "dynamically generated"},
			want: "--- before\n+++ after: dynamically generated\n@@ -0,0 +1 @@\n+hello\n\n",
		},
		{
			name: "changed content",
			diff: map[string]any{"before": "old\nline\n", "after": "new\nline\n", "before_header": "/d/old.txt",
				"after_header": "dynamically generated"},
			want: "--- before: /d/old.txt\n+++ after: dynamically generated\n@@ -1,2 +1,2 @@\n-old\n+new\n line\n\n",
		},
		{
			name: "file state",
			diff: map[string]any{"before": map[string]any{"path": "/d/sub", "state": "absent"},
				"after": map[string]any{"path": "/d/sub", "state": "directory"}},
			want: "--- before\n+++ after\n@@ -1,4 +1,4 @@\n {\n     \"path\": \"/d/sub\",\n-    \"state\": \"absent\"\n" +
				"+    \"state\": \"directory\"\n }\n\n",
		},
		{
			name: "no newline at end",
			diff: map[string]any{"before": "a\nb", "after": "a\nc"},
			want: "--- before\n+++ after\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n\n",
		},
		{
			name: "equal",
			diff: map[string]any{"before": "same\n", "after": "same\n"},
			want: "",
		},
		{
			name: "skipped, prepared and a list",
			diff: []any{map[string]any{"dst_binary": 1, "src_larger": 1024, "prepared": "prepared text\n"},
				map[string]any{"before": nil, "after": "x"}},
			want: "diff skipped: destination file appears to be binary\ndiff skipped: source file size is greater than 1024\n" +
				"prepared text\n--- before\n+++ after\n@@ -0,0 +1 @@\n+x\n\\ No newline at end of file\n\n",
		},
		{
			name: "two hunks",
			diff: map[string]any{"before": twenty,
				"after": strings.Replace(strings.Replace(twenty, "\n2\n", "\ntwo\n", 1), "18\n", "eighteen\n", 1)},
			want: "--- before\n+++ after\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n@@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n" +
				"+eighteen\n 19\n 20\n\n",
		},
		{
			name:  "color",
			diff:  map[string]any{"before": "a\nb", "after": "a\nc"},
			color: true,
			want: "\x1b[0;31m--- before\x1b[0m\n\x1b[0;31m\x1b[0m\x1b[0;32m+++ after\x1b[0m\n\x1b[0;32m\x1b[0m" +
				"\x1b[0;36m@@ -1,2 +1,2 @@\x1b[0m\n\x1b[0;36m\x1b[0m a\n\x1b[0;31m-b\x1b[0m\n" +
				"\x1b[0;31m\\ No newline at end of file\x1b[0m\n\x1b[0;31m\x1b[0m\x1b[0;32m+c\x1b[0m\n" +
				"\x1b[0;32m\\ No newline at end of file\x1b[0m\n\x1b[0;32m\x1b[0m\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fileDiff(tt.diff, tt.color); got != tt.want {
				t.Errorf("fileDiff:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// The diff block comes between the banner and the status line, only for a
// changed result of a task in diff mode; a loop prints each changed item's
// diff before that item's line.
func TestTextFileDiff(t *testing.T) {
	task := Task{Name: "t", Action: "copy", ID: "t1"}
	d := map[string]any{"before": "", "after": "x\n"}
	block := "--- before\n+++ after\n@@ -0,0 +1 @@\n+x\n\n"
	tests := []struct {
		name string
		run  func(r Reporter)
		want string
	}{
		{
			name: "changed",
			run: func(r Reporter) {
				r.HostResult(task, HostResult{Host: "h1", Status: Changed, Diff: true,
					Result: map[string]any{"changed": true, "diff": d}})
			},
			want: block + "changed: [h1]\n",
		},
		{
			name: "not in diff mode",
			run: func(r Reporter) {
				r.HostResult(task, HostResult{Host: "h1", Status: Changed,
					Result: map[string]any{"changed": true, "diff": d}})
			},
			want: "changed: [h1]\n",
		},
		{
			name: "unchanged",
			run: func(r Reporter) {
				r.HostResult(task, HostResult{Host: "h1", Status: OK, Diff: true,
					Result: map[string]any{"changed": false, "diff": d}})
			},
			want: "ok: [h1]\n",
		},
		{
			name: "failed",
			run: func(r Reporter) {
				r.HostResult(task, HostResult{Host: "h1", Status: Failed, Diff: true,
					Result: map[string]any{"changed": true, "failed": true, "diff": d}})
			},
			want: "fatal: [h1]: FAILED! => {\"changed\": true}\n",
		},
		{
			name: "loop items",
			run: func(r Reporter) {
				item := map[string]any{"changed": true, "diff": d, "item": "a"}
				r.Item(ItemResult{Host: "h1", Status: Changed, Item: "a", Diff: true, Result: item})
				r.Item(ItemResult{Host: "h1", Status: OK, Item: "b", Diff: true,
					Result: map[string]any{"changed": false, "diff": d, "item": "b"}})
				r.HostResult(task, HostResult{Host: "h1", Status: Changed, Diff: true,
					Result: map[string]any{"changed": true, "results": []any{item}}})
			},
			want: block + "changed: [h1] => (item=a)\nok: [h1] => (item=b)\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			r := NewText(TextConfig{Out: &out})
			r.TaskStart(task)
			tt.run(r)
			want := "\nTASK [t] " + strings.Repeat("*", 71) + "\n" + tt.want
			if out.String() != want {
				t.Errorf("output:\n got %q\nwant %q", out.String(), want)
			}
		})
	}
}
