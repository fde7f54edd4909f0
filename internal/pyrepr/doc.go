// Package pyrepr prints Go values the way Python prints the values Ansible
// works with: repr() and str() (True, None, 'text', [1, 'a'], {'k': 2}) and
// json.dumps with sorted keys. It is a leaf: the template engine
// (internal/render) and the output writers (internal/report) both print
// through it, so a value reads the same in a rendered template and in a
// report.
//
// It knows nil, bool, string, every int, uint and float kind, json.Number,
// Float, []any, map[string]any, any Mapping and, through reflection, other
// slices and string-keyed maps.
//
// Two choices differ from Python:
//   - A map[string]any has no order, so it prints with sorted keys (Python
//     keeps insertion order); a Mapping prints in its own order.
//   - An integral float64 below 1e16 prints as an integer (2, not 2.0),
//     because JSON decoding gives float64 for every number and such values
//     were most likely integers. A value that is a float in Python (what
//     round or float give) is a Float, which always prints as a float.
package pyrepr
