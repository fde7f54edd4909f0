package report

import "github.com/jetplay/jetplay/internal/pyrepr"

// pyJSON renders v like Python's json.dumps(v, sort_keys=True, indent=indent,
// ensure_ascii=ascii) (see pyrepr.JSON). v is normalized first, so every
// value has a JSON form.
func pyJSON(v any, indent int, ascii bool) string {
	s, err := pyrepr.JSON(normalize(v), indent, ascii)
	if err != nil {
		return err.Error() // not reached: normalize leaves only JSON values
	}
	return s
}

// pyStr renders v like Python's str(): strings as they are, everything else
// as repr.
func pyStr(v any) string { return pyrepr.Str(normalize(v)) }

// pyRepr renders v like Python's repr(). A map[string]any has no order and
// prints with sorted keys; a Dict prints in its order.
func pyRepr(v any) string { return pyrepr.Repr(v) }
