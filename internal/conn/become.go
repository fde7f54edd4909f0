package conn

import (
	"cmp"
	"fmt"
)

// BecomeArgv wraps argv so that it runs as c.BecomeUser (root when empty)
// through c.BecomeMethod (sudo when empty). With a password, sudo reads it
// from stdin (-S) with an empty prompt; without, it must not ask (-n).
func BecomeArgv(c Command, argv []string) ([]string, error) {
	user := cmp.Or(c.BecomeUser, "root")
	switch cmp.Or(c.BecomeMethod, "sudo") {
	case "sudo":
		out := []string{"sudo"}
		if c.BecomePassword != "" {
			out = append(out, "-S", "-p", "")
		} else {
			out = append(out, "-n")
		}
		out = append(out, "-H", "-u", user, "--")
		return append(out, argv...), nil
	case "su":
		return []string{"su", "-s", "/bin/sh", user, "-c", ShellQuote(argv)}, nil
	default:
		return nil, fmt.Errorf("become_method %q is not supported (use sudo or su)", c.BecomeMethod)
	}
}
