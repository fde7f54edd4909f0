package render

import "errors"

var (
	// ErrUndefined is wrapped by errors about undefined variables, attributes
	// and items. The message carries Ansible's phrase, e.g. `'foo' is undefined`
	// or `'dict object' has no attribute 'bar'`.
	ErrUndefined = errors.New("undefined variable")

	// ErrSyntax is wrapped by template and expression syntax errors. The
	// message quotes the offending template text.
	ErrSyntax = errors.New("template syntax error")

	// ErrRender is wrapped by every other evaluation error: a failing filter
	// or test, a type error, a failed lookup, or a panic inside the engine.
	ErrRender = errors.New("template error")

	// ErrUnknownLoop is wrapped by WithLoop's error for a with_<lookup>
	// loop kind it does not build.
	ErrUnknownLoop = errors.New("unsupported with_<lookup> loop")
)
