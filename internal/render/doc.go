// Package render is Jinja2 templating with Ansible's semantics, used by the
// play engine for task arguments, when/until/changed_when/failed_when,
// loops and debug messages. It does no I/O except the env, file and
// template lookups (which read the controller's environment and files) and
// the pipe lookup, which runs a command on the controller through /bin/sh
// in the playbook's directory, as Ansible's does.
//
// The engine underneath is github.com/nikolalohinski/gonja/v2. It was chosen
// over github.com/ardanlabs/jinja, which has a fixed set of tests (no way to
// add failed, changed, version, ...) and renders undefined variables as empty
// strings without an error, and over github.com/flosch/pongo2, which is
// Django syntax: no `is` tests, no list or dict literals, no `~`, no filter
// arguments in parentheses. gonja registers filters, tests and globals per
// environment, has trim_blocks, keeps trailing newlines, reports undefined
// values (StrictUndefined), and has Python's string and dict methods
// (.split(), .startswith(), .get()).
//
// On top of gonja this package adds Ansible's filters and tests, Ansible's
// undefined-variable phrases, Python's way of printing values, native typing
// of single-expression templates and a bounded cache of parsed templates.
//
// # Differences from Ansible
//
//   - Numbers: an integral float64 is treated as an int, both in native
//     results and when printed, because JSON decoding gives float64 for every
//     number. So `{{ x }}` of 1.0 prints 1, and `{{ 4 / 2 }}` prints 2 where
//     Ansible prints 2.0. The float and round filters give a pyrepr.Float,
//     which stays a float (`{{ 3.7 | round }}` is 4.0, as in Ansible) until
//     arithmetic turns it back into a float64.
//   - A single-expression template returns the expression's native value
//     (like Ansible's jinja2_native); a string result is never re-parsed, so
//     `{{ "1" }}` stays the string "1".
//   - Map keys are sorted when printed, in to_json, dict2items and YAML, since
//     Go maps have no insertion order.
//   - Tuples do not exist: zip, splitext and the like give lists.
//   - Regular expressions use Go's RE2 syntax, which lacks look-around and
//     backreferences in patterns; \1 and \g<name> in replacements work.
//   - Tests take positional arguments only (`is truthy(true)`, not
//     `is truthy(convert_bool=true)`): gonja's parser has no keyword
//     arguments for tests.
//   - An undefined value given to Ansible's result tests (failed, changed,
//     ...) is an error, as in Ansible; Jinja's type tests (string, number)
//     just say false.
//   - {% include %}, {% import %} and {% extends %} are refused.
//   - Only the env, file, vars, list/items, pipe and template lookups exist.
//     The template lookup takes convert_data and template_vars; the
//     *_start_string and *_end_string options are refused.
//   - WithLoop builds only the with_together, with_nested, with_cartesian,
//     with_subelements, with_indexed_items and with_flattened loops; another
//     with_<lookup> (with_env, with_file, ...) is an error, ErrUnknownLoop.
package render
