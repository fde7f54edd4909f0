package module_test

import (
	"context"
	"fmt"

	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/module"
)

func ExampleRun() {
	res, err := module.Run(context.Background(), conn.Local{}, "ansible.builtin.command",
		map[string]any{"_raw_params": `echo "hello world"`}, module.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Values["cmd"], res.Values["rc"], res.Values["stdout"], res.Values["changed"], res.TimedOut)
	// Output: [echo hello world] 0 hello world true false
}

func ExampleLookup() {
	info, _ := module.Lookup("ansible.legacy.copy")
	fmt.Println(info.Name, info.Kind, info.Async)
	// Output: copy host false
}

func ExampleSplit() {
	words, _ := module.Split(`tar -C "/tmp/my dir" -xf a\ b.tgz`)
	fmt.Printf("%q\n", words)
	// Output: ["tar" "-C" "/tmp/my dir" "-xf" "a b.tgz"]
}

func ExampleCheckArgs() {
	err := module.CheckArgs("ping", map[string]any{"x": 1})
	fmt.Println(module.ArgsMsg(err))
	// Output: Unsupported parameters for (ping) module: x. Supported parameters include: data.
}
