package publish

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/jetplay/jetplay/internal/playbook"
)

// listPlaybooks prints what --list-hosts, --list-tasks or --syntax-check
// print, in ansible-playbook's layout.
func listPlaybooks(w io.Writer, o Options, inv *playbook.Inventory, books []*playbook.Playbook) error {
	for _, b := range books {
		fmt.Fprintf(w, "\nplaybook: %s\n", b.Path)
		if o.SyntaxCheck {
			continue
		}
		for i, p := range b.Plays {
			name := p.Name
			if name == "" {
				name = p.Hosts // an unnamed play is named after its hosts
			}
			fmt.Fprintf(w, "\n  play #%d (%s): %s\tTAGS: [%s]\n", i+1, p.Hosts, name, strings.Join(p.Tags, ", "))
			if o.ListHosts {
				hosts, err := inv.Match(p.Hosts)
				if err != nil {
					return err
				}
				if o.Limit != "" {
					lim, err := inv.Match(o.Limit)
					if err != nil {
						return err
					}
					hosts = slices.DeleteFunc(hosts, func(h string) bool { return !slices.Contains(lim, h) })
				}
				fmt.Fprintf(w, "    pattern: ['%s']\n    hosts (%d):\n", p.Hosts, len(hosts))
				for _, h := range hosts {
					fmt.Fprintf(w, "      %s\n", h)
				}
			}
			if o.ListTasks {
				fmt.Fprintf(w, "    tasks:\n")
				for _, list := range [][]*playbook.Task{p.PreTasks, p.Tasks, p.PostTasks} {
					listTasks(w, list, p.Tags)
				}
			}
		}
	}
	return nil
}

func listTasks(w io.Writer, tasks []*playbook.Task, inherited []string) {
	for _, t := range tasks {
		tags := append(slices.Clone(inherited), t.Tags...)
		if len(t.Block) > 0 || t.Module == "" {
			listTasks(w, t.Block, tags)
			listTasks(w, t.Rescue, tags)
			listTasks(w, t.Always, tags)
			continue
		}
		if t.Implicit {
			continue // the end of a role
		}
		fmt.Fprintf(w, "      %s\tTAGS: [%s]\n", t.DisplayName(), strings.Join(tags, ", "))
	}
}
