package pyrepr_test

import (
	"fmt"

	"github.com/jetplay/jetplay/internal/pyrepr"
)

func Example() {
	v := map[string]any{"name": "it's", "ok": true, "n": nil, "l": []any{1, pyrepr.Float(2)}}
	fmt.Println(pyrepr.Repr(v))
	s, _ := pyrepr.JSON(v, 0, true)
	fmt.Println(s)
	// Output:
	// {'l': [1, 2.0], 'n': None, 'name': "it's", 'ok': True}
	// {"l": [1, 2.0], "n": null, "name": "it's", "ok": true}
}
