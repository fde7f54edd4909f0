package difftest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/jetplay/jetplay/internal/testenv"
)

// corpusText lists the corpus playbooks whose default-callback text output
// is compared too, byte for byte but for corpusTextVolatile. They run on one
// host, so the order of their lines is fixed.
var corpusText = []string{"check_mode", "check_mode_task", "diff_file", "diff_mode", "loop_control_include"}

// generatedHeaderRE matches the after_header line of a --diff block for
// content that was rendered on the controller: Ansible names its temporary
// file (ansible-local-…/tmp…[/src name]), jetplay says "dynamically
// generated" (see the after_header row of docs/compatibility.md).
var generatedHeaderRE = regexp.MustCompile(`(?m)^\+\+\+ after: (?:/\S*/ansible-local-[^/\s]+/tmp\S*|dynamically generated)$`)

// corpusTextVolatile rewrites what differs between the tools' text outputs
// on purpose: the after_header of generated content becomes "<generated>".
func corpusTextVolatile(out []byte) string {
	return generatedHeaderRE.ReplaceAllString(string(out), "+++ after: <generated>")
}

// TestDiffCorpusText runs the corpusText playbooks (those matching
// CORPUS_RUN when it is set) under both tools with the default text output
// and compares stdout and the exit codes. It runs them against the corpus
// inventory as written (the local connection): the text of these playbooks
// does not depend on the connection, and TestDiffCorpus runs them over SSH.
func TestDiffCorpusText(t *testing.T) {
	ansible := testenv.LookPath(t, "ansible-playbook")
	root := moduleRoot(t)
	names := corpusText
	if re := os.Getenv("CORPUS_RUN"); re != "" {
		sel, err := regexp.Compile(re)
		if err != nil {
			t.Fatalf("CORPUS_RUN: %v", err)
		}
		names = slices.DeleteFunc(slices.Clone(names), func(n string) bool { return !sel.MatchString(n) })
	}
	if len(names) == 0 {
		t.Skip("no text corpus playbook selected")
	}
	publisher := buildPublisher(t, root)
	ansibleEnv := ansibleRunEnv(t, "default")
	// These playbooks run on the local connection: their scratch directory
	// is the test's own.
	scratch := []string{"-e", corpusTmpVar + "=" + t.TempDir()}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			book := corpusDir + "/" + name + ".yml"
			args, err := corpusArgs(filepath.Join(root, book))
			if err != nil {
				t.Fatal(err)
			}
			argv := slices.Concat([]string{"-i", corpusInventory}, scratch, args, []string{book})
			a := executeWithin(t.Context(), corpusRunTimeout, func(ctx context.Context) *exec.Cmd {
				cmd := exec.CommandContext(ctx, ansible, argv...)
				cmd.Dir, cmd.Env = root, ansibleEnv
				return cmd
			})
			if a.err != nil {
				t.Skipf("ansible-playbook did not finish (%v): the machine is too loaded to compare", a.err)
			}
			j := executeWithin(t.Context(), corpusRunTimeout, func(ctx context.Context) *exec.Cmd {
				cmd := exec.CommandContext(ctx, publisher, append([]string{"-o", "text"}, argv...)...)
				cmd.Dir, cmd.Env = root, cleanEnv()
				return cmd
			})
			if j.err != nil {
				t.Fatalf("jetplay did not finish: %v\nstderr:\n%s", j.err, j.stderr)
			}
			if a.code != j.code {
				t.Errorf("exit code: ansible=%d jetplay=%d", a.code, j.code)
			}
			if d := LineDiff(corpusTextVolatile(a.stdout), corpusTextVolatile(j.stdout)); d != "" {
				t.Errorf("text output of %s differs (- ansible, + jetplay):\n%s", book, d)
			}
		})
	}
}
