package interpreter_test

import (
	"context"
	"fmt"
	"time"

	"github.com/jetplay/jetplay/internal/conn"
	"github.com/jetplay/jetplay/internal/interpreter"
)

// A new-style payload runs as its interpreter reading it on stdin; the
// result is the module's JSON object as Ansible's controller leaves it.
func ExampleRunner_Run() {
	r, err := interpreter.New(interpreter.Config{})
	if err != nil {
		panic(err)
	}
	payload := "#!/usr/bin/python\nimport json\nprint('motd line')\nprint(json.dumps({'changed': False, 'ping': 'pong', 'stdout': 'a\\nb'}))\n"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := r.Run(ctx, conn.Local{}, interpreter.Task{
		Host: "localhost", Module: "ping", Style: interpreter.StyleNew, Payload: []byte(payload),
		Interpreters: map[string]string{"python": "/usr/bin/python3"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Interpreter.Shebang, res.Parsed, res.Values["ping"], res.Values["stdout_lines"])
	// Output: #!/usr/bin/python3 true pong [a b]
}
