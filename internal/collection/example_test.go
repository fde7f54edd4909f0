package collection_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jetplay/jetplay/internal/collection"
)

// A collection root with one module and a routing entry that redirects an
// old name to it, and a playbook directory with a library/ module.
func Example() {
	dir, err := os.MkdirTemp("", "collection-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = os.RemoveAll(dir) }()
	files := map[string]string{
		"pb/library/hello.py": "#!/usr/bin/python\n",
		"roots/ansible_collections/my/tools/plugins/modules/greet.py": "#!/usr/bin/python\n",
		"roots/ansible_collections/my/tools/meta/runtime.yml": `plugin_routing:
  modules:
    hello_old:
      redirect: my.tools.greet
      deprecation: {removal_version: 2.0.0, warning_text: Use my.tools.greet.}
`,
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		_ = os.WriteFile(p, []byte(content), 0o644)
	}

	r, err := collection.New(collection.Config{
		PlaybookDirs:     []string{filepath.Join(dir, "pb")},
		Library:          []string{},
		CollectionsPaths: []string{filepath.Join(dir, "roots")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	show := func(name string, collections []string) {
		m, err := r.Resolve(name, collections)
		if err != nil {
			fmt.Println(errors.Is(err, collection.ErrNotFound), err)
			return
		}
		rel, _ := filepath.Rel(dir, m.Path)
		fmt.Println(m.FQCN, rel)
		for _, d := range m.Deprecations {
			fmt.Println(d)
		}
	}
	show("hello", nil)
	show("greet", []string{"my.tools"})
	show("my.tools.hello_old", nil)
	show("greet", nil)
	// Output:
	// hello pb/library/hello.py
	// my.tools.greet roots/ansible_collections/my/tools/plugins/modules/greet.py
	// my.tools.greet roots/ansible_collections/my/tools/plugins/modules/greet.py
	// [DEPRECATION WARNING]: my.tools.hello_old has been deprecated. Use my.tools.greet. This feature will be removed from my.tools in version 2.0.0. Deprecation warnings can be disabled by setting deprecation_warnings=False in ansible.cfg.
	// true couldn't resolve module/action 'greet'. This often indicates a misspelling, missing collection, or incorrect module path.
}
