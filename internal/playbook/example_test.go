package playbook_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/jetplay/jetplay/internal/playbook"
)

func ExampleParse() {
	src := []byte(`
- name: demo
  hosts: web
  tasks:
    - name: say hi
      command: /bin/echo hi chdir=/tmp
      when: greet | default(true)
`)
	pb, err := playbook.Parse("site.yml", src, playbook.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	task := pb.Plays[0].Tasks[0]
	fmt.Println(pb.Plays[0].Hosts, task.Pos, task.Module, task.Args["_raw_params"], task.Args["chdir"], task.When)

	_, err = playbook.Parse("bad.yml", []byte("- hosts: all\n  tasks:\n    - comand: ls\n"), playbook.Options{
		Module: func(name string) (string, bool) { return name, name == "command" },
	})
	fmt.Println(err)
	// Output:
	// web site.yml:5:7 command /bin/echo hi /tmp [greet | default(true)]
	// bad.yml:3:7: couldn't resolve module/action 'comand'. This often indicates a misspelling, missing collection, or incorrect module path.
}

func ExampleLoadInventory() {
	dir, err := os.MkdirTemp("", "inventory")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "hosts")
	if err := os.WriteFile(path, []byte("[web]\nweb[1:3] http_port=8080\n[db]\ndb1\n"), 0o600); err != nil {
		fmt.Println(err)
		return
	}
	inv, err := playbook.LoadInventory(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	hosts, _ := inv.Match("web:db:!web2")
	fmt.Println(hosts, inv.HostVars("web1")["http_port"], inv.GroupNames("db1"))
	// Output:
	// [web1 web3 db1] 8080 [db]
}
