package pyrepr

import (
	"encoding/json"
	"fmt"
	"strings"
)

// TypeName is Python's type(v).__name__ for v: NoneType, bool, int (an int,
// or a json.Number without '.', 'e' or 'E'), float (a float64, a Float or
// any other json.Number), str, list ([]any) and dict (map[string]any).
// Other values give their Go type, as %T prints it.
func TypeName(v any) string {
	switch x := v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int:
		return "int"
	case float64, Float:
		return "float"
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return "float"
		}
		return "int"
	case string:
		return "str"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}
