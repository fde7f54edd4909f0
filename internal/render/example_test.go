package render_test

import (
	"fmt"

	"github.com/jetplay/jetplay/internal/render"
)

func Example() {
	e := render.New()
	vars := map[string]any{
		"job":   map[string]any{"finished": 1.0, "rc": 0.0}, // numbers as JSON decodes them
		"hosts": []any{"web1", "web2"},
	}

	msg, _ := e.Template("{% if job.finished %}Finished: {{ job.finished }}\nReturn code: {{ job.rc }}\n{% endif %}\n", vars)
	fmt.Printf("%q\n", msg)

	list, _ := e.Template("{{ hosts | map('upper') | list }}", vars)
	fmt.Printf("%#v\n", list)

	ok, _ := e.Cond([]any{"job is finished", "job.rc == 0"}, vars)
	fmt.Println(ok)

	_, err := e.Template("{{ missing }}", vars)
	fmt.Println(err)
	// Output:
	// "Finished: 1\nReturn code: 0\n"
	// []interface {}{"WEB1", "WEB2"}
	// true
	// template "{{ missing }}": undefined variable: 'missing' is undefined
}
